/// Reads an MTA-STS policy's text by RFC 8461 §3.2: `key: value` lines ending in LF or CRLF
/// (erratum 6253), `version`, `mode`, `max_age` required, `mx` required unless the mode is
/// `none` and repeatable, the first of a repeated other key used, unknown keys ignored.
///
/// A policy senders would reject (any `.error` finding) gives no ``STSPolicy``; warnings
/// are things senders accept but an admin should fix.
public enum STSPolicyParser {
    public struct Reading: Sendable, Equatable {
        /// The policy, when senders would use it.
        public var policy: STSPolicy?
        public var findings: [Finding]
    }

    /// Parses `body`, the policy's bytes; `source` names it in findings (its URL).
    public static func read(_ body: [UInt8], source: String) -> Reading {
        var findings = Findings(source: source)
        guard body.count <= STSPolicy.sizeLimit else {
            findings.error("the policy is \(body.count) bytes, more than the \(STSPolicy.sizeLimit) senders read", fix: "serve the policy alone, a few lines long")
            return Reading(policy: nil, findings: findings.list)
        }
        guard let text = String(validating: body, as: UTF8.self) else {
            findings.error("the policy is not UTF-8 text", fix: "serve plain ASCII lines")
            return Reading(policy: nil, findings: findings.list)
        }
        // Lines from the bytes: to Swift, CR LF is one Character, so a split on "\n" misses it.
        var lines = TXTTagList.split(text, on: "\n").map { line in
            line.utf8.last == 0x0D ? Substring(String(decoding: line.utf8.dropLast(), as: UTF8.self)) : line
        }
        if lines.last?.isEmpty == true { lines.removeLast() } // the last line's terminator is optional
        var values: [String: (value: String, line: Int)] = [:]
        var mx: [String] = []
        for (index, line) in lines.enumerated() {
            let number = index + 1
            if line.isEmpty {
                findings.warning("line \(number) is blank; RFC 8461's grammar has no blank lines and a strict sender may reject the policy",
                                 fix: "remove the blank line")
                continue
            }
            guard let field = field(line, number: number, findings: &findings) else { continue }
            if field.key == "mx" {
                mx.append(field.value)
            } else if let first = values[field.key] {
                findings.warning("\(field.key) appears again on line \(number); senders use the first, \"\(first.value)\" on line \(first.line)",
                                 fix: "keep one \(field.key) line")
            } else {
                values[field.key] = (field.value, number)
            }
        }
        let policy = build(values: values, mx: mx, findings: &findings)
        return Reading(policy: findings.hasError ? nil : policy, findings: findings.list)
    }

    /// Parses `text` (a policy already decoded).
    public static func read(_ text: String, source: String) -> Reading { read(Array(text.utf8), source: source) }

    /// `key ":" *WSP value *WSP`, with the key an `sts-policy-ext-name` and the value
    /// printable (UTF-8 allowed, no control characters).
    private static func field(_ line: Substring, number: Int, findings: inout Findings) -> (key: String, value: String)? {
        guard let colon = line.utf8.firstIndex(of: UInt8(ascii: ":")) else {
            findings.error("line \(number) \"\(printable(line))\" is not \"key: value\"", fix: "write each line as key: value")
            return nil
        }
        let key = String(decoding: line.utf8[..<colon], as: UTF8.self)
        guard TXTTagList.isFieldName(key) else {
            findings.error("line \(number): \"\(printable(Substring(key)))\" is not a key (no spaces before the colon; letters, digits, _ - .)",
                           fix: "write the line as key: value")
            return nil
        }
        let value = TXTTagList.trimWSP(Substring(String(decoding: line.utf8[line.utf8.index(after: colon)...], as: UTF8.self)))
        guard !value.isEmpty, value.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
            findings.error(value.isEmpty ? "line \(number): \(key) has no value" : "line \(number): the value of \(key) holds a control character",
                           fix: "give \(key) a value")
            return nil
        }
        return (key, String(value))
    }

    private static func build(values: [String: (value: String, line: Int)], mx: [String], findings: inout Findings) -> STSPolicy? {
        if let version = values["version"]?.value {
            if version != "STSv1" { findings.error("version is \"\(version)\", not STSv1", fix: "write version: STSv1") }
        } else {
            findings.error("the policy has no version line", fix: "begin it with version: STSv1")
        }
        var mode: STSPolicy.Mode?
        if let text = values["mode"]?.value {
            mode = STSPolicy.Mode(rawValue: text)
            if mode == nil {
                let hint = STSPolicy.Mode(rawValue: text.lowercased()) != nil ? " (modes are case-sensitive)" : ""
                findings.error("mode is \"\(text)\", not enforce, testing or none\(hint)", fix: "write mode: enforce, mode: testing or mode: none")
            }
        } else {
            findings.error("the policy has no mode line", fix: "add mode: testing, then enforce once reports are clean")
        }
        var maxAge: Int?
        if let text = values["max_age"]?.value {
            if text.utf8.count <= 10, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }), let seconds = Int(text) {
                if seconds > STSPolicy.maximumMaxAge {
                    findings.error("max_age \(seconds) is more than \(STSPolicy.maximumMaxAge) seconds (one year)", fix: "use at most 31557600; 604800 (a week) or more is usual")
                } else {
                    maxAge = seconds
                    if seconds < 86400, mode != STSPolicy.Mode.none {
                        findings.warning("max_age \(seconds) is less than a day; the policy protects little between fetches", fix: "use 604800 (a week) or more once the policy is settled")
                    }
                }
            } else {
                findings.error("max_age \"\(text)\" is not a number of seconds (1 to 10 digits)", fix: "write max_age: 604800")
            }
        } else {
            findings.error("the policy has no max_age line", fix: "add max_age: 604800")
        }
        for pattern in mx where !isMXPattern(pattern) {
            findings.error("mx \"\(pattern)\" is not a host name or *. and a host name", fix: "write mx: mail.example.org or mx: *.example.org")
        }
        if mx.isEmpty, let mode, mode != .none {
            findings.error("mode is \(mode.rawValue) but the policy has no mx line: no MX host can match", fix: "add an mx line for each MX host")
        }
        guard let mode, let maxAge else { return nil }
        return STSPolicy(mode: mode, maxAge: maxAge, mx: mx)
    }

    /// `sts-policy-mx-value = ["*."] Domain`, Domain as RFC 5321 has it (letters, digits and
    /// inner hyphens; no trailing dot).
    static func isMXPattern(_ pattern: String) -> Bool {
        let name = pattern.hasPrefix("*.") ? pattern.dropFirst(2) : Substring(pattern)
        guard !name.isEmpty, name.utf8.count <= 253 else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            let bytes = Array(label.utf8)
            guard let first = bytes.first, let last = bytes.last, bytes.count <= 63 else { return false }
            return TXTTagList.isAlphaDigit(first) && TXTTagList.isAlphaDigit(last)
                && bytes.allSatisfy { TXTTagList.isAlphaDigit($0) || $0 == UInt8(ascii: "-") }
        }
    }

    /// A line as it can be quoted in one line of output.
    private static func printable(_ line: Substring) -> String {
        String(line.prefix(80).unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) })
    }

    /// The findings of one reading, all about the policy's URL.
    private struct Findings {
        let source: String
        var list: [Finding] = []
        var hasError: Bool { list.contains { $0.severity == .error } }
        mutating func error(_ message: String, fix: String) { list.append(Finding(.error, source, message, fix: fix, rule: rule)) }
        mutating func warning(_ message: String, fix: String) { list.append(Finding(.warning, source, message, fix: fix, rule: rule)) }
    }

    static let rule = "mta-sts-policy"
}
