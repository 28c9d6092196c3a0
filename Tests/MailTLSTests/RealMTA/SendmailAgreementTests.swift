import Foundation
import Testing
@testable import MailTLS

/// What `mailtls check` calls good, a real Sendmail starts TLS with; what it calls unsafe,
/// Sendmail refuses too — observable as STARTTLS missing from its EHLO reply (Sendmail
/// starts either way and only logs the reason). Each case runs a real sendmail.
@Suite("Real Sendmail agrees with check", .serialized,
       .enabled(if: SendmailServer.isInstalled || ProcessInfo.processInfo.environment["MAILTLS_REQUIRE_MTA"] == "1"))
struct SendmailAgreementTests {
    /// A break to apply to a fresh `mailtls setup` directory, and what check must say.
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var rule: String?
        var damage: @Sendable (String) throws -> Void
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "fresh setup", rule: nil, damage: { _ in }),
        Case(name: "key group-readable (0640)", rule: "file-safety", damage: { chmod($0 + "/host.key", 0o640) }),
        Case(name: "key world-readable (0604)", rule: "file-safety", damage: { chmod($0 + "/host.key", 0o604) }),
        Case(name: "certificate group-writable (0664)", rule: "file-safety", damage: { chmod($0 + "/host.cert", 0o664) }),
        Case(name: "directory group-writable (0775)", rule: "file-safety", damage: { chmod($0, 0o775) }),
        Case(name: "key of another certificate", rule: "certificate-matches-key", damage: { certs in
            try FileManager.default.removeItem(atPath: certs + "/host.key")
            let made = try MailTLSBinary.run(["rsa", "--dir", certs])
            if made.status != 0 { throw HarnessError(made.stderr) }
        }),
        Case(name: "key missing", rule: "key-readable", damage: { try FileManager.default.removeItem(atPath: $0 + "/host.key") }),
        Case(name: "cacert.pem missing", rule: "ca-file", damage: { try FileManager.default.removeItem(atPath: $0 + "/cacert.pem") }),
        Case(name: "cacert.pem empty", rule: "ca-file", damage: { try Data().write(to: URL(fileURLWithPath: $0 + "/cacert.pem")) }),
        Case(name: "cacert.pem with a truncated block", rule: "ca-file", damage: { certs in
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: certs + "/cacert.pem"))
            handle.seekToEndOfFile()
            handle.write(Data("-----BEGIN CERTIFICATE-----\nMIIB\n".utf8))
            try handle.close()
        }),
    ]

    @Test("sendmail offers STARTTLS exactly when check finds no error", arguments: cases)
    func agreement(_ testCase: Case) throws {
        let root = try SafeDirectory.make()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let certs = root + "/certs"
        let setup = try MailTLSBinary.run(["setup", "--dir", certs, "--host", "mail.example.org"])
        try #require(setup.status == 0, "\(setup.stderr)")
        try testCase.damage(certs)

        let server = try SendmailServer(directory: root, certs: certs)
        let check = try MailTLSBinary.run(["check", "--config", server.mcPath, "--host", "mail.example.org"])
        try server.start()
        defer { server.stop() }
        let offered = try SMTPClient.offersSTARTTLS(port: server.port)

        if let rule = testCase.rule {
            #expect(!offered, "sendmail should refuse: \(testCase.name)")
            #expect(check.status == 1, "check should find an error: \(check.stdout)")
            #expect(check.stdout.contains("ERROR \(rule)"), "check should name rule \(rule): \(check.stdout)")
        } else {
            #expect(offered, "sendmail should offer STARTTLS on a fresh setup")
            #expect(check.status != 1, "check found an error sendmail does not: \(check.stdout)")
            // And the handshake really completes with the certificate check says is there.
            let client = try OpenSSL.run(["s_client", "-starttls", "smtp", "-connect", "127.0.0.1:\(server.port)", "-brief"], input: "QUIT\r\n")
            #expect(client.stderr.contains("CONNECTION ESTABLISHED") || client.stdout.contains("CONNECTION ESTABLISHED"), "\(client.stderr)")
            let fingerprint = try OpenSSL.expectSuccess(["x509", "-in", certs + "/host.cert", "-noout", "-fingerprint", "-sha256"])
            let served = try OpenSSL.run(["s_client", "-starttls", "smtp", "-connect", "127.0.0.1:\(server.port)", "-showcerts"], input: "QUIT\r\n")
            let servedPEM = served.stdout.components(separatedBy: "-----END CERTIFICATE-----")[0] + "-----END CERTIFICATE-----\n"
            let servedFile = root + "/served.pem"
            try servedPEM.split(separator: "\n").drop { !$0.hasPrefix("-----BEGIN") }.joined(separator: "\n").appending("\n")
                .write(toFile: servedFile, atomically: true, encoding: .utf8)
            #expect(try OpenSSL.expectSuccess(["x509", "-in", servedFile, "-noout", "-fingerprint", "-sha256"]) == fingerprint)
        }
    }

    @Test("a sendmail.mc without TLS, after mailtls config sendmail --apply and a rebuild, offers STARTTLS")
    func configApply() throws {
        let root = try SafeDirectory.make()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let certs = root + "/certs"
        try #require(try MailTLSBinary.run(["setup", "--dir", certs, "--host", "mail.example.org"]).status == 0)
        let server = try SendmailServer(directory: root, certs: certs, tls: false)
        try server.start()
        #expect(try !SMTPClient.offersSTARTTLS(port: server.port), "no TLS defines, no STARTTLS")
        server.stop()
        let applied = try MailTLSBinary.run(["config", "sendmail", "--dir", certs, "--apply", server.mcPath])
        #expect(applied.status == 0, "\(applied.stderr)")
        try server.rebuild()
        try server.start()
        defer { server.stop() }
        #expect(try SMTPClient.offersSTARTTLS(port: server.port))
        let check = try MailTLSBinary.run(["check", "--config", server.mcPath, "--host", "mail.example.org"])
        #expect(check.status == 0, "\(check.stdout)")
    }
}
