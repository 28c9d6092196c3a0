extension CertificateAuthority {
    /// Every operation that changes the CA (sign, renew, revoke, a new CRL, `setup --ca`) runs
    /// the same way: take the CA directory's lock, open the CA (key, certificate, index, read
    /// under the lock so no other run's change is lost), work, release the lock. Two runs at
    /// once (cron and an admin) then never write the index or pick a serial from the same
    /// state; the second fails at once with a message naming the directory.
    @discardableResult
    public static func changing<Result>(_ layout: CALayout, _ body: (inout CertificateAuthority) throws -> Result) throws -> Result {
        let lock = try DirectoryLock(layout.directory)
        defer { lock.release() }
        var ca = try CertificateAuthority.open(layout)
        return try body(&ca)
    }
}
