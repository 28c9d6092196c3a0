/// Where the files of one key/certificate set live: `DIR/host.key`, `DIR/host.csr`,
/// `DIR/host.cert` (the names the old certs/Makefile used and sendmail.mc points to),
/// or `new.*` for a renewal in progress.
public struct CertsLayout: Sendable, Equatable {
    public var directory: String
    /// `host`, `new`, or any name given with `--file`.
    public var stem: String

    public init(directory: String = ".", stem: String = "host") {
        self.directory = directory
        self.stem = stem
    }

    public var keyPath: String { Paths.join(directory, "\(stem).key") }
    public var requestPath: String { Paths.join(directory, "\(stem).csr") }
    public var certificatePath: String { Paths.join(directory, "\(stem).cert") }
    /// The CA certificates above this certificate (`chain.pem`, or `new.chain.pem` for `new`).
    /// Named by stem so signing new.csr never changes the chain of host.cert in service.
    public var chainPath: String { Paths.join(directory, stem == "host" ? "chain.pem" : "\(stem).chain.pem") }
    /// The certificate followed by its chain (`fullchain.pem`, or `new.fullchain.pem`).
    public var fullChainPath: String { Paths.join(directory, stem == "host" ? "fullchain.pem" : "\(stem).fullchain.pem") }
    /// The bundle of CA certificates Sendmail's confCACERT names.
    public var caBundlePath: String { Paths.join(directory, "cacert.pem") }
    /// The hashed directory Sendmail's confCACERT_PATH names.
    public var caDirectoryPath: String { Paths.join(directory, "CA") }

    /// The same directory with another stem (`host` → `new`).
    public func with(stem: String) -> CertsLayout {
        CertsLayout(directory: directory, stem: stem)
    }

    /// Checks that the stem is a plain file name, so `--file ../x` cannot write elsewhere.
    /// - Parameter option: the command-line option the stem came from, for the message.
    public func validated(option: String = "--file") throws -> CertsLayout {
        guard !stem.isEmpty, !stem.contains("/"), stem != ".", stem != "..", !stem.hasPrefix(".") else {
            throw MailTLSError("\(option) \(stem)", "is not a plain file name", remedy: "use a name such as host or new; choose the directory with --dir")
        }
        return self
    }
}
