import Testing
import Foundation
@testable import MailTLS

/// Each rule on a fixture directory made for it. The directories are made under a path only
/// root can write where possible, so file-safety does not drown the finding under test.
@Suite("check rules")
struct CheckRulesTests {
    /// A `setup` directory with its own CA/ (empty) and hash links, on a safe path.
    func setUp(host: String = "mail.example.org", ca: Bool = false, days: Int = 365) throws -> (root: String, certs: String) {
        let root = try SafeDirectory.make()
        let certs = root + "/certs"
        _ = try Setup.run(.init(directory: certs, hostName: host, key: KeyOptions(algorithm: .ecdsaP256), days: days,
                                caDirectory: ca ? root + "/ca" : nil, systemBundle: nil))
        return (root, certs)
    }

    func check(_ certs: String, host: String = "mail.example.org", now: Date = Date()) async -> CheckReport {
        await Checker.run(TLSFileSet.certsDirectory(CertsLayout(directory: certs)), hostName: host, now: now)
    }

    func findings(_ report: CheckReport, _ rule: String) -> [Finding] { report.findings.filter { $0.rule == rule } }

    @Test("a fresh setup passes with no error and no warning")
    func clean() async throws {
        let (root, certs) = try setUp()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let report = await check(certs)
        #expect(report.worst == .ok, "\(report.findings.filter { $0.severity != .ok })")
        #expect(report.exitStatus == 0)
    }

    @Test("expiry: a warning inside --warn-days, an error once expired")
    func expiry() async throws {
        let (root, certs) = try setUp(days: 10)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let soon = findings(await check(certs), "certificate-validity")
        #expect(soon.map(\.severity) == [.warning] && soon[0].message.hasPrefix("expires in 9 days"))
        let later = await check(certs, now: Date().addingTimeInterval(11 * 86_400))
        #expect(findings(later, "certificate-validity").map(\.severity) == [.error])
        #expect(later.exitStatus == 1)
        #expect(await check(certs).exitStatus == 3, "warnings only exit 3")
    }

    @Test("names: a host the certificate does not name is a warning")
    func names() async throws {
        let (root, certs) = try setUp()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let report = await check(certs, host: "other.example.org")
        let found = findings(report, "certificate-names")
        #expect(found.map(\.severity) == [.warning])
        #expect(found[0].message.contains("does not name other.example.org"))
        #expect(HostNameMatch.matches("mx.example.org", pattern: "*.example.org"))
        #expect(!HostNameMatch.matches("a.mx.example.org", pattern: "*.example.org"))
    }

    @Test("usage: a client-only certificate cannot serve")
    func usage() async throws {
        let root = try SafeDirectory.make()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let caLayout = CALayout(directory: root + "/ca")
        _ = try CAInit.run(caLayout, options: .init(subject: try SubjectParser.parse("/CN=Test CA"), key: KeyOptions(algorithm: .ecdsaP256)))
        let certs = CertsLayout(directory: root + "/certs")
        _ = try RequestWriter.write(certs, subject: try SubjectParser.parse("/CN=mail.example.org"), altNames: SubjectAltNames(),
                                    keyOptions: KeyOptions(algorithm: .ecdsaP256), force: false)
        var ca = try CertificateAuthority.open(caLayout)
        let proposal = try CASigning.propose(ca, requestPath: certs.requestPath, profile: .client, days: 30, output: certs, allowDuplicate: false)
        _ = try CASigning.sign(&ca, proposal, force: false)
        try FileManager.default.copyItem(atPath: caLayout.certificatePath, toPath: certs.caBundlePath)
        let report = await check(certs.directory)
        #expect(findings(report, "certificate-usage").map(\.severity) == [.error])
        #expect(findings(report, "chain").map(\.severity) == [.ok])
    }

