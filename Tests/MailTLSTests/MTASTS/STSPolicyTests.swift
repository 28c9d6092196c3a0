import Testing
@testable import MailTLS

/// MTA-STS policy text against RFC 8461 §3.2 (and erratum 6253), and the MX patterns
/// against §4.1: both directions of each rule.
@Suite("MTA-STS policy")
struct STSPolicyTests {
    static let source = "https://mta-sts.example.org/.well-known/mta-sts.txt"

    /// RFC 8461 §3.2's example, CRLF as the RFC wrote it.
    static let rfcExample = "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmx: backupmx.example.com\r\nmax_age: 604800\r\n"

    struct Case: CustomTestStringConvertible, Sendable {
        var label: String
        var text: String
        /// The policy senders use, or nil when they reject it.
        var policy: STSPolicy?
        var error: String? = nil
        var warning: String? = nil
        var testDescription: String { label }
    }

    static let good = STSPolicy(mode: .enforce, maxAge: 604800, mx: ["mail.example.com"])

    static let cases: [Case] = [
        Case(label: "RFC example, CRLF", text: rfcExample,
             policy: STSPolicy(mode: .enforce, maxAge: 604800, mx: ["mail.example.com", "*.example.net", "backupmx.example.com"])),
        Case(label: "LF lines (erratum 6253)", text: "version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 604800\n", policy: good),
        Case(label: "mixed LF and CRLF", text: "version: STSv1\r\nmode: enforce\nmx: mail.example.com\r\nmax_age: 604800", policy: good),
        Case(label: "no final line end", text: "version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 604800", policy: good),
        Case(label: "any order, spaces and tabs around values", text: "max_age:604800  \nmx:\tmail.example.com\nmode:   enforce\t\nversion: STSv1\n", policy: good),
        Case(label: "testing", text: "version: STSv1\nmode: testing\nmx: mail.example.com\nmax_age: 86400\n",
             policy: STSPolicy(mode: .testing, maxAge: 86400, mx: ["mail.example.com"])),
        Case(label: "none needs no mx", text: "version: STSv1\nmode: none\nmax_age: 86400\n", policy: STSPolicy(mode: .none, maxAge: 86400, mx: [])),
        Case(label: "max_age 0", text: "version: STSv1\nmode: none\nmax_age: 0\n", policy: STSPolicy(mode: .none, maxAge: 0, mx: [])),
        Case(label: "max_age at the limit", text: "version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 31557600\n",
             policy: STSPolicy(mode: .enforce, maxAge: 31557600, mx: ["mail.example.com"])),
        Case(label: "max_age with leading zeros (10 digits)", text: "version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 0000604800\n", policy: good),
        Case(label: "unknown keys ignored", text: "version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 604800\nfoo: bar baz\nx-foo_1.2: ünïcode välue\n", policy: good),
        Case(label: "first duplicate wins (mode)", text: "version: STSv1\nmode: enforce\nmode: none\nmx: mail.example.com\nmax_age: 604800\n",
             policy: good, warning: "senders use the first, \"enforce\""),
        Case(label: "first duplicate wins (max_age)", text: "version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 604800\nmax_age: 1\n",
             policy: good, warning: "max_age appears again on line 5"),
        Case(label: "blank line: a warning", text: "version: STSv1\nmode: enforce\n\nmx: mail.example.com\nmax_age: 604800\n",
             policy: good, warning: "line 3 is blank"),
        Case(label: "short max_age: a warning", text: "version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 3600\n",
             policy: STSPolicy(mode: .enforce, maxAge: 3600, mx: ["mail.example.com"]), warning: "less than a day"),

        Case(label: "no version", text: "mode: enforce\nmx: mail.example.com\nmax_age: 604800\n", policy: nil, error: "no version"),
        Case(label: "version STSv2", text: "version: STSv2\nmode: enforce\nmx: mail.example.com\nmax_age: 604800\n", policy: nil, error: "not STSv1"),
        Case(label: "version stsv1", text: "version: stsv1\nmode: enforce\nmx: mail.example.com\nmax_age: 604800\n", policy: nil, error: "not STSv1"),
        Case(label: "no mode", text: "version: STSv1\nmx: mail.example.com\nmax_age: 604800\n", policy: nil, error: "no mode"),
        Case(label: "mode Enforce (case)", text: "version: STSv1\nmode: Enforce\nmx: mail.example.com\nmax_age: 604800\n", policy: nil, error: "case-sensitive"),
        Case(label: "mode strict", text: "version: STSv1\nmode: strict\nmx: mail.example.com\nmax_age: 604800\n", policy: nil, error: "not enforce, testing or none"),
        Case(label: "no max_age", text: "version: STSv1\nmode: enforce\nmx: mail.example.com\n", policy: nil, error: "no max_age"),
        Case(label: "max_age over a year", text: "version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 31557601\n", policy: nil, error: "more than 31557600"),
        Case(label: "max_age 11 digits", text: "version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 00000604800\n", policy: nil, error: "1 to 10 digits"),
        Case(label: "max_age negative", text: "version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: -1\n", policy: nil, error: "not a number"),
        Case(label: "max_age +1", text: "version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: +604800\n", policy: nil, error: "not a number"),
        Case(label: "max_age 1e6", text: "version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 1e6\n", policy: nil, error: "not a number"),
        Case(label: "enforce without mx", text: "version: STSv1\nmode: enforce\nmax_age: 604800\n", policy: nil, error: "no mx line"),
        Case(label: "testing without mx", text: "version: STSv1\nmode: testing\nmax_age: 604800\n", policy: nil, error: "no mx line"),
        Case(label: "mx with a trailing dot", text: "version: STSv1\nmode: enforce\nmx: mail.example.com.\nmax_age: 604800\n", policy: nil, error: "not a host name"),
        Case(label: "mx with a space", text: "version: STSv1\nmode: enforce\nmx: mail example.com\nmax_age: 604800\n", policy: nil, error: "not a host name"),
        Case(label: "mx with a partial wildcard", text: "version: STSv1\nmode: enforce\nmx: mx*.example.com\nmax_age: 604800\n", policy: nil, error: "not a host name"),
        Case(label: "mx with two wildcards", text: "version: STSv1\nmode: enforce\nmx: *.*.example.com\nmax_age: 604800\n", policy: nil, error: "not a host name"),
        Case(label: "mx with a leading hyphen", text: "version: STSv1\nmode: enforce\nmx: -mx.example.com\nmax_age: 604800\n", policy: nil, error: "not a host name"),
        Case(label: "a line without a colon", text: "version: STSv1\nmode: enforce\nmx mail.example.com\nmax_age: 604800\n", policy: nil, error: "line 3"),
        Case(label: "a space before the colon", text: "version : STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 604800\n", policy: nil, error: "is not a key"),
        Case(label: "an empty value", text: "version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 604800\nfoo:\n", policy: nil, error: "foo has no value"),
        Case(label: "a lone CR inside a line", text: "version: STSv1\nmode: enforce\rmx: mail.example.com\nmax_age: 604800\n", policy: nil, error: "control character"),
        Case(label: "an HTML page", text: "<html><body>Not here</body></html>\n", policy: nil, error: "line 1"),
        Case(label: "empty", text: "", policy: nil, error: "no version"),
    ]

