import Foundation
import Testing
@testable import MailTLS

/// `Prober.probe` against `SMTPTestServer` serving crafted certificates (made by
/// `Fixtures/smtp/make_certs.py`): the TLS session completes, and the verdict is what the
/// chain deserves against the trust given.
@Suite("probe judges certificates")
struct ProbeCertificateTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        /// The certs directory the server uses (under the generated certificates).
        var served: String
        /// The trust file (relative to the generated certificates), nil for none.
        var trust: String?
        var serverName: String? = "mail.example.org"
        var host = "127.0.0.1"
        var verdict: ProbeVerdict
        var reason: [String]
        var verification: String? = nil
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "good: leaf from the root, root trusted", served: "good", trust: "root.pem", verdict: .ok,
             reason: ["verifies"], verification: "verified to"),
        Case(name: "good: the leaf itself trusted (pinned)", served: "good", trust: "good/host.cert", verdict: .ok,
             reason: ["verifies"], verification: "pinned"),
        Case(name: "good: self-signed leaf pinned", served: "selfsigned", trust: "selfsigned/host.cert", verdict: .ok,
             reason: ["verifies"], verification: "pinned"),
        Case(name: "good: leaf + intermediate served, root trusted", served: "chain", trust: "root.pem", verdict: .ok,
             reason: ["verifies"], verification: "verified to"),
        Case(name: "good: verified by IP address (no server name)", served: "good", trust: "root.pem", serverName: nil, verdict: .ok,
             reason: ["verifies"]),
        Case(name: "no trust given", served: "good", trust: nil, verdict: .no, reason: ["not verified"]),
        Case(name: "certificate for another name", served: "good", trust: "root.pem", serverName: "other.example.org", verdict: .fail,
             reason: ["does not name other.example.org", "mail.example.org"]),
        Case(name: "pinned certificate for another name", served: "good", trust: "good/host.cert", serverName: "other.example.org",
             verdict: .fail, reason: ["does not name other.example.org"]),
        Case(name: "expired", served: "expired", trust: "root.pem", verdict: .fail, reason: ["expired"]),
        Case(name: "expired and pinned", served: "expired", trust: "expired/host.cert", verdict: .fail, reason: ["expired"]),
        Case(name: "self-signed, not trusted", served: "selfsigned", trust: "root.pem", verdict: .fail, reason: ["self-signed"]),
        Case(name: "truncated chain: intermediate not served", served: "truncated", trust: "root.pem", verdict: .fail,
             reason: ["Test Intermediate CA", "not found"]),
        Case(name: "another CA trusted", served: "good", trust: "other-root.pem", verdict: .fail, reason: ["no chain", "Test Root CA"]),
        Case(name: "IPv6 literal ::1", served: "good", trust: "root.pem", host: "::1", verdict: .ok, reason: ["verifies"]),
        Case(name: "IPv6 literal ::1 verified as an IP SAN", served: "good", trust: "root.pem", serverName: nil, host: "::1", verdict: .ok, reason: ["verifies"]),
        Case(name: "IP SAN does not match another address", served: "good", trust: "root.pem", serverName: "127.0.0.2", verdict: .fail,
             reason: ["127.0.0.2"]),
    ]

    @Test("verdict against the trust given", arguments: cases)
    func judged(_ testCase: Case) async throws {
        if testCase.host == "::1" && !LoopbackIPv6.available { return }
        let server = try await startServer(try ProbeCertificates.path(testCase.served), listen: testCase.host)
        let trust: ProbeOptions.Trust = try testCase.trust.map { .file(try ProbeCertificates.path($0)) } ?? .none
        let report = await Prober.probe(ProbeOptions(host: testCase.host, port: server.port, ehloName: "probe.example",
                                                              serverName: testCase.serverName, trust: trust, timeout: 5))
        await server.stop()
        #expect(report.verdict == testCase.verdict, "\(testCase.name): \(report.verdict.rawValue) — \(report.reason)")
        for word in testCase.reason {
            #expect(report.reason.localizedCaseInsensitiveContains(word), "\(testCase.name): \"\(report.reason)\" should mention \(word)")
        }
        if let verification = testCase.verification {
            #expect(report.verification?.contains(verification) == true, "\(report.verification ?? "nil")")
        }
        // Whatever the verdict, the TLS facts and the chain are reported.
        #expect(report.tlsVersion == "TLSv1.3", "\(report.tlsVersion ?? "nil")")
        #expect(report.cipher?.hasPrefix("TLS_") == true, "\(report.cipher ?? "nil")")
        #expect(report.group != nil)
        #expect(report.chain.first?.subject.contains("mail.example.org") == true, "\(report.chain)")
        #expect(report.capabilitiesAfter != nil && report.startTLSOfferedAfterTLS == false)
        expectPhasesWithinDeadline(report, timeout: 5, testCase.name)
    }

    @Test("the chain is reported as served: leaf then intermediate, with fingerprints openssl agrees with")
    func chainReported() async throws {
        let server = try await startServer(try ProbeCertificates.path("chain"))
        let report = await Prober.probe(ProbeOptions(host: "127.0.0.1", port: server.port, serverName: "mail.example.org",
                                                     trust: .file(try ProbeCertificates.path("root.pem")), timeout: 5))
        await server.stop()
        #expect(report.verdict == .ok, "\(report.reason)")
        try #require(report.chain.count == 2, "\(report.chain)")
        #expect(report.chain[0].issuer.contains("Test Intermediate CA"))
        #expect(report.chain[1].subject.contains("Test Intermediate CA"))
        #expect(report.chain[0].altNames.contains { $0.contains("mail.example.org") }, "\(report.chain[0].altNames)")
        let fingerprint = try OpenSSL.expectSuccess(["x509", "-in", try ProbeCertificates.path("chain/host.cert"), "-noout", "-fingerprint", "-sha256"])
        let expected = fingerprint.split(separator: "=").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
        #expect(report.chain[0].sha256.uppercased() == expected.uppercased(), "\(report.chain[0].sha256) vs \(expected)")
        for phase in ["greeting", "ehlo", "starttls", "handshake"] {
            #expect(report.timings[phase] != nil, "no timing for \(phase): \(report.timings)")
        }
    }

    @Test("a --capath directory is trust like a file")
    func capath() async throws {
        let trustDir = TempDirectory("probe-capath")
        try FileManager.default.copyItem(atPath: try ProbeCertificates.path("root.pem"), toPath: trustDir.file("root.pem"))
        let server = try await startServer(try ProbeCertificates.path("good"))
        let report = await Prober.probe(ProbeOptions(host: "127.0.0.1", port: server.port, serverName: "mail.example.org",
                                                     trust: .directory(trustDir.path), timeout: 5))
        await server.stop()
        #expect(report.verdict == .ok, "\(report.reason)")
    }

    @Test("implicit TLS (port 465 style) against an SMTPS listener: OK, with the greeting read inside TLS")
    func implicitTLS() async throws {
        let work = TempDirectory("probe-smtps")
        let server = try OpenSSLTLSServer(cert: try ProbeCertificates.path("good/host.cert"), key: try ProbeCertificates.path("good/host.key"),
                                          script: "220 smtps.example ESMTP\r\n250-smtps.example\r\n250 AUTH PLAIN\r\n221 bye\r\n", in: work.path)
        defer { server.stop() }
        let report = await Prober.probe(ProbeOptions(host: "127.0.0.1", port: server.port, serverName: "mail.example.org",
                                                     trust: .file(try ProbeCertificates.path("root.pem")), implicitTLS: true, timeout: 3))
        #expect(report.verdict == .ok, "\(report.verdict.rawValue): \(report.reason)")
        #expect(report.banner == ["smtps.example ESMTP"], "\(report.banner)")
        #expect(report.tlsVersion == "TLSv1.3")
        #expect(report.chain.count == 1)
        expectPhasesWithinDeadline(report, timeout: 3)
    }

    @Test("implicit TLS against a STARTTLS port fails cleanly (plaintext where a ServerHello was due)")
    func implicitTLSAgainstPlain() async throws {
        let server = try await startServer(try ProbeCertificates.path("good"))
        let report = await Prober.probe(ProbeOptions(host: "127.0.0.1", port: server.port, serverName: "mail.example.org",
                                                     trust: .file(try ProbeCertificates.path("root.pem")), implicitTLS: true, timeout: 2))
        await server.stop()
        #expect(report.verdict == .protocol, "\(report.verdict.rawValue): \(report.reason)")
        #expect(report.reason.contains("TLS"), "\(report.reason)")
        expectPhasesWithinDeadline(report, timeout: 2)
    }
}
