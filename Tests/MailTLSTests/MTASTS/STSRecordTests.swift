import Testing
@testable import MailTLS

/// `_mta-sts` TXT records against RFC 8461 §3.1, both directions of each rule.
@Suite("MTA-STS TXT record")
struct STSRecordTests {
    static let name = "_mta-sts.example.org"

    struct Case: CustomTestStringConvertible, Sendable {
        var rrset: [[String]]
        /// The id senders use, or nil for no policy.
        var id: String?
        /// A word the (first) error finding must hold, when there is one.
        var error: String?
        var testDescription: String { rrset.map { $0.map { "\"\($0)\"" }.joined(separator: " ") }.joined(separator: " | ") }
    }

    static let cases: [Case] = [
        Case(rrset: [["v=STSv1; id=20160831085700Z"]], id: "20160831085700Z"),             // RFC 8461 §3.1's example
        Case(rrset: [["v=STSv1;id=abc"]], id: "abc"),                                          // no space needed
        Case(rrset: [["v=STSv1 ;\tid=abc ; "]], id: "abc"),                                    // WSP around ";" and a trailing ";"
        Case(rrset: [["v=STSv1; id=abc;"]], id: "abc"),
        Case(rrset: [["v=STSv1; ", "id=20260101"]], id: "20260101"),                           // strings joined without a space
        Case(rrset: [["v=STS", "v1; id=x"]], id: "x"),                                         // even inside a tag
        Case(rrset: [["v=STSv1; id=", "abc"]], id: "abc"),
        Case(rrset: [["v=STSv1; id=abc; foo=bar"]], id: "abc"),                                // unknown fields ignored
        Case(rrset: [["v=STSv1; foo.bar-baz_1=x!y; id=abc"]], id: "abc"),
        Case(rrset: [[String(repeating: "a", count: 0) + "v=STSv1; id=" + String(repeating: "A9", count: 16)]], id: String(repeating: "A9", count: 16)),
        Case(rrset: [["v=spf1 -all"], ["v=STSv1; id=abc"]], id: "abc"),                       // other TXT records ignored
        Case(rrset: [["v=STSv1; id=" + String(repeating: "a", count: 33)]], id: nil, error: "not 1 to 32"),
        Case(rrset: [["v=STSv1; id=2026-01-01"]], id: nil, error: "\"2026-01-01\" is not 1 to 32"), // a dash
        Case(rrset: [["v=STSv1; id="]], id: nil, error: "not 1 to 32"),
        Case(rrset: [["v=STSv1; id=ab c"]], id: nil, error: "not 1 to 32"),
        Case(rrset: [["v=STSv1; id=äbc"]], id: nil, error: "not 1 to 32"),
        Case(rrset: [["v=STSv1"]], id: nil, error: "no field"),
        Case(rrset: [["v=STSv1;"]], id: nil, error: "no field"),
        Case(rrset: [["v=STSv1; foo=bar"]], id: nil, error: "no id"),
        Case(rrset: [["v=STSv1; ID=abc"]], id: nil, error: "no id"),                           // field names are case-sensitive
        Case(rrset: [["v=STSv1; id=abc; id=def"]], id: nil, error: "2 id fields"),
        Case(rrset: [["v=STSv1;; id=abc"]], id: nil, error: "empty"),
        Case(rrset: [["v=STSv1; id=abc;;"]], id: nil, error: "empty"),
        Case(rrset: [["v=STSv1 id=abc"]], id: nil, error: "does not begin with v=STSv1 followed by"),
        Case(rrset: [["v=STSv1; id abc"]], id: nil, error: "no \"=\""),
        Case(rrset: [["v=STSv1; id=abc; _x=1"]], id: nil, error: "not a field name"),
        Case(rrset: [["v=STSv1; id=abc; foo="]], id: nil, error: "value of foo"),
        Case(rrset: [["v=STSv1; id=abc; foo=a=b"]], id: nil, error: "value of foo"),
        Case(rrset: [["v=STSv1; id=abc"], ["v=STSv1; id=def"]], id: nil, error: "2 TXT records begin with v=STSv1"),
    ]

    @Test(arguments: cases)
    func reads(_ testCase: Case) {
        let reading = STSRecord.read(testCase.rrset, name: Self.name)
        #expect(reading.record?.id == testCase.id)
        let errors = reading.findings.filter { $0.severity == .error }
        if let word = testCase.error {
            #expect(errors.count == 1)
            #expect(errors.first?.message.contains(word) == true, "\(errors.first?.message ?? "no error")")
            #expect(errors.first?.subject == Self.name)
            #expect(errors.first?.rule == "mta-sts-record")
        } else {
            #expect(errors.isEmpty, "\(errors)")
        }
    }

    @Test("no v=STSv1 record: no policy and nothing wrong (the domain publishes none)")
    func absent() {
        for rrset in [[], [["v=spf1 -all"]], [["v=STSv10; id=abc"]], [["xv=STSv1; id=abc"]]] as [[[String]]] {
            let reading = STSRecord.read(rrset, name: Self.name)
            #expect(reading.record == nil)
            #expect(reading.announcements == 0)
            #expect(reading.findings.isEmpty, "\(rrset)")
        }
    }

    @Test("a version tag in the wrong case is ignored, with a warning that says why")
    func wrongCaseVersion() {
        let reading = STSRecord.read([["V=stsv1; id=abc"]], name: Self.name)
        #expect(reading.record == nil)
        #expect(reading.findings.map(\.severity) == [.warning])
        #expect(reading.findings.first?.message.contains("case-sensitive") == true)
    }

    @Test("unknown fields are kept as extensions, in order")
    func extensions() throws {
        let record = try STSRecord.parse("v=STSv1; a=1; id=x; b=2").get()
        #expect(record.extensions.map(\.name) == ["a", "b"])
        #expect(record.extensions.map(\.value) == ["1", "2"])
    }
}
