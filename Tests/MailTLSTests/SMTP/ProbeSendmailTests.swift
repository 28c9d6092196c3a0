import Foundation
import Testing
@testable import MailTLS

/// `probe` against a real Sendmail started on certificates from `mailtls setup`: OK with the
/// right trust and name, FAIL with a wrong name or CA, and the TLS version we report equals
/// what `openssl s_client -starttls smtp -brief` says. (The cipher may differ: BoringSSL's
/// client prefers AES-128 in TLS 1.3 where OpenSSL's prefers AES-256; we compare it only with
/// a cipher forced by Sendmail's config.)
@Suite("probe vs real Sendmail", .serialized,
       .enabled(if: SendmailServer.isInstalled || ProcessInfo.processInfo.environment["MAILTLS_REQUIRE_MTA"] == "1"))
struct ProbeSendmailTests {
    /// `Protocol version: TLSv1.3` and `Ciphersuite: …` from `openssl s_client -brief`.
    static func opensslFacts(port: UInt16, extra: [String] = []) throws -> (version: String?, cipher: String?, text: String) {
        let client = try OpenSSL.run(["s_client", "-starttls", "smtp", "-connect", "127.0.0.1:\(port)", "-brief"] + extra, input: "QUIT\r\n")
        let text = client.stdout + client.stderr
        func value(_ label: String) -> String? {
            text.components(separatedBy: "\n").first { $0.hasPrefix(label) }.map { String($0.dropFirst(label.count)).trimmingCharacters(in: .whitespaces) }
        }
        return (value("Protocol version:"), value("Ciphersuite:"), text)
    }

    @Test("OK with the right CA and name, FAIL with a wrong name or CA, same TLS version as openssl")
    func verdicts() async throws {
        let root = try SafeDirectory.make()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let certs = root + "/certs"
        let setup = try MailTLSBinary.run(["setup", "--dir", certs, "--host", "mail.example.org"])
        try #require(setup.status == 0, "\(setup.stderr)")
        let server = try SendmailServer(directory: root, certs: certs)
        try server.start()
        defer { server.stop() }

        let trust = ProbeOptions.Trust.file(certs + "/cacert.pem")
        let ok = await Prober.probe(ProbeOptions(host: "127.0.0.1", port: Int(server.port), ehloName: "probe.example",
                                                 serverName: "mail.example.org", trust: trust, timeout: 10))
        #expect(ok.verdict == .ok, "\(ok.reason)")
        #expect(ok.banner.first?.contains("Sendmail") == true, "\(ok.banner)")
        #expect(ok.capabilitiesBefore.contains("STARTTLS"), "\(ok.capabilitiesBefore)")
        #expect(ok.startTLSOfferedAfterTLS == false, "\(ok.capabilitiesAfter ?? [])")
        let fingerprint = try OpenSSL.expectSuccess(["x509", "-in", certs + "/host.cert", "-noout", "-fingerprint", "-sha256"])
        #expect(fingerprint.uppercased().contains(ok.chain.first?.sha256.uppercased() ?? "?"), "\(ok.chain)")

        let wrongName = await Prober.probe(ProbeOptions(host: "127.0.0.1", port: Int(server.port), serverName: "other.example.org", trust: trust, timeout: 10))
        #expect(wrongName.verdict == .fail, "\(wrongName.reason)")
        #expect(wrongName.reason.contains("other.example.org"), "\(wrongName.reason)")

        let otherCA = await Prober.probe(ProbeOptions(host: "127.0.0.1", port: Int(server.port), serverName: "mail.example.org",
                                                      trust: .file(try ProbeCertificates.path("root.pem")), timeout: 10))
        #expect(otherCA.verdict == .fail, "\(otherCA.reason)")

        let cli = try MailTLSBinary.run(["probe", "127.0.0.1:\(server.port)", "--ca", certs + "/cacert.pem", "--servername", "mail.example.org", "--json"])
        #expect(cli.status == 0, "\(cli.stdout)\(cli.stderr)")

        let openssl = try Self.opensslFacts(port: server.port)
        try #require(openssl.version != nil, "\(openssl.text)")
        #expect(ok.tlsVersion == openssl.version, "probe \(ok.tlsVersion ?? "nil") vs openssl \(openssl.version ?? "nil")")
        // Recorded, not compared: the client's preference picks the TLS 1.3 suite.
        print("sendmail TLS: probe \(ok.tlsVersion ?? "-") \(ok.cipher ?? "-") \(ok.group ?? "-"); openssl \(openssl.version ?? "-") \(openssl.cipher ?? "-")")
    }

    @Test("with TLS 1.2 and one cipher forced by Sendmail's config, probe and openssl report the same version and cipher")
    func forcedCipher() async throws {
        let root = try SafeDirectory.make()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let certs = root + "/certs"
        try #require(try MailTLSBinary.run(["setup", "--dir", certs, "--host", "mail.example.org"]).status == 0)
        // Sendmail 8.15+: ServerSSLOptions; confCIPHER_LIST for TLS <= 1.2 suites.
        let server = try SendmailServer(directory: root, certs: certs, extraDefines: [
            "define(`confCIPHER_LIST', `ECDHE-RSA-AES256-GCM-SHA384')dnl",
            "define(`confSERVER_SSL_OPTIONS', `+SSL_OP_NO_TLSv1_3')dnl",
        ])
        try server.start()
        defer { server.stop() }
        let report = await Prober.probe(ProbeOptions(host: "127.0.0.1", port: Int(server.port), serverName: "mail.example.org",
                                                     trust: .file(certs + "/cacert.pem"), timeout: 10))
        let openssl = try Self.opensslFacts(port: server.port)
        #expect(report.verdict == .ok, "\(report.reason)")
        #expect(openssl.version == "TLSv1.2", "the config should force TLS 1.2: \(openssl.text)")
        #expect(report.tlsVersion == openssl.version, "probe \(report.tlsVersion ?? "nil") vs openssl \(openssl.version ?? "nil")")
        #expect(report.cipher == openssl.cipher, "probe \(report.cipher ?? "nil") vs openssl \(openssl.cipher ?? "nil")")
    }
}
