import Testing
import Foundation
@testable import MailTLS

/// `mailtls setup`, the README's first command, through the real executable.
@Suite("Setup end to end")
struct SetupTests {
    @Test("makes a key and a certificate openssl accepts, prints the MTA lines, and is idempotent")
    func firstRunAndAgain() throws {
        let dir = TempDirectory()
        let first = try MailTLSBinary.run(["setup", "--host", "mail.example.org"], in: dir.path)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("wrote key: certs/host.key"))
        #expect(first.stdout.contains("wrote certificate: certs/host.cert"))
        // The config lines name absolute paths (the MTA does not run in this directory).
        let certs = URL(fileURLWithPath: dir.path).resolvingSymlinksInPath().path + "/certs"
        #expect(first.stdout.contains("define(`confSERVER_CERT', `\(certs)/host.cert')dnl") || first.stdout.contains("define(`confSERVER_CERT', `\(dir.path)/certs/host.cert')dnl"))
        #expect(first.stdout.contains("smtpd_tls_chain_files = "))
        // CA/ holds the system's CA certificates with their hash links, and check ran.
        let caFiles = dir.listing(of: "certs/CA")
        #expect(caFiles.contains { $0.hasSuffix(".0") } && caFiles.filter { $0.hasSuffix(".pem") || $0.hasSuffix(".crt") }.count > 50)
        #expect(first.stdout.contains("\ncheck:\n"))
        #expect(dir.mode("certs/host.key") == 0o600 && dir.mode("certs/host.cert") == 0o644)
        #expect(try dir.bytes("certs/cacert.pem") == dir.bytes("certs/host.cert"), "self-signed: cacert.pem trusts the host itself")

        let cert = dir.file("certs/host.cert")
        try OpenSSL.expectSuccess(["verify", "-CAfile", cert, "-purpose", "sslserver", cert])
        let names = try OpenSSL.expectSuccess(["x509", "-in", cert, "-noout", "-subject", "-ext", "subjectAltName"])
        #expect(names.contains("subject=CN = mail.example.org") && names.contains("DNS:mail.example.org"))
        let fingerprint = try OpenSSL.expectSuccess(["x509", "-in", cert, "-noout", "-fingerprint", "-sha256"])
        #expect(first.stdout.contains(fingerprint))
        // The TLSA line is the SHA-256 of the key's SPKI, as openssl computes it.
        try OpenSSL.expectSuccess(["pkey", "-in", dir.file("certs/host.key"), "-pubout", "-outform", "DER", "-out", dir.file("pub.der")])
        let spki = try OpenSSL.expectSuccess(["dgst", "-sha256", "-r", dir.file("pub.der")]).prefix(64)
        #expect(first.stdout.contains("_25._tcp.mail.example.org. IN TLSA 3 1 1 \(spki)"))

        let before = try [dir.bytes("certs/host.key"), dir.bytes("certs/host.cert")]
        let second = try MailTLSBinary.run(["setup", "--host", "mail.example.org"], in: dir.path)
        #expect(second.status == 0)
        #expect(second.stdout.contains("kept: certs/host.key") && second.stdout.contains("kept: certs/host.cert"))
        #expect(second.stdout.contains("nothing changed"))
        #expect(try [dir.bytes("certs/host.key"), dir.bytes("certs/host.cert")] == before)
    }

    @Test("--ca makes a CA and a certificate it signed, with chain files and cacert.pem = the CA")
    func withCA() throws {
        let dir = TempDirectory()
        let result = try MailTLSBinary.run(["setup", "--ca", "--host", "mail.example.org"], in: dir.path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try dir.bytes("certs/cacert.pem") == dir.bytes("ca/ca.cert"))
        try OpenSSL.expectSuccess(["verify", "-CAfile", dir.file("certs/cacert.pem"), "-purpose", "sslserver",
                                   "-verify_hostname", "mail.example.org", dir.file("certs/host.cert")])
        #expect(result.stdout.contains("smtpd_tls_chain_files = \(dir.path)/certs/host.key, \(dir.path)/certs/fullchain.pem")
                || result.stdout.contains("/certs/fullchain.pem"))
        let index = try CAIndex.load(CALayout(directory: dir.file("ca")))
        #expect(index.entries.map(\.subject) == ["CN = mail.example.org"])
        let again = try MailTLSBinary.run(["setup", "--ca", "--host", "mail.example.org"], in: dir.path)
        let entriesAfter = try CAIndex.load(CALayout(directory: dir.file("ca"))).entries.count
        #expect(again.status == 0 && entriesAfter == 1)
    }

    @Test("refuses a certificate that does not match the key, changing nothing")
    func mismatch() throws {
        let dir = TempDirectory()
        #expect(try MailTLSBinary.run(["setup", "--dir", "d", "--host", "a.example"], in: dir.path).status == 0)
        try FileManager.default.removeItem(atPath: dir.file("d/host.key"))
        #expect(try MailTLSBinary.run(["rsa", "--dir", "d", "--algorithm", "ecdsa-p256"], in: dir.path).status == 0)
        let before = dir.snapshot()
        let result = try MailTLSBinary.run(["setup", "--dir", "d", "--host", "a.example"], in: dir.path)
        #expect(result.status == 1)
        #expect(result.stderr == "mailtls: d/host.cert: does not match d/host.key (make a matching certificate with mailtls self --force, or restore the key it was made for)\n")
        #expect(dir.snapshot() == before)
    }

    @Test("show --json reports the facts of a certificate")
    func showJSON() throws {
        let dir = TempDirectory()
        #expect(try MailTLSBinary.run(["self", "--subject", "/CN=mail.example.org", "--days", "10", "--algorithm", "ed25519"], in: dir.path).status == 0)
        let result = try MailTLSBinary.run(["show", "--json"], in: dir.path)
        #expect(result.status == 0)
        let parsed = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [[String: Any]]
        #expect(parsed.count == 1)
        #expect(parsed[0]["kind"] as? String == "certificate")
        #expect(parsed[0]["key"] as? String == "Ed25519")
        #expect(parsed[0]["altNames"] as? [String] == ["DNS:mail.example.org"])
        #expect(parsed[0]["selfSigned"] as? Bool == true)
        #expect(parsed[0]["daysLeft"] as? Int == 9)
        let sha1 = try OpenSSL.expectSuccess(["x509", "-in", dir.file("host.cert"), "-noout", "-fingerprint", "-sha1"])
        #expect("sha1 Fingerprint=" + (parsed[0]["sha1"] as! String) + "\n" == sha1)
    }
}
