import MailTLS

/// Every CA command that changes the CA runs the same way: take the CA directory's lock,
/// open the CA (key, certificate, index), work, release the lock.
enum CAOperation {
    static func run<Result>(_ location: CADirectoryOption, _ body: (inout CertificateAuthority) throws -> Result) throws -> Result {
        let lock = try DirectoryLock(location.dir)
        defer { lock.release() }
        var ca = try CertificateAuthority.open(location.layout)
        return try body(&ca)
    }
}
