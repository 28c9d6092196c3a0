import Foundation
import Testing
@testable import MailTLS

/// RFC 8460 §4 reports read and summed: the RFC's example, and each shape real senders send.
@Suite("TLS-RPT reports")
struct TLSRPTReportTests {
    @Test("RFC 8460 §4.4's example: every field where the schema puts it; mx-host as a string")
    func rfcExample() throws {
        let report = try TLSRPTReport.parse(TLSRPTSamples.bytes(TLSRPTSamples.rfc), source: "rfc.json")
        #expect(report.organizationName == "Company-X")
        #expect(report.contactInfo == "sts-reporting@company-x.example")
        #expect(report.reportID == "5065427c-23d3-47ca-b6e0-946ea0e8c4be")
        #expect(report.startDatetime == "2016-04-01T00:00:00Z")
        #expect(report.policies.count == 1)
        let policy = report.policies[0]
        #expect(policy.policyType == "sts")
        #expect(policy.policyDomain == "company-y.example")
        #expect(policy.mxHost == ["*.mail.company-y.example"])
        #expect(policy.policyString.count == 4)
        #expect((policy.successfulSessions, policy.failedSessions) == (5326, 303))
        #expect(policy.failures.map(\.resultType) == ["certificate-expired", "starttls-not-supported", "validation-failure"])
        #expect(policy.failures.map(\.failedSessions) == [100, 200, 3])
        #expect(policy.failures[1].receivingIP == "203.0.113.56")
        #expect(policy.failures[0].receivingIP == nil)
        #expect(policy.failures[2].failureReasonCode == "X509_V_ERR_PROOF_OF_POSSESSION")
    }

    @Test("Microsoft's reports have no sending-mta-ip; mx-host is an array")
    func microsoft() throws {
        let report = try TLSRPTReport.parse(TLSRPTSamples.bytes(TLSRPTSamples.microsoft), source: "ms.json")
        #expect(report.policies[0].mxHost == ["mx1.example.org", "mx2.example.org"])
        #expect(report.policies[0].failures.count == 1)
        #expect(report.policies[0].failures[0].sendingMTAIP == nil)
        #expect(report.policies[0].failures[0].receivingMXHostname == "mx2.example.org")
    }

    @Test("contact-info null, a number as report-id, tlsa and no-policy-found policies, an unknown result type kept by name")
    func quirky() throws {
        let report = try TLSRPTReport.parse(TLSRPTSamples.bytes(TLSRPTSamples.quirky), source: "q.json")
        #expect(report.contactInfo == nil)
        #expect(report.reportID == "20261130")
        #expect(report.policies.map(\.policyType) == ["tlsa", "no-policy-found"])
        #expect(report.policies[0].mxHost == ["mx.example.net"])
        #expect(report.policies[1].mxHost.isEmpty)
        #expect(report.policies[0].failures[0].resultType == "tls-downgrade-detected")
        #expect(TLSRPTResultType.advice("tls-downgrade-detected")?.contains("not one of RFC 8460's result types") == true)
    }

    @Test("JSON that is not a report is refused naming the file and the field")
    func refusals() {
        let cases: [(String, String)] = [
            ("{\"policies\": [", "is not valid JSON"),
            ("[1, 2]", "is not valid JSON"), // not an object: the sniffing would not even take it; parse still refuses
            ("{\"organization-name\": \"X\"}", "no \"policies\" field"),
            ("{\"policies\": {}}", "\"policies\" is not an array"),
            ("{\"policies\": [{\"summary\": {}}]}", "policies[0].policy is missing"),
            ("{\"policies\": [{\"policy\": {\"policy-type\": \"sts\"}, \"summary\": {\"total-successful-session-count\": -1}}]}",
             "policies[0].summary.total-successful-session-count is not a session count"),
            ("{\"policies\": [{\"policy\": {\"policy-type\": \"sts\"}, \"failure-details\": [{\"failed-session-count\": 1}]}]}",
             "policies[0].failure-details[0].result-type is missing"),
            ("{\"policies\": [{\"policy\": {\"policy-type\": \"sts\", \"mx-host\": 7}}]}", "policies[0].policy.mx-host is neither a string nor a list"),
        ]
        for (json, words) in cases {
            do {
                _ = try TLSRPTReport.parse(Array(json.utf8), source: "bad.json")
                Issue.record("accepted \(json)")
            } catch let error as MailTLSError {
                #expect(error.subject == "bad.json")
                #expect(error.problem.contains(words) || (words == "is not valid JSON" && error.problem.contains("not a JSON object")), "\(json): \(error.problem)")
            } catch {
                Issue.record("\(error)")
            }
        }
    }