    @Test("a key that is not ASCII breaks the grammar")
    func nonASCIIKey() {
        let reading = STSPolicyParser.read("version: STSv1\nmode: none\nmax_age: 1\nünï: x\n", source: Self.source)
        #expect(reading.policy == nil)
        #expect(reading.findings.first?.message.contains("is not a key") == true)
    }

    @Test(arguments: cases)
    func reads(_ testCase: Case) {
        let reading = STSPolicyParser.read(testCase.text, source: Self.source)
        #expect(reading.policy == testCase.policy)
        let errors = reading.findings.filter { $0.severity == .error }
        let warnings = reading.findings.filter { $0.severity == .warning }
        if let word = testCase.error {
            #expect(errors.contains { $0.message.contains(word) }, "\(errors.map(\.message))")
        } else {
            #expect(errors.isEmpty, "\(errors.map(\.message))")
        }
        if let word = testCase.warning {
            #expect(warnings.count == 1 && warnings[0].message.contains(word), "\(warnings.map(\.message))")
        } else if testCase.error == nil {
            #expect(warnings.isEmpty, "\(warnings.map(\.message))")
        }
        #expect(reading.findings.allSatisfy { $0.subject == Self.source && $0.rule == "mta-sts-policy" })
    }

    @Test("a policy over 64 KiB is refused unread; one just under is read")
    func sizeCap() {
        let head = "version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 604800\n"
        let filler = "x: " + String(repeating: "a", count: 200) + "\n"
        var text = head
        while text.utf8.count + filler.utf8.count <= STSPolicy.sizeLimit { text += filler }
        #expect(STSPolicyParser.read(text, source: Self.source).policy == Self.good)
        text += filler
        let over = STSPolicyParser.read(text, source: Self.source)
        #expect(over.policy == nil)
        #expect(over.findings.map(\.message) == ["the policy is \(text.utf8.count) bytes, more than the 65536 senders read"])
    }