    @Test("chain: CA-signed verifies through cacert.pem; self-signed outside the CA file is a warning; a missing issuer is named")
    func chain() async throws {
        let (root, certs) = try setUp(ca: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(findings(await check(certs), "chain").first?.message.contains("verifies to O = example.org, CN = example.org Mail CA") == true)
        // Replace cacert.pem by an unrelated certificate: the issuer cannot be found.
        let other = try SafeDirectory.make()
        defer { try? FileManager.default.removeItem(atPath: other) }
        _ = try Setup.run(.init(directory: other, hostName: "x.example.org", key: KeyOptions(algorithm: .ecdsaP256), systemBundle: nil))
        try FileManager.default.removeItem(atPath: certs + "/cacert.pem")
        try FileManager.default.copyItem(atPath: other + "/host.cert", toPath: certs + "/cacert.pem")
        try FileManager.default.removeItem(atPath: certs + "/CA") // setup --ca put the CA there too
        let missing = findings(await check(certs), "chain")
        #expect(missing.map(\.severity) == [.warning])
        #expect(missing[0].message.contains("its issuer O = example.org, CN = example.org Mail CA is neither in the certificate file"))
        // Self-signed: pinned by setup; not pinned once cacert.pem holds something else.
        let selfSigned = findings(await check(other), "chain")
        #expect(selfSigned.map(\.severity) == [.ok], "setup pins a self-signed certificate in cacert.pem")
        try FileManager.default.removeItem(atPath: other + "/cacert.pem")
        try FileManager.default.copyItem(atPath: root + "/ca/ca.cert", toPath: other + "/cacert.pem")
        #expect(findings(await check(other, host: "x.example.org"), "chain").map(\.severity) == [.warning])
    }

    @Test("CA file: too many certificates is a warning; a key instead of certificates an error")
    func caFile() async throws {
        let (root, certs) = try setUp()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let one = try String(contentsOfFile: certs + "/cacert.pem", encoding: .utf8)
        var many = ""
        for index in 0..<21 {
            let dir = root + "/extra\(index)"
            _ = try Setup.run(.init(directory: dir, hostName: "h\(index).example.org", key: KeyOptions(algorithm: .ecdsaP256), systemBundle: nil))
            many += try String(contentsOfFile: dir + "/host.cert", encoding: .utf8)
        }
        try (one + many).write(toFile: certs + "/cacert.pem", atomically: true, encoding: .utf8)
        let big = findings(await check(certs), "ca-file")
        #expect(big.map(\.severity) == [.warning] && big[0].message.contains("holds 22 certificates"))
        try FileManager.default.removeItem(atPath: certs + "/cacert.pem")
        try FileManager.default.copyItem(atPath: certs + "/host.key", toPath: certs + "/cacert.pem")
        #expect(findings(await check(certs), "ca-file").map(\.severity) == [.error])
    }

    @Test("CA path: missing hash links are a warning, and --fix makes them")
    func caPath() async throws {
        let (root, certs) = try setUp()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.copyItem(atPath: certs + "/host.cert", toPath: certs + "/CA/self.pem")
        let stale = findings(await check(certs), "ca-path")
        #expect(stale.map(\.severity) == [.warning])
        let actions = try Fixer.fix(TLSFileSet.certsDirectory(CertsLayout(directory: certs)))
        #expect(actions.contains { $0.hasPrefix("mailtls rehash") })
        #expect(findings(await check(certs), "ca-path").map(\.severity) == [.ok])
    }

    @Test("file safety: --fix makes a world-readable key 0600 and a group-writable certificate 0644")
    func fixModes() async throws {
        let (root, certs) = try setUp()
        defer { try? FileManager.default.removeItem(atPath: root) }
        chmod(certs + "/host.key", 0o644)
        chmod(certs + "/host.cert", 0o664)
        let before = findings(await check(certs), "file-safety").filter { $0.severity == .error }
        #expect(before.count == 2)
        let actions = try Fixer.fix(TLSFileSet.certsDirectory(CertsLayout(directory: certs)))
        #expect(actions.contains("chmod 0600 \(certs)/host.key (was 0644)"))
        #expect(actions.contains("chmod 0644 \(certs)/host.cert (was 0664)"))
        #expect(await check(certs).worst == .ok)
    }

    @Test("Postfix: a 0644 key is only a warning (Postfix reads keys as root), no Sendmail-only rules")
    func postfix() async throws {
        let (root, certs) = try setUp()
        defer { try? FileManager.default.removeItem(atPath: root) }
        chmod(certs + "/host.key", 0o644)
        let cf = "smtpd_tls_chain_files = \(certs)/host.key, \(certs)/host.cert\nsmtpd_tls_CAfile = \(certs)/cacert.pem\n"
        let report = await Checker.run(PostfixConfig.parse(cf, source: "main.cf"), hostName: "mail.example.org")
        #expect(report.worst == .warning, "\(report.findings.filter { $0.severity != .ok })")
        #expect(findings(report, "file-safety").filter { $0.severity == .warning }.map(\.subject) == ["\(certs)/host.key"])
        #expect(findings(report, "sendmail-starttls").isEmpty)
    }
}
