/// A TLSA record as read from a zone file or `dig` output: the record, and the owner name
/// and TTL when the line had them.
public struct TLSAZoneEntry: Sendable, Hashable {
    /// `_25._tcp.mail.example.org.`; nil for a bare `3 1 1 <hex>` line.
    public var owner: String?
    /// The TTL in seconds, when the line (or a `$TTL` before it) gave one.
    public var ttl: Int?
    public var record: TLSARecord
    /// The line the record starts on, for messages.
    public var line: Int

    public init(owner: String?, ttl: Int?, record: TLSARecord, line: Int) {
        self.owner = owner
        self.ttl = ttl
        self.record = record
        self.line = line
    }
}

/// Reads TLSA records from zone-file text, the forms admins paste:
///
/// - `_25._tcp.mail.example.org. IN TLSA 3 1 1 <hex>`, with or without a TTL, with the
///   class left out, the owner left out (a line starting with a blank repeats the previous
///   owner), relative owners completed by `$ORIGIN`, `@`, and data spread over several
///   lines inside `( … )`;
/// - RFC 3597's generic form, `… IN TYPE52 \# 35 030101<hex>` (also `TLSA \# …`);
/// - bare record data as `dig +short` prints it: `3 1 1 <hex>` (hex may be split by spaces).
///
/// Comments (`;` to the end of the line) and records of other types (MX, A, …) are skipped,
/// so a whole zone file can be given. Anything that looks like a TLSA record but does not
/// parse is an error naming the file and line.
public enum TLSAZoneParser {
    /// Parses `text` read from `path` (the path is used in messages only).
    public static func parse(_ text: String, path: String) throws -> [TLSAZoneEntry] {
        var entries: [TLSAZoneEntry] = []
        var previousOwner: String?
        var origin: String?
        var defaultTTL: Int?
        for logical in try logicalLines(text, path: path) {
            var tokens = logical.tokens
            func fail(_ problem: String, _ remedy: String = "write it as _25._tcp.mail.example.org. IN TLSA 3 1 1 <hex>, or as 3 1 1 <hex>") -> MailTLSError {
                MailTLSError(path, "line \(logical.line): \(problem)", remedy: remedy)
            }
            if let first = tokens.first, first.hasPrefix("$") {
                switch first.uppercased() {
                case "$ORIGIN":
                    guard tokens.count >= 2 else { throw fail("$ORIGIN without a name", "give the zone's name: $ORIGIN example.org.") }
                    origin = absolute(tokens[1], origin: origin)
                case "$TTL":
                    guard tokens.count >= 2, let ttl = ttlSeconds(tokens[1]) else { throw fail("$TTL without a valid time", "give seconds: $TTL 3600") }
                    defaultTTL = ttl
                default:
                    throw fail("\(first) is not supported", "give the records themselves, one file")
                }
                continue
            }
            // Bare record data: `3 1 1 <hex…>`.
            if tokens.count >= 3, tokens[0...2].allSatisfy({ UInt8($0) != nil }) {
                if tokens.count == 3 { throw fail("the record has no data after \(tokens.joined(separator: " "))") }
                let record = try recordData(Array(tokens), fail: fail)
                entries.append(TLSAZoneEntry(owner: nil, ttl: nil, record: record, line: logical.line))
                continue
            }
            var owner: String?
            if logical.startsWithBlank || isClass(tokens[0]) || isTLSAType(tokens[0]) || ttlSeconds(tokens[0]) != nil {
                owner = previousOwner
            } else {
                owner = tokens[0] == "@" ? origin : absolute(tokens[0], origin: origin)
                tokens.removeFirst()
                previousOwner = owner
            }
            var ttl = defaultTTL
            var seen = 0
            while seen < 2, let token = tokens.first, isClass(token) || ttlSeconds(token) != nil {
                if let value = ttlSeconds(token) { ttl = value }
                tokens.removeFirst()
                seen += 1
            }
            guard let type = tokens.first else { throw fail("no record type after the owner name") }
            guard isTLSAType(type) else { continue }
            tokens.removeFirst()
            let record: TLSARecord
            if tokens.first == "\\#" {
                record = try genericData(Array(tokens.dropFirst()), fail: fail)
            } else {
                guard tokens.count >= 4 else {
                    throw fail(tokens.isEmpty ? "TLSA with no record data" : "TLSA data needs usage, selector, matching type and data; found \(tokens.joined(separator: " "))")
                }
                record = try recordData(tokens, fail: fail)
            }
            entries.append(TLSAZoneEntry(owner: owner, ttl: ttl, record: record, line: logical.line))
        }
        return entries
    }

    /// Reads the file at `path` and parses it; a file without any TLSA record is an error.
    public static func load(_ path: String) throws -> [TLSAZoneEntry] {
        let text = String(decoding: try FileReading.bytes(of: path), as: UTF8.self)
        let entries = try parse(text, path: path)
        guard !entries.isEmpty else {
            throw MailTLSError(path, "holds no TLSA record", remedy: "give the records as published, e.g. _25._tcp.mail.example.org. IN TLSA 3 1 1 <hex>")
        }
        return entries
    }

