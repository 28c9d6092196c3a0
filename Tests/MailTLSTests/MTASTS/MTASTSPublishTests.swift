import Foundation
import Testing
@testable import MailTLS
@testable import MailTLSAudit

/// `mailtls mta-sts policy`, `check` and `change` as an admin runs them, against the DNS test
/// world (its validating resolver for the MX and `_mta-sts` records) and a real nginx serving
/// the policy over HTTPS with a test-CA certificate, reached through `--connect-to`.
@Suite("mailtls mta-sts against the DNS world and nginx", .enabled(if: DNSWorld.shouldRun && PolicyWebServer.shouldRun), .serialized)
struct MTASTSPublishTests {
    @Test("policy writes what the fetcher accepts; check sees it served, the id, the MX hosts, the certificate; change widens it; bad files fail")
    func publishAndCheck() async throws {
        let world = try DNSWorld()
        try world.start()
        defer { world.stop() }
        let web = try PolicyWebServer()
        let nameserver = "127.0.0.1:\(world.resolverPort)"
        let dir = TempDirectory()
        let directory = dir.path
        func mailtls(_ arguments: [String]) async throws -> RunResult {
            try await offPool { try MailTLSBinary.run(arguments, in: directory) }
        }

        // 1. The policy from the world's MX records (mx.sts-enforce.test), enforce.
        let made = try await mailtls(["mta-sts", "policy", "--domain", "sts-enforce.test", "--mode", "enforce", "--nameserver", nameserver])
        try #require(made.status == 0, "\(made.stdout)\(made.stderr)")
        let bytes = try FileReading.bytes(of: dir.file("mta-sts.txt"))
        let expected = STSPolicy(mode: .enforce, maxAge: 604_800, mx: ["mx.sts-enforce.test"])
        #expect(bytes == STSPublication(domain: "sts-enforce.test", policy: expected).bytes)
        let id = STSPublication.id(of: bytes)
        let recordLine = made.stdout.split(separator: "\n").first { $0.hasPrefix("_mta-sts.sts-enforce.test. ") }
        #expect(recordLine.map { String($0) } == "_mta-sts.sts-enforce.test. 3600 IN TXT \"v=STSv1; id=\(id)\"", "\(made.stdout)")
        #expect(made.stdout.contains("https://mta-sts.sts-enforce.test/.well-known/mta-sts.txt"))
        // Run again: the same file, nothing replaced (--json says so, with the record to publish);
        // another policy is refused without --force.
        let rerun = try await mailtls(["mta-sts", "policy", "--domain", "sts-enforce.test", "--mode", "enforce", "--nameserver", nameserver, "--json"])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        let rerunJSON = try JSONSerialization.jsonObject(with: Data(rerun.stdout.utf8)) as? [String: Any]
        #expect(rerunJSON?["outcome"] as? String == "unchanged" && rerunJSON?["id"] as? String == id, "\(rerun.stdout)")
        #expect(rerunJSON?["record"] as? String == recordLine.map { String($0) } && rerunJSON?["recordText"] as? String == "v=STSv1; id=\(id)", "\(rerun.stdout)")
        #expect(rerunJSON?["mx"] as? [String] == ["mx.sts-enforce.test"] && rerunJSON?["mode"] as? String == "enforce", "\(rerun.stdout)")
        let refused = try await mailtls(["mta-sts", "policy", "--domain", "sts-enforce.test", "--nameserver", nameserver])
        #expect(refused.status == 1 && refused.stderr.contains("--force"), "\(refused.stderr)")
        #expect(try FileReading.bytes(of: dir.file("mta-sts.txt")) == bytes)
        // A pattern that misses the real MX host is written with a warning naming it.
        let missing = try await mailtls(["mta-sts", "policy", "--domain", "sts-testing.test", "--mx", "*.other.test", "--out", "other.txt", "--nameserver", nameserver])
        #expect(missing.status == 0 && missing.stderr.contains("mx.sts-testing.test is covered by no mx pattern"), "\(missing.stderr)")

        // 2. Served by nginx: the fetcher takes it as written.
        let served = try web.page("sts-enforce.txt", String(decoding: bytes, as: UTF8.self))
        let uncovered = try web.page("sts-testing.txt", "version: STSv1\r\nmode: enforce\r\nmx: mx.other.test\r\nmax_age: 604800\r\n")
        try web.start([
            try web.site("mta-sts.sts-enforce.test", .good, "default_type text/plain; alias \(served);")(),
            try web.site("mta-sts.sts-testing.test", .good, "default_type text/plain; alias \(uncovered);")(),
        ])
        defer { web.stop() }
        let hosts = ["mta-sts.sts-enforce.test", "mta-sts.sts-testing.test"]
        guard case .success(let fetched) = await STSPolicyFetcher(web.options(names: hosts)).fetch(domain: "sts-enforce.test") else {
            Issue.record("the fetcher refused the policy mta-sts policy wrote")
            return
        }
        #expect(fetched.policy == expected)
        #expect(fetched.body == bytes)

        // `audit` (its MTA-STS part) takes the served policy as written.
        let audited = try await mailtls(["audit", "sts-enforce.test", "--json", "--timeout", "3", "--nameserver", nameserver, "--ca", web.caFile,
                                         "--connect-to", "mta-sts.sts-enforce.test:443:127.0.0.1:\(web.port)"])
        let report = try JSONSerialization.jsonObject(with: Data(audited.stdout.utf8)) as? [String: Any]
        let sts = report?["sts"] as? [String: Any]
        #expect(sts?["mode"] as? String == "enforce" && sts?["mx"] as? [String] == ["mx.sts-enforce.test"] && sts?["maxAge"] as? Int == 604_800,
                "\(audited.stdout)\(audited.stderr)")
        #expect(sts?["failure"] == nil, "\(audited.stdout)")

