import Foundation
import Testing
@testable import MailTLS
import MailTLSAudit

/// posttls-finger, Postfix's own DANE client, as the oracle for the audit's DANE verdicts:
/// both ask the same validating unbound and reach the same `mailtls serve` on every DANE
/// case of the DNS world, and must agree. posttls-finger has no resolver-port option, so
/// unbound listens on 127.0.0.57:53 and posttls-finger runs in a mount namespace
/// (`unshare -m`) whose /etc/resolv.conf names it (`options trust-ad`, or glibc clears the
/// AD bit). Every MX host is 127.0.0.58, where the server listens on port 25. The addresses
/// are fixed (port 53 and 25 cannot be chosen free), so two runs of this suite at once would
/// collide; the MTA-STS oracle uses 127.0.84.x, apart from these.
@Suite("audit oracle: posttls-finger agrees on DANE", .serialized,
       .enabled(if: DNSWorld.shouldRun && PostfixServer.shouldRun && geteuid() == 0))
struct AuditOracleTests {
    static let resolverAddress = "127.0.0.57"
    static let mxAddress = "127.0.0.58"

    static let cases: [(domain: String, verdict: AuditVerdict)] = [
        ("dane-ee.test", .daneSecure), ("dane-ta.test", .daneSecure), ("cname-mx.test", .daneSecure), ("no-mx.test", .daneSecure),
        ("dane-wrong.test", .daneFailed), ("bogus.test", .dnssecBogus), ("bogus-tlsa.test", .dnssecBogus), ("expired.test", .dnssecBogus),
        ("unsigned.test", .opportunistic), ("pkix-only.test", .opportunistic), ("unreachable.test", .unreachable),
    ]

    /// posttls-finger's log, read as the audit's words (the first line that decides wins).
    static func fingerVerdict(_ output: String) -> AuditVerdict? {
        if output.contains("Verified TLS connection established") { return .daneSecure }
        if output.contains("no matching DANE TLSA records") { return .daneFailed }
        if output.contains("TLSA lookup error") || output.contains("try again") { return .dnssecBogus }
        if output.contains("Untrusted TLS connection established") || output.contains("Anonymous TLS connection established") { return .opportunistic }
        if output.contains("Connection refused") || output.contains("connect to") { return .unreachable }
        return nil
    }

    @Test("the same DANE verdict as posttls-finger -l dane on every DANE case")
    func sameVerdicts() async throws {
        let directory = try SafeDirectory.make()
        // One server for every case: a leaf from a test CA, naming mx.dane-ta.test, sent with
        // the CA. Its key's 3 1 1 goes to dane-ee and no-mx (cname-mx reaches dane-ee's), the
        // CA's 2 1 1 to dane-ta.
        let made = try DANEFixtures.caChain(directory: directory + "/mx", host: "mx.dane-ta.test")
        let leaf = try MaterialFile.load(made.certs.certificatePath).certificates[0]
        let ca = try MaterialFile.load(made.ca.certificatePath).certificates[0]
        let ee = AuditWorld.text(try TLSARecord(certificate: leaf.certificate, der: leaf.der))
        let ta = AuditWorld.text(try TLSARecord(certificate: ca.certificate, der: ca.der, usage: .daneTA))

        let world = try DNSWorld(mxAddress: Self.mxAddress, resolverAddress: Self.resolverAddress, resolverPort: 53)
        defer { world.stop() }
        try world.setTLSA("_25._tcp.mx.dane-ee.test", [ee])
        try world.setTLSA("_25._tcp.no-mx.test", [ee])
        try world.setTLSA("_25._tcp.mx.dane-ta.test", [ta])
        try world.start()
        let server = try await SMTPTestServer.start(layout: CertsLayout(directory: made.certs.directory), options: ServeOptions(hostName: "mx.dane-ta.test"),
                                                    listen: Self.mxAddress, port: 25, log: { _ in })

        let auditor = await DomainAuditor.make(AuditOptions(
            resolver: DNSResolver(nameserver: try DNSServerAddress(parsing: "\(Self.resolverAddress):53")),
            anchors: [ca.certificate], timeout: 5))
        try writeFingerConfig(directory)

        var agreed = 0
        for item in Self.cases {
            let ours = await auditor.audit(item.domain).verdict
            let output = try await offPool { try Self.finger(item.domain, directory: directory) }
            let theirs = Self.fingerVerdict(output)
            #expect(ours == item.verdict, "\(item.domain): mailtls audit says \(ours)")
            #expect(theirs == item.verdict, "\(item.domain): posttls-finger says \(theirs.map(\.rawValue) ?? "?"): \(output)")
            if ours == theirs { agreed += 1 }
        }
        #expect(agreed == Self.cases.count, "posttls-finger agreed on \(agreed) of \(Self.cases.count) DANE cases")
        await server.stop()
    }

    /// main.cf for posttls-finger (paths into the unpacked Postfix) and the namespace's resolv.conf.
    private func writeFingerConfig(_ directory: String) throws {
        let root = PostfixServer.root
        try FileManager.default.createDirectory(atPath: directory + "/finger", withIntermediateDirectories: true)
        try """
        compatibility_level = 3.6
        daemon_directory = \(root)/usr/lib/postfix/sbin
        command_directory = \(root)/usr/sbin
        meta_directory = \(root)/etc/postfix
        shlib_directory = \(root)/usr/lib/postfix

        """.write(toFile: directory + "/finger/main.cf", atomically: true, encoding: .utf8)
        try "nameserver \(Self.resolverAddress)\noptions trust-ad\n".write(toFile: directory + "/resolv.conf", atomically: true, encoding: .utf8)
    }

    /// `posttls-finger -l dane DOMAIN` (MX lookup, TLSA, STARTTLS on port 25) in a mount
    /// namespace whose /etc/resolv.conf is the test's; its log (stderr) and stdout together.
    static func finger(_ domain: String, directory: String) throws -> String {
        let script = "mount --bind \(directory)/resolv.conf /etc/resolv.conf && exec \(PostfixServer.finger) -t 10 -T 10 -l dane -c \(domain)"
        let result = try run("/usr/bin/timeout", ["60", "/usr/bin/unshare", "-m", "/bin/sh", "-c", script],
                             environment: ["MAIL_CONFIG": directory + "/finger", "LD_LIBRARY_PATH": PostfixServer.libraries, "PATH": "/usr/bin:/bin"])
        return result.stdout + result.stderr
    }
}
