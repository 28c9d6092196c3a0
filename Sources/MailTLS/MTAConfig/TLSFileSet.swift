/// The TLS files an MTA uses and the settings that change how it judges them: what `check`
/// examines, read from the MTA's configuration or from a certs directory's layout.
public struct TLSFileSet: Sendable, Equatable, Codable {
    public enum MTA: String, Sendable, Codable, CaseIterable { case sendmail, postfix }

    public var mta: MTA
    /// Where these settings came from: a config file, or `certs directory D`.
    public var source: String
    public var serverCertificate: String?
    public var serverKey: String?
    public var clientCertificate: String?
    public var clientKey: String?
    public var caFile: String?
    public var caPath: String?
    public var crlFile: String?
    /// Sendmail's `DontBlameSendmail=GroupReadableKeyFile` (the MSP's submit.cf needs it).
    public var groupReadableKeyAllowed = false
    /// Users besides root that may own the files (Sendmail's TrustedUser and RunAsUser).
    public var trustedUsers: [String] = []
    /// The MTA's own idea of its name (`$j`, `myhostname`), when configured.
    public var hostName: String?

    public init(mta: MTA, source: String) {
        self.mta = mta
        self.source = source
    }

    /// The layout `mailtls setup` makes: host.key/host.cert for server and client, cacert.pem
    /// and CA/ when they exist.
    public static func certsDirectory(_ layout: CertsLayout, mta: MTA = .sendmail) -> TLSFileSet {
        var files = TLSFileSet(mta: mta, source: "certs directory \(layout.directory)")
        files.serverCertificate = layout.certificatePath
        files.serverKey = layout.keyPath
        files.clientCertificate = layout.certificatePath
        files.clientKey = layout.keyPath
        files.caFile = layout.caBundlePath
        if FileReading.isDirectory(layout.caDirectoryPath) { files.caPath = layout.caDirectoryPath }
        let crl = Paths.join(layout.directory, "ca.crl")
        if FileReading.exists(crl) { files.crlFile = crl }
        return files
    }
}
