import Foundation
import Testing
@testable import MailTLS

/// A validating resolver reached over a network (RFC 7672 §2.1.1: its AD bit then crosses a
/// path nothing protects): unbound of the DNS world listening on this machine's own
/// non-loopback address. `check`, `probe` and `audit` read the records and warn; the
/// same world on 127.0.0.1 draws no such warning (DANEFromDNSTests).
@Suite("A resolver off loopback: check, probe and audit warn", .enabled(if: DNSWorld.shouldRun), .serialized)
struct ResolverOffLoopbackTests {
    /// The first IPv4 address of an interface that is up and not loopback (eth0 here).
    static var hostAddress: String? {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return nil }
        defer { freeifaddrs(list) }
        for entry in sequence(first: first, next: { $0.pointee.ifa_next }) {
            let flags = Int32(entry.pointee.ifa_flags)
            guard let address = entry.pointee.ifa_addr, address.pointee.sa_family == sa_family_t(AF_INET),
                  flags & Int32(IFF_UP) != 0, flags & Int32(IFF_LOOPBACK) == 0 else { continue }
            let bytes = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { inet in withUnsafeBytes(of: inet.pointee.sin_addr) { Array($0) } }
            return IPAddressText.text(bytes)
        }
        return nil
    }

    @Test("records still judged; a dns-resolver-local warning, exit 3 at worst; JSON carries it")
    func warns() async throws {
        let address = try #require(Self.hostAddress, "this machine has no non-loopback IPv4 address to put the resolver on")
        let setup = try await AuditWorld.start(resolverAddress: address)
        let nameserver = "\(address):\(setup.world.resolverPort)"
        let warning = "is not on loopback: its AD bit crosses a network that nothing protects"

        let check = try await offPool {
            try MailTLSBinary.run(["check", "--dir", setup.directory + "/ee", "--mta", "postfix", "--host", "mx.dane-ee.test",
                                   "--tlsa", "dns", "--nameserver", nameserver, "--json"])
        }
        let findings = try DANEFromDNSTests.findings(check.stdout)
        let local = findings.filter { $0["rule"] as? String == "dns-resolver-local" }
        #expect(local.count == 1 && local.first?["severity"] as? String == "warning", "\(check.stdout)")
        #expect((local.first?["message"] as? String)?.contains(warning) == true, "\(local)")
        #expect(try DANEFromDNSTests.tlsaFindings(check.stdout).first?["severity"] as? String == "ok", "the records are still judged: \(check.stdout)")
        #expect(check.status == 3, "\(check.stderr)")

        let probe = try await offPool {
            try MailTLSBinary.run(["probe", "mx.dane-ee.test", "--tlsa", "dns", "--nameserver", nameserver, "--timeout", "5",
                                   "--connect-to", "mx.dane-ee.test:25:127.0.0.1:\(setup.eeServer.port)", "--json"])
        }
        let report = try JSONSerialization.jsonObject(with: Data(probe.stdout.utf8)) as? [String: Any]
        #expect(report?["verdict"] as? String == "OK", "\(probe.stdout) \(probe.stderr)")
        #expect(probe.status == 3, "OK, but the resolver's warning counts: \(probe.stderr)")
        #expect(probe.stderr.contains("mailtls: warning: resolver \(nameserver): \(warning)"), "\(probe.stderr)")
        let fromDNS = report?["tlsaFromDNS"] as? [String: Any]
        #expect((fromDNS?["origin"] as? String)?.hasPrefix("DNS _25._tcp.mx.dane-ee.test (DNSSEC-validated") == true, "\(probe.stdout)")
        #expect((fromDNS?["records"] as? [Any])?.count == 1, "\(probe.stdout)")
        #expect((fromDNS?["resolverWarnings"] as? [[String: Any]])?.first?["rule"] as? String == "dns-resolver-local", "\(probe.stdout)")

        // audit (dane-ta.test: DANE, no MTA-STS): still dane-secure, the warning in the domain's findings, exit 3.
        let audit = try await offPool {
            try MailTLSBinary.run(["audit", "dane-ta.test", "--json", "--timeout", "5", "--nameserver", nameserver] + setup.connectToArguments)
        }
        let domain = try JSONSerialization.jsonObject(with: Data(audit.stdout.utf8)) as? [String: Any]
        #expect(domain?["verdict"] as? String == "dane-secure", "\(audit.stdout) \(audit.stderr)")
        let auditLocal = (domain?["findings"] as? [[String: Any]] ?? []).filter { $0["rule"] as? String == "dns-resolver-local" }
        #expect(auditLocal.count == 1 && (auditLocal.first?["message"] as? String)?.contains(warning) == true, "\(audit.stdout)")
        #expect(audit.status == 3, "\(audit.stderr)")
        await setup.stop()
    }
}
