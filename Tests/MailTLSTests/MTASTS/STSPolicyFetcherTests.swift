import Foundation
import Testing
import X509
@testable import MailTLS
@testable import MailTLSAudit

/// The policy fetch against a real nginx (one site per case, chosen by SNI), with curl as the
/// oracle for what an HTTPS client makes of each site's certificate and status, and a
/// scripted server for the slow body nginx cannot play.
@Suite("MTA-STS policy fetch", .enabled(if: PolicyWebServer.shouldRun), .serialized)
struct STSPolicyFetcherTests {
    struct Expectation: Sendable {
        var label: String
        /// nil: the policy is fetched and equals PolicyWebServer.policy.
        var kind: STSFetchFailure.Kind?
        /// Words the reason must hold.
        var words: [String] = []
        var problem: (@Sendable (ChainProblem?) -> Bool)? = nil
        /// curl's exit status fetching the same URL with the same CA (nil: not asked).
        var curl: Int32?
        var domain: String { label == "" ? "example.test" : "\(label).example.test" }
        var host: String { "mta-sts.\(domain)" }
    }

    static let expected = STSPolicy(mode: .enforce, maxAge: 604800, mx: ["mail.example.test", "*.mx.example.test"])

    static let cases: [Expectation] = [
        Expectation(label: "", kind: nil, curl: 0),
        Expectation(label: "charset", kind: nil, curl: 0),
        Expectation(label: "notfound", kind: .fetchError, words: ["the server answered 404 Not Found, not 200"], curl: 22),
        Expectation(label: "redirect", kind: .fetchError,
                    words: ["the server answered 301 Moved Permanently", "Location: https://www.example.test/mta-sts.txt", "do not follow redirects"],
                    curl: 0),
        Expectation(label: "html", kind: .policyInvalid, words: ["served as text/html, not text/plain"], curl: 0),
        Expectation(label: "big", kind: .fetchError, words: ["65536"], curl: 0),
        Expectation(label: "wrongname", kind: .webPKIInvalid,
                    words: ["the certificate of mta-sts.wrongname.example.test does not name mta-sts.wrongname.example.test (it names mail.example.test)"],
                    problem: { if case .nameMismatch = $0 { return true } else { return false } }, curl: 60),
        Expectation(label: "expired", kind: .webPKIInvalid, words: ["the certificate of mta-sts.expired.example.test expired on"],
                    problem: { if case .leafExpired = $0 { return true } else { return false } }, curl: 60),
        Expectation(label: "untrusted", kind: .webPKIInvalid, words: ["no chain to a trusted certificate: issuer", "Other CA"],
                    problem: { if case .issuerNotFound = $0 { return true } else { return false } }, curl: 60),
        // DNS-ID only: a Common Name is no name for WebPKI (curl, through OpenSSL's host
        // check, still falls back to it, so it is not asked here).
        Expectation(label: "cnonly", kind: .webPKIInvalid, words: ["does not name mta-sts.cnonly.example.test (it names nothing)"],
                    problem: { if case .nameMismatch(_, let named) = $0 { return named.isEmpty } else { return false } }),
    ]

    @Test("each site: the policy, or the failure of its kind with its reason; curl agrees on the certificate and status")
    func sites() async throws {
        let server = try PolicyWebServer()
        defer { server.stop() }
        try server.startCases()
        let fetcher = STSPolicyFetcher(server.options(names: Self.cases.map(\.host)))
        for expectation in Self.cases {
            let result = await fetcher.fetch(domain: expectation.domain)
            switch result {
            case .success(let fetched):
                #expect(expectation.kind == nil, "\(expectation.host): fetched, expected \(String(describing: expectation.kind))")
                #expect(fetched.policy == Self.expected)
                #expect(fetched.url == "https://\(expectation.host)/.well-known/mta-sts.txt")
                #expect(fetched.findings.isEmpty)
                #expect(fetched.certificates.count == 2, "the verified chain: the leaf and the test CA")
                #expect(fetched.certificates.first.map { CertificateNames($0).dnsNames } == [expectation.host])
            case .failure(let failure):
                #expect(failure.kind == expectation.kind, "\(expectation.host): \(failure.kind.rawValue): \(failure.reason)")
                for word in expectation.words {
                    #expect(failure.reason.contains(word), "\(expectation.host): \(failure.reason)")
                }
                #expect(!failure.reason.contains("\n"))
                if let problem = expectation.problem {
                    #expect(problem(failure.chainProblem), "\(expectation.host): \(String(describing: failure.chainProblem))")
                    #expect(failure.reason == failure.chainProblem?.message(leaf: "the certificate of \(expectation.host)"))
                }
                #expect(failure.finding.message == "\(failure.kind.rawValue): \(failure.reason)")
                #expect(failure.finding.severity == .error)
            }
            if let status = expectation.curl {
                let curl = try run("/usr/bin/curl", ["-sS", "-f", "-o", "/dev/null", "--max-time", "10", "--proto", "=https",
                                                      "--cacert", server.caFile,
                                                      "--resolve", "\(expectation.host):\(server.port):127.0.0.1",
                                                      "https://\(expectation.host):\(server.port)/.well-known/mta-sts.txt"])
                #expect(curl.status == status, "curl on \(expectation.host): \(curl.stderr)")
            }
        }
        #expect(!server.log.contains("[emerg]"), "\(server.log)")
    }

