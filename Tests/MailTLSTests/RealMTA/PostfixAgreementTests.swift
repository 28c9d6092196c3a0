import Foundation
import Testing
@testable import MailTLS

/// mailtls against a real Postfix 3.7 (see `PostfixServer`), with a private CA and a host
/// certificate it signed, made by `mailtls setup --ca`:
/// - `mailtls probe` against Postfix's smtpd: OK with that CA, FAIL with another CA of the same
///   name or a wrong name; the TLS version, cipher and group it reports equal what
///   `openssl s_client -starttls smtp -brief` reports and what Postfix logs for each session.
/// - `posttls-finger` against `mailtls serve`: it sees the chain mailtls made (subjects, the
///   certificate and public-key digests `mailtls fingerprint` prints) and verifies it with the
///   CA (secure level) or by the fingerprint mailtls prints (fingerprint level).
/// - `mailtls config postfix --apply` on a main.cf without TLS makes Postfix offer STARTTLS.
@Suite("Real Postfix: probe, posttls-finger, config", .serialized, .enabled(if: PostfixServer.shouldRun))
struct PostfixAgreementTests {
    static let host = "mail.example.org"

    /// A SafeDirectory with `certs/` from `mailtls setup --ca` (CA in `ca/`), and `other-ca/`:
    /// a second CA with the same subject and another key.
    static func makeMaterial() throws -> (root: String, certs: String) {
        guard PostfixServer.isInstalled else {
            throw HarnessError("Postfix is not unpacked in \(PostfixServer.root) or the postfix user/postdrop group is missing (scripts/test sets both up)")
        }
        let root = try SafeDirectory.make()
        let certs = root + "/certs"
        let setup = try MailTLSBinary.run(["setup", "--dir", certs, "--host", host, "--ca", "--ca-dir", root + "/ca"], in: root)
        try #require(setup.status == 0, "\(setup.stderr)")
        // The subject `setup --ca` gives its CA (/O=<domain>/CN=<domain> Mail CA), with another key.
        let other = try MailTLSBinary.run(["ca", "init", "--dir", root + "/other-ca", "--subject", "/O=example.org/CN=example.org Mail CA",
                                           "--algorithm", "ecdsa-p384"], in: root)
        try #require(other.status == 0, "\(other.stderr)")
        return (root, certs)
    }

    /// `mailtls probe --json` and its parsed report.
    static func probe(port: UInt16, trust: String, name: String = host) throws -> (status: Int32, report: ProbeReport, text: String) {
        let result = try MailTLSBinary.run(["probe", "127.0.0.1:\(port)", "--ca", trust, "--servername", name, "--ehlo", "probe.example.org", "--json", "--timeout", "10"])
        let report = try JSONDecoder().decode(ProbeReport.self, from: Data(result.stdout.utf8))
        return (result.status, report, result.stdout + result.stderr)
    }

