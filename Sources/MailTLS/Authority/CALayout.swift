/// The files of a private CA directory. Everything the CA needs lives here, and the CA key
/// never leaves it.
public struct CALayout: Sendable, Equatable {
    public var directory: String

    public init(directory: String = "ca") {
        self.directory = directory
    }

    /// The CA's private key, 0600.
    public var keyPath: String { Paths.join(directory, "ca.key") }
    /// The CA certificate: what MTAs put into cacert.pem / CA/ to trust this CA's certificates.
    public var certificatePath: String { Paths.join(directory, "ca.cert") }
    /// The index of issued certificates (JSON), the CA's one source of truth.
    public var indexPath: String { Paths.join(directory, "index.json") }
    /// The current revocation list (PEM), for Sendmail's confCRL.
    public var crlPath: String { Paths.join(directory, "ca.crl") }
    /// A copy of every certificate issued, as `issued/<serial>.pem`.
    public var issuedDirectory: String { Paths.join(directory, "issued") }

    public func issuedPath(serial: String) -> String { Paths.join(issuedDirectory, "\(serial).pem") }
}
