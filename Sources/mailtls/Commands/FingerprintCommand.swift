import ArgumentParser
import MailTLS

struct FingerprintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fingerprint",
        abstract: "Show certificate fingerprints (and keys' public-key fingerprints).",
        discussion: """
        Like the old `make fingerprint`, in OpenSSL's form so it can be pasted and compared:
          sha256 Fingerprint=AB:CD:...
        --md5 gives the digest Sendmail puts into ${cert_md5}. A key or request gets the
        digest of its public key (SubjectPublicKeyInfo), the value DANE 3 1 1 records hold.
        Several files, or a bundle, give one line each with the file and subject.

        Examples:
          mailtls fingerprint
          mailtls fingerprint --md5 host.cert
          mailtls fingerprint --all /etc/ssl/certs/ca-certificates.crt
        """
    )

    @Argument(help: "Certificates, requests, keys or bundles (default: host.cert in --dir).")
    var files: [String] = []
    @Option(name: .long, help: "The certs directory, for the default file.")
    var dir: String = "."
    @Flag(name: .long, help: "SHA-1 instead of SHA-256.") var sha1 = false
    @Flag(name: .long, help: "MD5 instead of SHA-256 (Sendmail's ${cert_md5}).") var md5 = false
    @Flag(name: .long, help: "MD5, SHA-1 and SHA-256.") var all = false
    @OptionGroup var output: OutputOptions

    struct Entry: Encodable {
        var file: String
        var index: Int
        var kind: String
        var label: String
        var digests: [String: String]
    }

    func run() throws {
        try reportingFailures {
            var algorithms: [DigestAlgorithm] = all ? [.md5, .sha1, .sha256] : []
            if !all {
                if md5 { algorithms.append(.md5) }
                if sha1 { algorithms.append(.sha1) }
                if algorithms.isEmpty { algorithms = [.sha256] }
            }
            let paths = files.isEmpty ? [CertsLayout(directory: dir).certificatePath] : files
            var entries: [Entry] = []
            for path in paths {
                let fingerprints = Fingerprint.all(in: try MaterialFile.load(path), algorithms: algorithms)
                if fingerprints.isEmpty {
                    throw MailTLSError(path, "holds nothing with a fingerprint", remedy: "name a certificate, request or key")
                }
                for (index, fingerprint) in fingerprints.enumerated() {
                    entries.append(Entry(file: path, index: index + 1, kind: fingerprint.kind.rawValue,
                                         label: fingerprint.label, digests: fingerprint.digests))
                }
            }
            if output.json { return try JSONOutput.print(entries) }
            let plain = entries.count == 1
            for entry in entries {
                let fingerprint = Fingerprint(kind: Fingerprint.Kind(rawValue: entry.kind)!, label: entry.label, digests: entry.digests)
                for algorithm in algorithms {
                    if plain {
                        print(fingerprint.line(algorithm))
                    } else {
                        let count = entries.filter { $0.file == entry.file }.count
                        let place = count > 1 ? "\(entry.file)[\(entry.index)]" : entry.file
                        print("\(place): \(fingerprint.line(algorithm))  \(entry.label)")
                    }
                }
            }
        }
    }
}