        let network = ["--nameserver", nameserver, "--ca", web.caFile] + hosts.flatMap { ["--connect-to", "\($0):443:127.0.0.1:\(web.port)"] }
        func rows(_ result: RunResult, _ rule: String) -> [Substring] {
            result.stdout.split(separator: "\n").filter { $0.contains(rule) }
        }
        // 3. check: the world's id is a date (20260101enforce), not the bytes' id: a warning naming the id to publish.
        let checked = try await mailtls(["mta-sts", "check", "sts-enforce.test", "--policy", "mta-sts.txt"] + network)
        #expect(checked.status == 3, "\(checked.stdout)\(checked.stderr)")
        #expect(rows(checked, "mta-sts-id").contains { $0.hasPrefix("WARN") && $0.contains("id=\(id)") }, "\(checked.stdout)")
        #expect(rows(checked, "mta-sts-file").contains { $0.hasPrefix("ok") && $0.contains("is the policy served") }, "\(checked.stdout)")
        #expect(rows(checked, "mta-sts-mx").contains { $0.hasPrefix("ok") && $0.contains("mx.sts-enforce.test") }, "\(checked.stdout)")
        // The test CA's certificates are valid 30 days, right at check's 30-day line (unit-tested
        // on both sides): here only that the served leaf's end date is the one reported.
        let end = UTCTimestamp.readable(try #require(fetched.certificates.first).notValidAfter)
        #expect(rows(checked, "mta-sts-certificate").contains { ($0.hasPrefix("WARN") || $0.hasPrefix("ok")) && $0.contains(end) }, "\(checked.stdout)")
        #expect(checked.stdout.split(separator: "\n").allSatisfy { !$0.hasPrefix("ERROR") }, "\(checked.stdout)")

        // 4. change: widened with a new host; check now sees a file not yet published and a
        // pattern that covers no MX yet (the in-between state).
        let widened = try await mailtls(["mta-sts", "change", "--domain", "sts-enforce.test", "--add-mx", "mx2.sts-enforce.test",
                                         "--remove-mx", "mx.sts-enforce.test", "--nameserver", nameserver])
        #expect(widened.status == 0 && widened.stdout.contains("step 1 of 4"), "\(widened.stdout)\(widened.stderr)")
        let widenedPolicy = try STSPolicyFile.read(dir.file("mta-sts.txt"))
        #expect(widenedPolicy.reading.policy?.mx == ["mx.sts-enforce.test", "mx2.sts-enforce.test"])
        let again = try await mailtls(["mta-sts", "change", "--domain", "sts-enforce.test", "--add-mx", "mx2.sts-enforce.test",
                                       "--remove-mx", "mx.sts-enforce.test", "--nameserver", nameserver])
        #expect(again.status == 0 && again.stdout.contains("step 2 of 4"), "\(again.stdout)\(again.stderr)")
        #expect(try FileReading.bytes(of: dir.file("mta-sts.txt")) == widenedPolicy.bytes)
        let againJSON = try await mailtls(["mta-sts", "change", "--domain", "sts-enforce.test", "--add-mx", "mx2.sts-enforce.test",
                                           "--remove-mx", "mx.sts-enforce.test", "--nameserver", nameserver, "--json"])
        let step = try JSONSerialization.jsonObject(with: Data(againJSON.stdout.utf8)) as? [String: Any]
        #expect(step?["step"] as? String == "wait" && step?["waitUntil"] is String && step?["published"] == nil, "\(againJSON.stdout)")
        #expect((step?["next"] as? String)?.hasPrefix("mailtls mta-sts change --domain sts-enforce.test") == true, "\(againJSON.stdout)")
        let pending = try await mailtls(["mta-sts", "check", "sts-enforce.test", "--policy", "mta-sts.txt"] + network)
        #expect(pending.status == 3, "\(pending.stdout)")
        #expect(rows(pending, "mta-sts-file").contains { $0.hasPrefix("WARN") && $0.contains("not published yet") && $0.contains("id=\(widenedPolicy.id)") }, "\(pending.stdout)")
        #expect(rows(pending, "mta-sts-mx").contains { $0.hasPrefix("WARN") && $0.contains("mx2.sts-enforce.test covers none") }, "\(pending.stdout)")

        // 5. An enforced policy that misses the real MX host, and a file with max_age out of range: errors.
        try dir.write("bad.txt", "version: STSv1\r\nmode: enforce\r\nmx: mx.sts-testing.test\r\nmax_age: 99999999\r\n")
        let bad = try await mailtls(["mta-sts", "check", "sts-testing.test", "--policy", "bad.txt"] + network)
        #expect(bad.status == 1, "\(bad.stdout)")
        #expect(rows(bad, "mta-sts-mx").contains { $0.hasPrefix("ERROR") && $0.contains("mx.sts-testing.test is covered by no mx pattern") }, "\(bad.stdout)")
        #expect(rows(bad, "mta-sts-policy").contains { $0.hasPrefix("ERROR") && $0.contains("bad.txt") && $0.contains("max_age 99999999") }, "\(bad.stdout)")

        // 6. Nothing served: a domain without a policy host fails with the fetch's own words.
        let none = try await mailtls(["mta-sts", "check", "no-mx.test"] + network + ["--timeout", "3"])
        #expect(none.status == 1, "\(none.stdout)")
    }

