/// Which certificates a probe trusts, from `--ca`, `--capath` and `--system`: the one given,
/// else the system bundle when this machine has one, else none (the verdict is then NO,
/// "no trust given", rather than a FAIL against an empty store).
public enum ProbeTrustChoice {
    /// Debian's bundle of the system's trusted CAs (update-ca-certificates writes it).
    public static let systemBundlePath = "/etc/ssl/certs/ca-certificates.crt"

    /// At most one of the three is given (the CLI's validate() refuses more). A `caFile` must
    /// hold a certificate and a `caDirectory` must be a directory, checked now so a typo is
    /// reported before any connection.
    public static func trust(caFile: String?, caDirectory: String?, system: Bool) throws -> ProbeOptions.Trust {
        if let caFile {
            _ = try MaterialFile.load(caFile).firstCertificate()
            return .file(caFile)
        }
        if let caDirectory {
            guard FileReading.isDirectory(caDirectory) else {
                throw MailTLSError(caDirectory, "is not a directory", remedy: "give a CA directory such as /etc/ssl/certs")
            }
            return .directory(caDirectory)
        }
        if system { return .file(systemBundlePath) }
        return FileReading.exists(systemBundlePath) ? .file(systemBundlePath) : .none
    }
}