    @Test("the html case still reports what the text itself would be: nothing wrong")
    func htmlFindings() async throws {
        let server = try PolicyWebServer()
        defer { server.stop() }
        try server.startCases()
        let result = await STSPolicyFetcher(server.options(names: ["mta-sts.html.example.test"])).fetch(domain: "html.example.test")
        guard case .failure(let failure) = result else { Issue.record("fetched \(result)"); return }
        #expect(failure.kind == .policyInvalid)
        #expect(failure.findings.isEmpty)
    }

    @Test("a body that stalls after a few bytes ends in a fetch error when the timeout is up, not later")
    func slowBody() async throws {
        let server = try PolicyWebServer() // its CA only: nginx is not started
        let host = "mta-sts.slow.example.test"
        let leaf = try ChainVerifierOpenSSLTests.issue(host, by: server.ca, ca: false, names: [host], usage: [.serverAuth])
        let stalling = try await StallingPolicyServer(certificate: leaf.certificate, key: leaf.key)
        let options = STSFetchOptions(anchors: server.anchors, timeout: 2,
                                      connectTo: [ConnectTo(name: host, port: 443, address: "127.0.0.1", addressPort: stalling.port)])
        let started = Date()
        let result = await STSPolicyFetcher(options).fetch(domain: "slow.example.test")
        let elapsed = Date().timeIntervalSince(started)
        await stalling.stop()
        guard case .failure(let failure) = result else { Issue.record("fetched \(result)"); return }
        #expect(failure.kind == .fetchError)
        #expect(failure.reason == "no complete answer within 2 s")
        #expect(elapsed >= 1.9 && elapsed < 4, "took \(elapsed) s")
    }

    @Test("nothing listening: a fetch error that names where it tried")
    func refused() async throws {
        let port = try FreePort.find()
        let options = STSFetchOptions(anchors: [], timeout: 5,
                                      connectTo: [ConnectTo(name: "mta-sts.example.test", port: 443, address: "127.0.0.1", addressPort: Int(port))])
        let result = await STSPolicyFetcher(options).fetch(domain: "Example.Test.")
        guard case .failure(let failure) = result else { Issue.record("fetched \(result)"); return }
        #expect(failure.kind == .fetchError)
        #expect(failure.url == "https://mta-sts.example.test/.well-known/mta-sts.txt")
        #expect(failure.reason == "cannot connect to 127.0.0.1:\(port): connection refused")
    }

    @Test("trust: the system bundle by default, --ca FILE when given")
    func anchors() throws {
        let system = STSFetchOptions.anchors(caFile: nil)
        #expect(system.count == TrustAnchors.certificates(in: STSFetchOptions.systemBundle).count)
        #expect(system.count > 100)
        let server = try PolicyWebServer()
        #expect(STSFetchOptions.anchors(caFile: server.caFile) == [server.ca.certificate])
    }

    @Test("--connect-to NAME:PORT:ADDRESS:PORT, and what it refuses")
    func connectTo() throws {
        #expect(try ConnectTo(parsing: "mta-sts.example.org:443:127.0.0.1:8443")
                == ConnectTo(name: "mta-sts.example.org", port: 443, address: "127.0.0.1", addressPort: 8443))
        #expect(try ConnectTo(parsing: "mta-sts.example.org:443:[::1]:8443")
                == ConnectTo(name: "mta-sts.example.org", port: 443, address: "::1", addressPort: 8443))
        for bad in ["mta-sts.example.org:443:127.0.0.1", "mta-sts.example.org:443:127.0.0.1:0", ":443:127.0.0.1:1",
                    "a:x:127.0.0.1:1", "a:443:[::1:1", "a:443:127.0.0.1:1:2"] {
            #expect(throws: MailTLSError.self, "\(bad)") { try ConnectTo(parsing: bad) }
        }
    }
}