    @Test("against a content id in DNS: the id of the served policy is ok; a policy changed without a new id is stale; an id published before its file is an error")
    func staleID() async throws {
        let world = try DNSWorld()
        try world.start()
        defer { world.stop() }
        let web = try PolicyWebServer()
        let nameserver = "127.0.0.1:\(world.resolverPort)"
        let dir = TempDirectory()
        let directory = dir.path
        func mailtls(_ arguments: [String]) async throws -> RunResult {
            try await offPool { try MailTLSBinary.run(arguments, in: directory) }
        }
        // The policy whose id make-world published (computed there by sha256sum).
        let made = try await mailtls(["mta-sts", "policy", "--domain", "sts-hash-id.test", "--mode", "enforce", "--out", "p1.txt", "--nameserver", nameserver])
        try #require(made.status == 0, "\(made.stderr)")
        let p1 = try STSPolicyFile.read(dir.file("p1.txt"))
        let published = try world.dig("_mta-sts.sts-hash-id.test", "TXT")
        #expect(published.records == ["TXT \"v=STSv1; id=\(p1.id)\""], "the id sha256sum gave make-world: \(published.records)")

        // A certificate valid 90 days, so that only the id and the file make a difference.
        let host = "mta-sts.sts-hash-id.test"
        let issued = try ChainVerifierOpenSSLTests.issue(host, by: web.ca, ca: false, names: [host], usage: [.serverAuth], to: 90 * 86_400)
        let tls = (web.directory + "/tls/\(host).cert", web.directory + "/tls/\(host).key")
        try issued.pem.write(toFile: tls.0, atomically: true, encoding: .utf8)
        try issued.key.serializeAsPEM().pemString.write(toFile: tls.1, atomically: true, encoding: .utf8)
        chmod(tls.1, 0o600)
        let served = try web.page("sts-hash-id.txt", String(decoding: p1.bytes, as: UTF8.self))
        try web.start([PolicyWebServer.Site(name: host, tls: tls, location: "default_type text/plain; alias \(served);")])
        defer { web.stop() }
        let check = ["mta-sts", "check", "sts-hash-id.test", "--policy", "p1.txt", "--nameserver", nameserver, "--ca", web.caFile,
                     "--connect-to", "\(host):443:127.0.0.1:\(web.port)"]

        let good = try await mailtls(check)
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        #expect(good.stdout.contains("ok    mta-sts-id") && good.stdout.contains("id=\(p1.id) is the id of the policy served"), "\(good.stdout)")

        // The served policy edited (mode testing), the record left alone: stale.
        let edited = STSPublication(domain: "sts-hash-id.test", policy: STSPolicy(mode: .testing, maxAge: 604_800, mx: ["mx.sts-hash-id.test"]))
        try String(decoding: edited.bytes, as: UTF8.self).write(toFile: served, atomically: true, encoding: .utf8)
        let stale = try await mailtls(check)
        #expect(stale.status == 1, "\(stale.stdout)")
        let rows = stale.stdout.split(separator: "\n")
        #expect(rows.contains { $0.hasPrefix("ERROR mta-sts-id") && $0.contains("id=\(p1.id) is stale") && $0.contains("id=\(edited.id)") }, "\(stale.stdout)")
        // p1.txt is what the record announces, but not what is served: the id went out before the file.
        #expect(rows.contains { $0.hasPrefix("ERROR mta-sts-file") && $0.contains("already announces the file's id=\(p1.id)") }, "\(stale.stdout)")
    }
}
