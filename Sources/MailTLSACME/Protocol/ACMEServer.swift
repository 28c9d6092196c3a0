import MailTLS

/// Which ACME server to talk to, and how to trust its HTTPS certificate.
public struct ACMEServer: Sendable, Equatable, Codable {
    public static let letsEncrypt = "https://acme-v02.api.letsencrypt.org/directory"
    public static let letsEncryptStaging = "https://acme-staging-v02.api.letsencrypt.org/directory"

    /// The directory URL (RFC 8555 §7.1.1).
    public var directory: String
    /// A PEM bundle to trust instead of the system's CAs, for a private ACME server.
    public var caBundle: String?

    public init(directory: String = ACMEServer.letsEncrypt, caBundle: String? = nil) {
        self.directory = directory
        self.caBundle = caBundle
    }

    /// The host of the directory URL, for messages.
    public var host: String {
        var rest = Substring(directory)
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        return String(rest.prefix { $0 != "/" })
    }

    /// Reads `caBundle` now, so a wrong path is reported before anything is made or sent.
    public func checked() throws -> ACMEServer {
        if let caBundle, try MaterialFile.load(caBundle).certificates.isEmpty {
            throw MailTLSError(caBundle, "holds no certificate", remedy: "give --ca-bundle the PEM file of the CA that signed the ACME server's HTTPS certificate")
        }
        return self
    }
}
