import Testing
@testable import MailTLS

/// `_smtp._tls` TXT records against RFC 8460 §3, both directions of each rule.
@Suite("TLS-RPT TXT record")
struct TLSRPTRecordTests {
    static let name = "_smtp._tls.example.org"

    struct Case: CustomTestStringConvertible, Sendable {
        var rrset: [[String]]
        var rua: [String]?
        var error: String?
        var warning: String?
        var testDescription: String { rrset.map { $0.joined(separator: "\" \"") }.joined(separator: " | ") }
    }

    static let cases: [Case] = [
        // RFC 8460 §3.1's examples.
        Case(rrset: [["v=TLSRPTv1;rua=mailto:reports@example.com"]], rua: ["mailto:reports@example.com"]),
        Case(rrset: [["v=TLSRPTv1; rua=https://reporting.example.com/v1/tlsrpt"]], rua: ["https://reporting.example.com/v1/tlsrpt"]),
        Case(rrset: [["v=TLSRPTv1; rua=mailto:reports@example.com,https://reporting.example.com/v1/tlsrpt"]],
             rua: ["mailto:reports@example.com", "https://reporting.example.com/v1/tlsrpt"]),
        Case(rrset: [["v=TLSRPTv1; rua=mailto:a@example.com , https://r.example.com/x ;"]], rua: ["mailto:a@example.com", "https://r.example.com/x"]),
        Case(rrset: [["v=TLSRPTv1; ", "rua=mailto:a@example.com"]], rua: ["mailto:a@example.com"]),     // joined without a space
        Case(rrset: [["v=TLSRPTv1; rua=mailto:a%21b%2Cc%3Bd@example.com"]], rua: ["mailto:a%21b%2Cc%3Bd@example.com"]), // encoded ! , ;
        Case(rrset: [["v=TLSRPTv1; rua=MAILTO:a@example.com"]], rua: ["MAILTO:a@example.com"]),          // schemes are case-insensitive
        Case(rrset: [["v=TLSRPTv1; rua=mailto:a@example.com; x-ext=1"]], rua: ["mailto:a@example.com"]),
        Case(rrset: [["v=spf1 -all"], ["v=TLSRPTv1; rua=mailto:a@example.com"]], rua: ["mailto:a@example.com"]),
        Case(rrset: [["v=TLSRPTv1; rua=mailto:a@example.com,ftp://example.com/r"]], rua: ["mailto:a@example.com", "ftp://example.com/r"],
             warning: "neither mailto: nor https:"),
        Case(rrset: [["v=TLSRPTv1; rua=ftp://example.com/r"]], rua: nil, error: "no mailto: or https:"),
        Case(rrset: [["v=TLSRPTv1; rua=mailto:a!b@example.com"]], rua: nil, error: "%21"),
        Case(rrset: [["v=TLSRPTv1; rua=mailto:a@example.com,"]], rua: nil, error: "empty address"),
        Case(rrset: [["v=TLSRPTv1; rua=mailto:a b@example.com"]], rua: nil, error: "a character a URI cannot"),
        Case(rrset: [["v=TLSRPTv1; rua=mailto:a%2@example.com"]], rua: nil, error: "two hex digits"),
        Case(rrset: [["v=TLSRPTv1; rua=reports@example.com"]], rua: nil, error: "not a URI"),
        Case(rrset: [["v=TLSRPTv1; rua=example.com"]], rua: nil, error: "not a URI"),
        Case(rrset: [["v=TLSRPTv1; rua=mailto:"]], rua: nil, error: "no mailbox"),
        Case(rrset: [["v=TLSRPTv1; rua=https:/x"]], rua: nil, error: "no host"),
        Case(rrset: [["v=TLSRPTv1"]], rua: nil, error: "no field"),
        Case(rrset: [["v=TLSRPTv1; ruf=mailto:a@example.com"]], rua: nil, error: "no rua"),
        Case(rrset: [["v=TLSRPTv1; RUA=mailto:a@example.com"]], rua: nil, error: "no rua"),
        Case(rrset: [["v=TLSRPTv1; rua=mailto:a@example.com; rua=mailto:b@example.com"]], rua: nil, error: "2 rua fields"),
        Case(rrset: [["v=TLSRPTv1 rua=mailto:a@example.com"]], rua: nil, error: "does not begin with"),
        Case(rrset: [["v=TLSRPTv1; rua=mailto:a@example.com"], ["v=TLSRPTv1; rua=mailto:b@example.com"]], rua: nil,
             error: "2 TXT records begin with v=TLSRPTv1"),
    ]

    @Test(arguments: cases)
    func reads(_ testCase: Case) {
        let reading = TLSRPTRecord.read(testCase.rrset, name: Self.name)
        #expect(reading.record?.rua == testCase.rua)
        let errors = reading.findings.filter { $0.severity == .error }
        let warnings = reading.findings.filter { $0.severity == .warning }
        if let word = testCase.error {
            #expect(errors.count == 1)
            #expect(errors.first?.message.contains(word) == true, "\(errors.first?.message ?? "no error")")
        } else {
            #expect(errors.isEmpty, "\(errors)")
        }
        if let word = testCase.warning {
            #expect(warnings.count == 1)
            #expect(warnings.first?.message.contains(word) == true, "\(warnings)")
        } else if testCase.error == nil {
            #expect(warnings.isEmpty, "\(warnings)")
        }
    }

    @Test("no v=TLSRPTv1 record: no reporting and nothing wrong")
    func absent() {
        for rrset in [[], [["v=spf1 -all"]], [["v=TLSRPTv10; rua=mailto:a@example.com"]]] as [[[String]]] {
            let reading = TLSRPTRecord.read(rrset, name: Self.name)
            #expect(reading.record == nil)
            #expect(reading.findings.isEmpty)
        }
    }
}