    @Test("the summary: per organisation and policy, failures by result type, MX and address; the date range across offsets")
    func summary() throws {
        var summary = TLSRPTSummary()
        for (name, text) in [("rfc.json", TLSRPTSamples.rfc), ("ms.json", TLSRPTSamples.microsoft),
                             ("google.json", TLSRPTSamples.google), ("q.json", TLSRPTSamples.quirky)] {
            summary.add(TLSRPTDocuments.contents(of: TLSRPTSamples.bytes(text), source: name))
        }
        summary = summary.finished()
        #expect(summary.reports == 4)
        #expect(summary.duplicates == 0)
        #expect(summary.start == "2016-04-01T00:00:00Z")
        #expect(summary.end == "2026-11-30T23:59:59Z") // 00:59:59.999+01:00 is 23:59:59 UTC
        #expect(summary.successfulSessions == 5326 + 1180 + 2410 + 7 + 3)
        #expect(summary.failedSessions == 303 + 12 + 4)
        #expect(summary.organizations.map(\.name) == ["Company-X", "Microsoft Corporation", "Google Inc.", "Small Mail GmbH"])
        #expect(summary.failuresByResultType.map(\.resultType) == ["starttls-not-supported", "certificate-expired", "tls-downgrade-detected", "validation-failure"])
        #expect(summary.failuresByResultType.map(\.sessions) == [200, 112, 4, 3])
        let small = try #require(summary.organizations.last)
        #expect(small.policies.map(\.policyType) == ["tlsa", "no-policy-found"])
        #expect(small.policies[0].failures == [TLSRPTSummary.FailureCount(resultType: "tls-downgrade-detected", receivingMXHostname: nil, receivingIP: "192.0.2.80", sessions: 4)])
        // Failures are warnings (exit 3), one per organisation and policy that saw some.
        #expect(summary.findings.filter { $0.severity == .warning }.count == 3)
        #expect(summary.exitStatus == 3)
    }

    @Test("the same report twice (same report-id) is counted once, and a finding says so")
    func duplicates() {
        var summary = TLSRPTSummary()
        summary.add(TLSRPTDocuments.contents(of: TLSRPTSamples.bytes(TLSRPTSamples.microsoft), source: "a.json"))
        summary.add(TLSRPTDocuments.contents(of: TLSRPTSamples.bytes(TLSRPTSamples.microsoft), source: "b.eml"))
        #expect(summary.reports == 1)
        #expect(summary.duplicates == 1)
        #expect(summary.failedSessions == 12)
        let note = summary.findings.first { $0.rule == "tlsrpt-duplicate" }
        #expect(note?.subject == "b.eml")
        #expect(note?.message.contains("already read from a.json") == true)
        #expect(summary.exitStatus == 0) // failure findings come only from finished
    }

    @Test("the same failure (result type, MX, address) in two reports is summed; ties are ordered by MX")
    func summedAcrossReports() {
        var summary = TLSRPTSummary()
        let second = TLSRPTSamples.microsoft.replacingOccurrences(of: "134091360000000000", with: "134092224000000000")
            .replacingOccurrences(of: "\"failed-session-count\":12}]", with: "\"failed-session-count\":12},{\"result-type\":\"certificate-expired\",\"receiving-mx-hostname\":\"mx1.example.org\",\"failed-session-count\":24}]")
        summary.add(TLSRPTDocuments.contents(of: TLSRPTSamples.bytes(TLSRPTSamples.microsoft), source: "day1.json"))
        summary.add(TLSRPTDocuments.contents(of: TLSRPTSamples.bytes(second), source: "day2.json"))
        summary = summary.finished()
        #expect(summary.reports == 2)
        #expect(summary.organizations.count == 1)
        #expect(summary.organizations[0].reports == 2)
        #expect(summary.organizations[0].policies.count == 1)
        #expect(summary.organizations[0].policies[0].failures.map { "\($0.receivingMXHostname ?? "-") \($0.sessions)" } == ["mx1.example.org 24", "mx2.example.org 24"])
        #expect(summary.failuresByResultType.map(\.sessions) == [48])
    }

    @Test("reports without failures exit 0")
    func clean() {
        var summary = TLSRPTSummary()
        summary.add(TLSRPTDocuments.contents(of: TLSRPTSamples.bytes(TLSRPTSamples.google), source: "g.json"))
        #expect(summary.finished().exitStatus == 0)
    }

    @Test("RFC 3339 times: Z, offsets, fractions; other text is no date")
    func dates() {
        #expect(TLSRPTDate.date("2026-11-30T00:00:00Z").map(UTCTimestamp.iso8601) == "2026-11-30T00:00:00Z")
        #expect(TLSRPTDate.date("2026-11-30t02:00:00.5+02:00").map(UTCTimestamp.iso8601) == "2026-11-30T00:00:00Z")
        #expect(TLSRPTDate.date("2026-11-29T22:00:00-02:00").map(UTCTimestamp.iso8601) == "2026-11-30T00:00:00Z")
        for bad in ["2026-11-30", "2026-11-30T00:00:00", "2026-11-30T00:00:00+2:00", "2026-13-30T00:00:00Z", "2026-11-30T00:00:00.Z"] {
            #expect(TLSRPTDate.date(bad) == nil, "\(bad)")
        }
    }
}