    @Test("bytes that are not UTF-8 are refused")
    func notUTF8() {
        let reading = STSPolicyParser.read(Array("version: STSv1\nmode: none\nmax_age: 1\nx: ".utf8) + [0xFF, 0x0A], source: Self.source)
        #expect(reading.policy == nil)
        #expect(reading.findings.first?.message == "the policy is not UTF-8 text")
    }

    struct Coverage: CustomTestStringConvertible, Sendable {
        var patterns: [String]
        var host: String
        var covered: Bool
        var testDescription: String { "\(patterns) \(covered ? "covers" : "does not cover") \(host)" }
    }

    /// RFC 8461 §4.1: `*.example.com` matches `mail.example.com`, not `example.com` nor
    /// `foo.bar.example.com`; names compare case-insensitively.
    static let coverage: [Coverage] = [
        Coverage(patterns: ["mail.example.com"], host: "mail.example.com", covered: true),
        Coverage(patterns: ["mail.example.com"], host: "MAIL.Example.COM", covered: true),
        Coverage(patterns: ["Mail.Example.com"], host: "mail.example.com", covered: true),
        Coverage(patterns: ["mail.example.com"], host: "mail.example.com.", covered: true),     // MX names come absolute from DNS
        Coverage(patterns: ["mail.example.com"], host: "mail2.example.com", covered: false),
        Coverage(patterns: ["mail.example.com"], host: "example.com", covered: false),
        Coverage(patterns: ["*.example.com"], host: "mail.example.com", covered: true),
        Coverage(patterns: ["*.example.com"], host: "MX1.EXAMPLE.COM.", covered: true),
        Coverage(patterns: ["*.example.com"], host: "example.com", covered: false),
        Coverage(patterns: ["*.example.com"], host: "foo.bar.example.com", covered: false),
        Coverage(patterns: ["*.example.com"], host: "mail.example.net", covered: false),
        Coverage(patterns: ["*.example.com"], host: "mailexample.com", covered: false),
        Coverage(patterns: ["a.example.com", "*.example.net"], host: "b.example.net", covered: true),
        Coverage(patterns: [], host: "mail.example.com", covered: false),
    ]

    @Test(arguments: coverage)
    func covers(_ testCase: Coverage) {
        let policy = STSPolicy(mode: .enforce, maxAge: 86400, mx: testCase.patterns)
        #expect(policy.covers(mxHost: testCase.host) == testCase.covered)
    }
}
