import Foundation
import Testing
@testable import MailTLS

/// What `probe` connects to and trusts, decided in the library (the CLI only passes options on).
@Suite("SMTP: probe target, trust choice and batch summary")
struct ProbeTargetTests {
    @Test("host, host:port, [IPv6]:port, bare IPv6")
    func parses() throws {
        #expect(try ProbeTarget(parsing: "mail.example.org") == ProbeTarget(host: "mail.example.org", port: nil))
        #expect(try ProbeTarget(parsing: "mail.example.org:2525") == ProbeTarget(host: "mail.example.org", port: 2525))
        #expect(try ProbeTarget(parsing: "[::1]:25") == ProbeTarget(host: "::1", port: 25))
        #expect(try ProbeTarget(parsing: "[2001:db8::25]") == ProbeTarget(host: "2001:db8::25", port: nil))
        #expect(try ProbeTarget(parsing: "2001:db8::25") == ProbeTarget(host: "2001:db8::25", port: nil))
        #expect(try ProbeTarget(parsing: "127.0.0.1:65535") == ProbeTarget(host: "127.0.0.1", port: 65535))
    }

    @Test("bad ports and brackets are refused, naming the target", arguments: [
        "mail.example.org:0", "mail.example.org:65536", "mail.example.org:", "mail.example.org:smtp",
        "[::1]:0", "[::1]:x", "[::1]25", "[::1", "",
    ])
    func refuses(_ text: String) {
        do {
            let target = try ProbeTarget(parsing: text)
            Issue.record("accepted \(text) as \(target)")
        } catch let error as MailTLSError {
            #expect(error.subject == (text.isEmpty ? "probe" : text))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("port: the target's, else --port, else 25; 465 means TLS on connect")
    func options() throws {
        func options(_ text: String, port: Int? = nil, tlsOnConnect: Bool = false) throws -> ProbeOptions {
            try ProbeTarget(parsing: text).options(port: port, ehloName: "client.example.org", serverName: nil, trust: .none,
                                                   tlsOnConnect: tlsOnConnect, timeout: 5, tlsaRecords: nil)
        }
        #expect(try options("a.example.org").port == 25)
        #expect(try options("a.example.org", port: 587).port == 587)
        #expect(try options("a.example.org:2525", port: 587).port == 2525)
        #expect(try options("a.example.org:465").implicitTLS)
        #expect(try options("a.example.org", port: 465).implicitTLS)
        #expect(try !options("a.example.org:25").implicitTLS)
        #expect(try options("a.example.org:2465", tlsOnConnect: true).implicitTLS)
    }

    @Test("a --targets file: one target a line, blanks and # comments skipped, a bad line refused")
    func list() throws {
        let dir = TempDirectory("probe-targets")
        try dir.write("hosts.txt", "# MX hosts\n\nmx1.example.org\n  mx2.example.org:2525\t\n[::1]:25\n")
        #expect(try ProbeTarget.list(from: dir.file("hosts.txt")) == [
            ProbeTarget(host: "mx1.example.org", port: nil), ProbeTarget(host: "mx2.example.org", port: 2525), ProbeTarget(host: "::1", port: 25),
        ])
        try dir.write("empty.txt", "# nothing\n\n")
        #expect(throws: MailTLSError(dir.file("empty.txt"), "lists no host", remedy: "one HOST or HOST:PORT per line")) {
            try ProbeTarget.list(from: dir.file("empty.txt"))
        }
        try dir.write("bad.txt", "mx1.example.org\nmx2.example.org:99999\n")
        #expect(throws: MailTLSError.self) { try ProbeTarget.list(from: dir.file("bad.txt")) }
    }

    @Test("trust: the option given, else the system bundle when there is one, else none")
    func trustChoice() throws {
        let dir = TempDirectory("probe-trust")
        #expect(try ProbeTrustChoice.trust(caFile: nil, caDirectory: dir.path, system: false) == .directory(dir.path))
        #expect(throws: MailTLSError(dir.file("missing"), "is not a directory", remedy: "give a CA directory such as /etc/ssl/certs")) {
            try ProbeTrustChoice.trust(caFile: nil, caDirectory: dir.file("missing"), system: false)
        }
        #expect(throws: MailTLSError.self) { try ProbeTrustChoice.trust(caFile: dir.file("missing.pem"), caDirectory: nil, system: false) }
        #expect(try ProbeTrustChoice.trust(caFile: nil, caDirectory: nil, system: true) == .file(ProbeTrustChoice.systemBundlePath))
        let expected: ProbeOptions.Trust = FileManager.default.fileExists(atPath: ProbeTrustChoice.systemBundlePath)
            ? .file(ProbeTrustChoice.systemBundlePath) : .none
        #expect(try ProbeTrustChoice.trust(caFile: nil, caDirectory: nil, system: false) == expected)
    }

    @Test("summary: expiring within 30 days is decided on dates, to the second")
    func summaryExpiry() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        func report(_ notAfter: Date?, verdict: ProbeVerdict = .ok) -> ProbeReport {
            var report = ProbeReport(host: "mx.example.org", port: 25, verdict: verdict, reason: "")
            if let notAfter {
                report.chain = [ProbedCertificate(subject: "CN=mx", issuer: "CN=ca", altNames: [], notBefore: UTCTimestamp.iso8601(now),
                                                  notAfter: UTCTimestamp.iso8601(notAfter), key: "", sha256: "", spkiSHA256: "")]
            }
            return report
        }
        var summary = ProbeSummary(now: now)
        summary.add(report(now.addingTimeInterval(30 * 86_400 - 1)))
        summary.add(report(now.addingTimeInterval(30 * 86_400)))
        summary.add(report(now.addingTimeInterval(-3600), verdict: .fail))
        summary.add(report(nil, verdict: .none))
        #expect(summary.count == 4)
        #expect(summary.expiringSoon == 2)
        #expect(summary.worstStatus == 1)
        #expect(summary.verdicts == ["OK": 2, "FAIL": 1, "NONE": 1])
    }

    @Test("UTCTimestamp reads back exactly what iso8601 wrote, and nothing else")
    func timestampRoundTrip() {
        for seconds in [0.0, 951_782_400, 1_800_000_000, 4_102_444_799] {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(UTCTimestamp.date(iso8601: UTCTimestamp.iso8601(date)) == date)
        }
        for text in ["", "2026-11-26 10:15:00Z", "2026-11-26T10:15:00", "2026-13-26T10:15:00Z", "2026-11-26T10:15:0xZ"] {
            #expect(UTCTimestamp.date(iso8601: text) == nil)
        }
    }
}
