import Foundation
import Testing
@testable import MailTLS
@testable import MailTLSAudit

/// `mailtls mta-sts serve` answering curl (the oracle for what an HTTPS client gets) and the
/// project's own fetcher.
@Suite("mailtls mta-sts serve", .serialized)
struct MTASTSServeTests {
    static let curl = "/usr/bin/curl"

    @Test("only GET /.well-known/mta-sts.txt, as text/plain, the file's exact bytes (re-read); 404 otherwise; HTTPS only")
    func serves() async throws {
        let host = "mta-sts.example.test"
        let server = try PolicyServeProcess(host: host)
        let first = STSPublication(domain: "example.test", policy: STSPolicy(mode: .testing, maxAge: 604_800, mx: ["mx.example.test"]))
        _ = try STSPolicyFile.write(first, to: server.policyFile, force: false)
        try server.start()
        defer { server.stop() }
        let base = "https://\(host):\(server.port)"
        let caFile = server.caFile, port = server.port
        func curl(_ arguments: [String]) async throws -> RunResult {
            try await offPool {
                try run(Self.curl, ["-sS", "--max-time", "10", "--cacert", caFile, "--resolve", "\(host):\(port):127.0.0.1"] + arguments)
            }
        }
        let got = try await curl(["-w", "\n%{http_code} %{content_type}", base + STSPublication.wellKnownPath])
        #expect(got.status == 0, "\(got.stderr)\n\(server.output)")
        #expect(got.stdout == String(decoding: first.bytes, as: UTF8.self) + "\n200 text/plain", "\(got.stdout)")

        for path in ["/", "/.well-known/mta-sts.txt?x=1", "/.well-known/", "/../mta-sts.txt"] {
            let other = try await curl(["-o", "/dev/null", "-w", "%{http_code}", base + path])
            #expect(other.stdout == "404", "\(path): \(other.stdout) \(other.stderr)")
        }
        let post = try await curl(["-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", base + STSPublication.wellKnownPath])
        #expect(post.stdout == "404", "POST: \(post.stdout)")
        let plain = try await curl(["-o", "/dev/null", "http://\(host):\(port)\(STSPublication.wellKnownPath)"])
        #expect(plain.status != 0, "plain HTTP must not be answered: \(plain.stdout)")

        // Bounded requests: a 12 KB head (over the 8 KiB limit) and an 80 KB one (over the
        // connection's 64 KiB) are cut off without an answer (curl: empty reply).
        for (name, count) in [("mid", 3), ("big", 20)] {
            let file = server.directory + "/\(name).headers"
            try (0..<count).map { "X-Filler-\($0): " + String(repeating: "a", count: 4000) }.joined(separator: "\n")
                .write(toFile: file, atomically: true, encoding: .utf8)
            let cut = try await curl(["-o", "/dev/null", "-w", "%{http_code}", "-H", "@" + file, base + STSPublication.wellKnownPath])
            #expect(cut.status == 52 && cut.stdout == "000", "\(name): \(cut.status) \(cut.stdout) \(cut.stderr)")
        }

        let fetched = await STSPolicyFetcher(STSFetchOptions(anchors: TrustAnchors.certificates(in: caFile), timeout: 5,
                                                             connectTo: [ConnectTo(name: host, port: 443, address: "127.0.0.1", addressPort: Int(port))]))
            .fetch(domain: "example.test")
        if case .success(let policy) = fetched {
            #expect(policy.body == first.bytes)
        } else {
            Issue.record("the fetcher refused what serve served: \(fetched)")
        }

        // A changed policy is served at once.
        var changed = first.policy
        changed.mode = .enforce
        let second = STSPublication(domain: "example.test", policy: changed)
        _ = try STSPolicyFile.write(second, to: server.policyFile, force: true)
        let again = try await curl([base + STSPublication.wellKnownPath])
        #expect(Array(again.stdout.utf8) == second.bytes)
    }
}
