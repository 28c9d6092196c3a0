import Foundation
import Testing
@testable import MailTLS

/// `mailtls tlsrpt record` and `mailtls tlsrpt read` as a user runs them: output, stderr and
/// exit status.
@Suite("tlsrpt CLI")
struct TLSRPTCLITests {
    @Test("read: a bad file is one stderr line naming it, the others are still counted, exit 1")
    func badFileAmongGood() throws {
        let dir = TempDirectory("tlsrpt-cli")
        try dir.write("ms.json", TLSRPTSamples.microsoft)
        try dir.write("google.json", TLSRPTSamples.google)
        try dir.write("bad.json", "{\"organization-name\": \"Broken\", \"policies\": [")
        let result = try MailTLSBinary.run(["tlsrpt", "read", "ms.json", "bad.json", "google.json"], in: dir.path)
        #expect(result.status == 1)
        let errors = result.stderr.split(separator: "\n")
        #expect(errors.count == 1)
        #expect(errors.first?.hasPrefix("mailtls: bad.json: is not valid JSON") == true)
        #expect(result.stdout.hasPrefix("2 reports from 2026-11-29T00:00:00Z to 2026-11-30T23:59:59Z: 3602 sessions, 12 failed"))
        #expect(result.stdout.contains("Microsoft Corporation (tlsrpt-noreply@microsoft.com): 1 report"))
        #expect(result.stdout.contains("Google Inc. (smtp-tls-reporting@google.com): 1 report"))
        #expect(result.stdout.contains("12      certificate-expired  mx2.example.org  192.0.2.26"))
    }

    @Test("read: exit 3 when reports tell of failures, 0 when none; a duplicate is said once")
    func exitStatus() throws {
        let dir = TempDirectory("tlsrpt-cli")
        try dir.write("ms.json", TLSRPTSamples.microsoft)
        try dir.write("ms-again.json", TLSRPTSamples.microsoft)
        try dir.write("google.json", TLSRPTSamples.google)
        let failures = try MailTLSBinary.run(["tlsrpt", "read", "ms.json", "ms-again.json"], in: dir.path)
        #expect(failures.status == 3)
        #expect(failures.stderr.isEmpty)
        #expect(failures.stdout.hasPrefix("1 report (1 duplicate counted once)"))
        #expect(failures.stdout.contains("ms-again.json: report \"134091360000000000+example.org\" from Microsoft Corporation was already read from ms.json; counted once"))
        let clean = try MailTLSBinary.run(["tlsrpt", "read", "-"], in: dir.path, input: TLSRPTSamples.google)
        #expect(clean.status == 0)
        #expect(clean.stdout.contains("sts example.org: 2410 successful, 0 failed"))
        let missing = try MailTLSBinary.run(["tlsrpt", "read", "nothing.json"], in: dir.path)
        #expect(missing.status == 1)
        #expect(missing.stderr.hasPrefix("mailtls: nothing.json: no such file"))
    }

    @Test("read --json: the summary's stable keys")
    func json() throws {
        let dir = TempDirectory("tlsrpt-cli")
        try dir.write("q.json", TLSRPTSamples.quirky)
        let result = try MailTLSBinary.run(["tlsrpt", "read", "--json", "q.json"], in: dir.path)
        #expect(result.status == 3)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["reports"] as? Int == 1)
        #expect(object["failedSessions"] as? Int == 4)
        #expect(object["start"] as? String == "2026-11-30T00:00:00Z")
        let organizations = try #require(object["organizations"] as? [[String: Any]])
        #expect(organizations.first?["name"] as? String == "Small Mail GmbH")
        #expect(organizations.first?["contactInfo"] == nil)
        let policies = try #require(organizations.first?["policies"] as? [[String: Any]])
        #expect(policies.map { $0["policyType"] as? String } == ["tlsa", "no-policy-found"])
    }

    @Test("record: the zone line, and a usage error (exit 2, one line) for an address senders cannot use")
    func record() throws {
        let ok = try MailTLSBinary.run(["tlsrpt", "record", "--rua", "mailto:tlsrpt@example.org", "--domain", "example.org"])
        #expect(ok.status == 0)
        #expect(ok.stdout == "_smtp._tls.example.org. IN TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@example.org\"\n")
        let bad = try MailTLSBinary.run(["tlsrpt", "record", "--rua", "http://example.org/r"])
        #expect(bad.status == usageErrorStatus)
        #expect(bad.stderr == "mailtls: --rua: \"http://example.org/r\" is neither a mailto: nor an https: URI; senders report to no other kind (RFC 8460 §3) (give mailto:ADDRESS or https://HOST/PATH)\n")
    }

    @Test("read with no file on a terminal is a usage error, not a wait for input", .enabled(if: PseudoTerminal.available))
    func noInputOnTerminal() throws {
        let result = try PseudoTerminal.run(["tlsrpt", "read"], answers: [])
        #expect(result.status == usageErrorStatus, "\(result.stdout)")
        #expect(result.stdout.hasPrefix("mailtls: stdin: no report given ("), "\(result.stdout)")
    }
}