    /// The sha256 fingerprint mailtls prints for a certificate, or the public-key fingerprint
    /// for a key, as XX:XX:… (Postfix prints its digests in the same form).
    static func fingerprint(_ file: String) throws -> String {
        let result = try MailTLSBinary.run(["fingerprint", file])
        try #require(result.status == 0, "\(result.stderr)")
        let line = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("sha256 ") }, "\(result.stdout)")
        return String(line.split(separator: "=").last ?? "")
    }

    /// Waits (Postfix logs through postlogd) for a line of the server's log containing `text`.
    static func waitForLog(_ server: PostfixServer, _ text: String, timeout: Double = 5) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if server.log.contains(text) { return true }
            usleep(50_000)
        }
        return server.log.contains(text)
    }

    @Test("probe: OK with the mailtls CA, FAIL with another CA of the same name or a wrong name; version, cipher, group and chain agree with openssl and Postfix's log")
    func probeVerdicts() throws {
        let (root, certs) = try Self.makeMaterial()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let server = try PostfixServer(directory: root, certs: certs)
        try server.start()
        defer { server.stop() }

        let ok = try Self.probe(port: server.port, trust: certs + "/cacert.pem")
        #expect(ok.status == 0, "\(ok.text)")
        #expect(ok.report.verdict == .ok, "\(ok.report.reason)")
        #expect(ok.report.banner.first?.contains("ESMTP Postfix") == true, "\(ok.report.banner)")
        #expect(ok.report.capabilitiesBefore.contains("STARTTLS"), "\(ok.report.capabilitiesBefore)")
        #expect(ok.report.startTLSOfferedAfterTLS == false, "\(ok.report.capabilitiesAfter ?? [])")
        // Postfix serves the full chain `mailtls config postfix` names: host certificate, then the CA.
        #expect(ok.report.chain.map(\.sha256) == [try Self.fingerprint(certs + "/host.cert"), try Self.fingerprint(root + "/ca/ca.cert")],
                "\(ok.report.chain)")

        let otherCA = try Self.probe(port: server.port, trust: root + "/other-ca/ca.cert")
        #expect(otherCA.status == 3, "\(otherCA.text)")
        #expect(otherCA.report.verdict == .fail, "a CA with the same name but another key: \(otherCA.report.reason)")

        let wrongName = try Self.probe(port: server.port, trust: certs + "/cacert.pem", name: "other.example.org")
        #expect(wrongName.status == 3, "\(wrongName.text)")
        #expect(wrongName.report.verdict == .fail, "\(wrongName.report.reason)")
        #expect(wrongName.report.reason.contains("other.example.org"), "\(wrongName.report.reason)")

        // The same server, asked by openssl. The version and group agree; the TLS 1.3 suite is
        // the client's choice here (Postfix keeps the client's order), and BoringSSL prefers
        // AES-128 where OpenSSL prefers AES-256 — so each client's suite is checked against
        // what Postfix logged for that client's session instead.
        let openssl = try ProbeSendmailTests.opensslFacts(port: server.port, extra: ["-CAfile", certs + "/cacert.pem", "-verify_hostname", Self.host])
        #expect(openssl.text.contains("Verification: OK"), "\(openssl.text)")
        let version = try #require(openssl.version, "\(openssl.text)")
        #expect(ok.report.tlsVersion == version, "probe \(ok.report.tlsVersion ?? "nil") vs openssl \(version)")
        if let temp = openssl.text.components(separatedBy: "\n").first(where: { $0.hasPrefix("Server Temp Key: ") }) {
            let group = temp.dropFirst("Server Temp Key: ".count).split(separator: ",").first.map(String.init)
            #expect(ok.report.group == group, "probe \(ok.report.group ?? "nil") vs openssl \(temp)")
        }
        let probeCipher = try #require(ok.report.cipher, "\(ok.text)")
        let opensslCipher = try #require(openssl.cipher, "\(openssl.text)")
        #expect(Self.waitForLog(server, "TLS connection established from localhost[127.0.0.1]: \(version) with cipher \(probeCipher) ("),
                "Postfix should log the suite probe reported (\(probeCipher)): \(server.log)")
        #expect(Self.waitForLog(server, "TLS connection established from localhost[127.0.0.1]: \(version) with cipher \(opensslCipher) ("),
                "Postfix should log the suite openssl reported (\(opensslCipher)): \(server.log)")
    }

    struct CipherCase: Sendable, CustomTestStringConvertible {
        var name: String
        var settings: [String]
        var version: String
        var cipher: String?
        var testDescription: String { name }
    }

    static let cipherCases: [CipherCase] = [
        CipherCase(name: "TLS 1.3, the server's order (tls_preempt_cipherlist)", settings: ["tls_preempt_cipherlist = yes"], version: "TLSv1.3"),
        CipherCase(name: "TLS 1.2, the server's order", settings: ["smtpd_tls_protocols = >=TLSv1.2, <=TLSv1.2", "tls_preempt_cipherlist = yes"],
                   version: "TLSv1.2"),
        CipherCase(name: "TLS 1.2, only ECDHE-RSA-CHACHA20-POLY1305",
                   settings: ["smtpd_tls_protocols = >=TLSv1.2, <=TLSv1.2", "smtpd_tls_ciphers = high", "tls_high_cipherlist = ECDHE-RSA-CHACHA20-POLY1305"],
                   version: "TLSv1.2", cipher: "ECDHE-RSA-CHACHA20-POLY1305"),
    ]

    @Test("when Postfix's settings choose the suite, probe and openssl report the same version and cipher", arguments: cipherCases)
    func serverChosenCipher(_ testCase: CipherCase) throws {
        let (root, certs) = try Self.makeMaterial()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let server = try PostfixServer(directory: root, certs: certs, extra: testCase.settings)
        try server.start()
        defer { server.stop() }
        let probe = try Self.probe(port: server.port, trust: certs + "/cacert.pem")
        let openssl = try ProbeSendmailTests.opensslFacts(port: server.port)
        #expect(probe.report.verdict == .ok, "\(probe.report.reason)")
        #expect(openssl.version == testCase.version, "\(openssl.text)")
        #expect(probe.report.tlsVersion == openssl.version, "probe \(probe.report.tlsVersion ?? "nil") vs openssl \(openssl.version ?? "nil")")
        #expect(probe.report.cipher != nil && probe.report.cipher == openssl.cipher, "probe \(probe.report.cipher ?? "nil") vs openssl \(openssl.cipher ?? "nil")")
        if let cipher = testCase.cipher {
            #expect(probe.report.cipher == cipher, "\(probe.text)")
        }
        if let cipher = probe.report.cipher {
            #expect(Self.waitForLog(server, ": \(testCase.version) with cipher \(cipher) ("), "\(server.log)")
        }
    }

    @Test("posttls-finger sees the chain mailtls made behind mailtls serve: Verified with the CA or the fingerprint mailtls prints, not with another CA, name or pin")
    func fingerServe() throws {
        let (root, certs) = try Self.makeMaterial()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let serve = try ServeProcess(["--dir", certs, "--hostname", Self.host], in: root)
        defer { serve.stop() }
        let hostDigest = try Self.fingerprint(certs + "/host.cert")
        let keyDigest = try Self.fingerprint(certs + "/host.key")
        let caDigest = try Self.fingerprint(root + "/ca/ca.cert")

        // -C prints the chain; -l secure with the CA file and the name to match.
        let secure = try PostfixServer.finger(port: serve.port, ["-c", "-C", "-l", "secure", "-F", certs + "/cacert.pem"], match: [Self.host], in: root)
        #expect(secure.status == 0, "\(secure.stdout)")
        let established = secure.stdout.components(separatedBy: "\n").first { $0.contains("TLS connection established to") } ?? ""
        #expect(established.contains("Verified TLS connection established to 127.0.0.1[127.0.0.1]:\(serve.port): TLSv1"), "\(secure.stdout)")
        #expect(secure.stdout.contains("subject_CN=\(Self.host), issuer_CN=example.org Mail CA, fingerprint=\(hostDigest), pkey_fingerprint=\(keyDigest)"),
                "\(secure.stdout)")
        let chain = secure.stdout.components(separatedBy: "Certificate chain").last ?? ""
        let expected = [
            " 0 subject: /CN=\(Self.host)", "    issuer: /O=example.org/CN=example.org Mail CA", "   cert digest=\(hostDigest)", "   pkey digest=\(keyDigest)",
            " 1 subject: /O=example.org/CN=example.org Mail CA", "    issuer: /O=example.org/CN=example.org Mail CA", "   cert digest=\(caDigest)",
        ]
        for line in expected { #expect(chain.contains(line + "\n"), "posttls-finger -C lacks \(line): \(chain)") }
        // The session mailtls serve logged has the version and cipher posttls-finger reported.
        if let range = established.range(of: #"TLSv1\.[0-9] with cipher \S+"#, options: .regularExpression) {
            let parts = established[range].components(separatedBy: " with cipher ")
            #expect(serve.waitForLog("\(parts[0]) \(parts[1]) verify=NOT"), "\(serve.log)")
        } else {
            Issue.record("no version and cipher in: \(established)")
        }

        let otherCA = try PostfixServer.finger(port: serve.port, ["-c", "-l", "secure", "-F", root + "/other-ca/ca.cert"], match: [Self.host], in: root)
        #expect(otherCA.stdout.contains("Untrusted TLS connection established"), "\(otherCA.stdout)")
        #expect(otherCA.stdout.contains("certificate verification failed") && otherCA.stdout.contains("untrusted issuer"), "\(otherCA.stdout)")

        let otherName = try PostfixServer.finger(port: serve.port, ["-c", "-l", "secure", "-F", certs + "/cacert.pem"], match: ["other.example.org"], in: root)
        #expect(!otherName.stdout.contains("Verified TLS connection"), "\(otherName.stdout)")
        #expect(otherName.stdout.contains("hostname mismatch"), "\(otherName.stdout)")

        // Fingerprint level (smtp_tls_fingerprint_cert_match): the digests `mailtls fingerprint`
        // prints for the certificate and for the key are pins Postfix accepts; the CA's is not.
        for (label, pin, verified) in [("certificate", hostDigest, true), ("public key", keyDigest, true), ("the CA's certificate", caDigest, false)] {
            let pinned = try PostfixServer.finger(port: serve.port, ["-c", "-l", "fingerprint", "-d", "sha256"], match: [pin], in: root)
            #expect(pinned.stdout.contains("Verified TLS connection established") == verified, "\(label) pin \(pin): \(pinned.stdout)")
        }
    }

    @Test("a main.cf without TLS: no STARTTLS; after mailtls config postfix --apply, Postfix offers it, probe says OK, check finds no error")
    func configApply() throws {
        let (root, certs) = try Self.makeMaterial()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let server = try PostfixServer(directory: root, certs: nil)
        try server.start()
        #expect(try !server.offersSTARTTLS(), "no TLS settings, no STARTTLS")
        server.stop()
        let applied = try MailTLSBinary.run(["config", "postfix", "--dir", certs, "--apply", server.mainCF])
        #expect(applied.status == 0, "\(applied.stderr)")
        try server.start()
        defer { server.stop() }
        #expect(try server.offersSTARTTLS(), "\(server.log)")
        let probe = try Self.probe(port: server.port, trust: certs + "/cacert.pem")
        #expect(probe.report.verdict == .ok, "\(probe.report.reason)")
        let check = try MailTLSBinary.run(["check", "--mta", "postfix", "--config", server.mainCF, "--host", Self.host])
        #expect(check.status != 1, "\(check.stdout)")
    }
}
