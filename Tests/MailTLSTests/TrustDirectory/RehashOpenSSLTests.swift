import Foundation
import Testing
@testable import MailTLS

/// `rehash` makes the same links as `openssl rehash` on the same directory.
@Suite struct RehashOpenSSLTests {
    /// Rehashes a copy of `files` with mailtls and another with openssl; returns both link sets.
    func bothLinkSets(_ files: [String], hashes: RehashOptions.Hashes) throws -> (ours: [String: String], openssl: [String: String], outcome: Rehash.Outcome) {
        let ours = TempDirectory("rehash-ours"), theirs = TempDirectory("rehash-openssl")
        try TrustFixtures.copy(files, into: ours)
        try TrustFixtures.copy(files, into: theirs)
        let outcome = try Rehash.run(ours.path, options: RehashOptions(hashes: hashes, now: TrustFixtures.options.now), dryRun: false)
        let flag: [String] = hashes == .new ? [] : hashes == .old ? ["-old"] : ["-compat"]
        try OpenSSL.run(["rehash"] + flag + [theirs.path])
        return (TrustFixtures.links(ours.path), TrustFixtures.links(theirs.path), outcome)
    }

    @Test(arguments: [RehashOptions.Hashes.new, .old, .both])
    func vectorsDirectoryLinksMatchOpenSSL(_ hashes: RehashOptions.Hashes) throws {
        let (ours, openssl, outcome) = try bothLinkSets(TrustFixtures.tricky + TrustFixtures.cabundle, hashes: hashes)
        #expect(openssl.count == (hashes == .both ? 2 : 1) * 174)
        #expect(ours == openssl)
        #expect(outcome.plan.certificateCount == 174)
        #expect(!outcome.findings.contains { $0.severity == .error })
    }

    @Test func equalSubjectsAreNumberedInFileOrder() throws {
        // c01...c05 are five spellings of one name (hash 5e24647f): .0 to .4 in byte order.
        let (ours, openssl, _) = try bothLinkSets(Array(TrustFixtures.tricky.prefix(5)), hashes: .new)
        #expect(ours == openssl)
        #expect(ours["5e24647f.0"] == "c01.pem" && ours["5e24647f.4"] == "c05.pem")
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/etc/ssl/certs")))
    func systemCertificateDirectoryLinksMatchOpenSSL() throws {
        // The real files of /etc/ssl/certs (Debian's are symlinks into /usr/share: copied
        // dereferenced), without its hash links, and its bundle ca-certificates.crt.
        let dir = "/etc/ssl/certs"
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).sorted().filter { name in
            HashLinkName(parsing: name) == nil && !FileReading.isDirectory(dir + "/" + name) && FileManager.default.isReadableFile(atPath: dir + "/" + name)
        }
        try #require(names.count > 10)
        let ours = TempDirectory("rehash-etc-ours"), theirs = TempDirectory("rehash-etc-openssl")
        for name in names {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name).resolvingSymlinksInPath())
            try bytes.write(to: URL(fileURLWithPath: ours.file(name)))
            try bytes.write(to: URL(fileURLWithPath: theirs.file(name)))
        }
        let outcome = try Rehash.run(ours.path, options: TrustFixtures.options, dryRun: false)
        try OpenSSL.run(["rehash", theirs.path])
        let openssl = TrustFixtures.links(theirs.path)
        #expect(openssl.count > 10)
        #expect(TrustFixtures.links(ours.path) == openssl)
        if names.contains("ca-certificates.crt") {
            // OpenSSL skips the bundle with a warning; mailtls says what to do.
            #expect(outcome.findings.contains { $0.severity == .error && ($0.subject ?? "").hasSuffix("ca-certificates.crt") && ($0.fix ?? "").contains("bundle split") })
        }
    }

    @Test func crlGetsAnRLinkLikeOpenSSL() throws {
        let dir = TempDirectory("rehash-crl")
        try OpenSSL.expectSuccess(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                   "-keyout", "ca.key", "-out", "ca.pem", "-subj", "/O=Example/CN=CRL Test CA", "-days", "30"], in: dir.path)
        try dir.write("index.txt", "")
        try dir.write("crlnumber", "01\n")
        try dir.write("ca.cnf", "[ca]\ndefault_ca = d\n[d]\ndatabase = index.txt\ncrlnumber = crlnumber\ndefault_md = sha256\ndefault_crl_days = 30\n")
        try OpenSSL.expectSuccess(["ca", "-gencrl", "-config", "ca.cnf", "-keyfile", "ca.key", "-cert", "ca.pem", "-out", "ca.crl"], in: dir.path)
        let (ours, openssl, outcome) = try bothLinkSets([dir.file("ca.pem"), dir.file("ca.crl")], hashes: .both)
        let hash = try OpenSSL.expectSuccess(["x509", "-hash", "-noout", "-in", dir.file("ca.pem")]).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(ours == openssl)
        #expect(ours[hash + ".0"] == "ca.pem")
        #expect(ours[hash + ".r0"] == "ca.crl")
        #expect(outcome.plan.crlCount == 1)
        // `mailtls hash` gives a CRL's issuer hash, as `openssl crl -hash` does.
        let crlHash = try OpenSSL.expectSuccess(["crl", "-hash", "-noout", "-in", dir.file("ca.crl")])
        #expect(try MailTLSBinary.run(["hash", dir.file("ca.crl")]).stdout == crlHash)
        #expect(crlHash == hash + "\n")
    }
}