    /// `3 1 1 ab cd…`: three numbers 0–255, then hex, possibly split by blanks.
    private static func recordData(_ tokens: [String], fail: (String, String) -> MailTLSError) throws -> TLSARecord {
        var numbers: [UInt8] = []
        for (index, name) in ["usage", "selector", "matching type"].enumerated() {
            guard let value = UInt8(tokens[index]) else {
                throw fail("\(name) \"\(tokens[index])\" is not a number from 0 to 255", "usage, selector and matching type are numbers, e.g. 3 1 1")
            }
            numbers.append(value)
        }
        let hex = tokens.dropFirst(3).joined()
        guard let data = hexBytes(hex) else {
            throw fail("the record data is not hexadecimal (\(hex.count) characters)", "give the data as hex digits, an even number of them")
        }
        return TLSARecord(usage: .init(rawValue: numbers[0]), selector: .init(rawValue: numbers[1]),
                          matchingType: .init(rawValue: numbers[2]), data: data)
    }

    /// RFC 3597: `\# <length> <hex…>`.
    private static func genericData(_ tokens: [String], fail: (String, String) -> MailTLSError) throws -> TLSARecord {
        let remedy = "write it as TYPE52 \\# <length> <hex>, the length counting the 3 parameter bytes"
        guard let first = tokens.first, let length = Int(first) else { throw fail("\\# must be followed by the data length", remedy) }
        let hex = tokens.dropFirst().joined()
        guard let bytes = hexBytes(hex) else { throw fail("the generic data is not hexadecimal", remedy) }
        guard bytes.count == length else { throw fail("\\# says \(length) bytes but the data has \(bytes.count)", remedy) }
        guard let record = TLSARecord(wireFormat: bytes) else { throw fail("TLSA data needs at least 3 bytes, this has \(bytes.count)", remedy) }
        return record
    }

    private struct LogicalLine {
        var tokens: [String]
        var line: Int
        var startsWithBlank: Bool
    }

    /// Joins the lines inside `( … )`, drops comments and blank lines, splits into tokens.
    private static func logicalLines(_ text: String, path: String) throws -> [LogicalLine] {
        var result: [LogicalLine] = []
        var current: LogicalLine?
        var depth = 0
        var number = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            var line = Substring(rawLine)
            if let semicolon = line.firstIndex(of: ";") { line = line[..<semicolon] }
            if line.last == "\r" { line = line.dropLast() }
            var tokens: [String] = []
            var word = ""
            for character in line {
                switch character {
                case " ", "\t", "\r":
                    if !word.isEmpty { tokens.append(word); word = "" }
                case "(":
                    if !word.isEmpty { tokens.append(word); word = "" }
                    depth += 1
                case ")":
                    if !word.isEmpty { tokens.append(word); word = "" }
                    depth -= 1
                    if depth < 0 {
                        throw MailTLSError(path, "line \(number): a ) without its (", remedy: "check the parentheses")
                    }
                default:
                    word.append(character)
                }
            }
            if !word.isEmpty { tokens.append(word) }
            if current == nil {
                if !tokens.isEmpty {
                    current = LogicalLine(tokens: tokens, line: number, startsWithBlank: line.first == " " || line.first == "\t")
                }
            } else {
                current!.tokens += tokens
            }
            if depth == 0, let done = current {
                result.append(done)
                current = nil
            }
        }
        if let open = current, depth > 0 {
            throw MailTLSError(path, "line \(open.line): the ( is never closed", remedy: "end the record with )")
        }
        return result
    }

    private static func isClass(_ token: String) -> Bool {
        let upper = token.uppercased()
        return upper == "IN" || upper == "CH" || upper == "HS" || (upper.hasPrefix("CLASS") && Int(upper.dropFirst(5)) != nil)
    }

    private static func isTLSAType(_ token: String) -> Bool {
        let upper = token.uppercased()
        return upper == "TLSA" || upper == "TYPE52"
    }

    /// `3600`, or BIND's `1h`, `2d`, `1h30m`.
    static func ttlSeconds(_ token: String) -> Int? {
        if let plain = Int(token), plain >= 0 { return plain <= Int(Int32.max) ? plain : nil }
        var total = 0, digits = ""
        for character in token.lowercased() {
            if character.isASCII && character.isNumber {
                digits.append(character)
                continue
            }
            guard let value = Int(digits) else { return nil }
            let unit: Int
            switch character {
            case "s": unit = 1
            case "m": unit = 60
            case "h": unit = 3600
            case "d": unit = 86_400
            case "w": unit = 604_800
            default: return nil
            }
            // A hostile or mistyped TTL must be refused, not trap on overflow (found by fuzzing).
            let (product, overflowA) = value.multipliedReportingOverflow(by: unit)
            let (sum, overflowB) = total.addingReportingOverflow(product)
            guard !overflowA, !overflowB, sum <= Int(Int32.max) else { return nil }
            total = sum
            digits = ""
        }
        return digits.isEmpty && total > 0 ? total : nil
    }

    private static func absolute(_ name: String, origin: String?) -> String {
        if name.hasSuffix(".") { return name.lowercased() }
        guard let origin else { return name.lowercased() + "." }
        return "\(name.lowercased()).\(origin)"
    }

    /// Hex digits (either case) to bytes; nil for odd length or other characters.
    static func hexBytes(_ text: String) -> [UInt8]? {
        Hex.decode(Array(text.utf8))
    }
}
