/// The `v=VERSION; key=value; …` syntax that MTA-STS (RFC 8461 §3.1) and TLS-RPT
/// (RFC 8460 §3) records share, read from one TXT record.
///
/// Both grammars are `version 1*(*WSP ";" *WSP field) [*WSP ";" *WSP]`: a field delimiter
/// may have spaces or tabs around it, one trailing delimiter is allowed, an empty field
/// (`;;`) is not. Field names and the version are case-sensitive.
public struct TXTTagList: Sendable, Equatable {
    public struct Field: Sendable, Equatable {
        public var name: String
        public var value: String
        /// 1-based position among the fields after the version.
        public var position: Int
    }

    public var fields: [Field]

    /// Joins one TXT record's character-strings as RFC 7208 §3.3 and RFC 8461 §3.1 say:
    /// with nothing between them.
    public static func join(_ strings: [String]) -> String { strings.joined() }

    /// Whether `record` announces `version` (`v=STSv1`): the tag, then the end, a space or
    /// a `;`. `v=STSv10` does not.
    public static func announces(_ version: String, _ record: String) -> Bool {
        guard record.hasPrefix(version) else { return false }
        let rest = record.utf8.dropFirst(version.utf8.count)
        guard let next = rest.first else { return true }
        return next == UInt8(ascii: ";") || isWSP(next)
    }

    /// Splits `record` (known to announce `version`) into its fields, or says in one clause
    /// what breaks the grammar.
    public static func parse(_ record: String, version: String) -> Result<TXTTagList, TXTTagError> {
        // Split on the bytes: a ";" followed by a combining mark is one Character to Swift.
        var parts = split(record, on: ";").map(trimWSP)
        guard parts.first == Substring(version) else {
            return .failure(TXTTagError("it does not begin with \(version) followed by \";\""))
        }
        parts.removeFirst()
        if parts.last?.isEmpty == true { parts.removeLast() } // one trailing delimiter
        guard !parts.isEmpty else { return .failure(TXTTagError("it has no field after \(version)")) }
        var fields: [Field] = []
        for (index, part) in parts.enumerated() {
            guard !part.isEmpty else { return .failure(TXTTagError("field \(index + 1) is empty (\";;\")")) }
            guard let equals = part.utf8.firstIndex(of: UInt8(ascii: "=")) else {
                return .failure(TXTTagError("field \"\(part)\" has no \"=\""))
            }
            let name = String(decoding: part.utf8[..<equals], as: UTF8.self)
            let value = String(decoding: part.utf8[part.utf8.index(after: equals)...], as: UTF8.self)
            guard isFieldName(name) else {
                return .failure(TXTTagError("\"\(name)\" is not a field name (a letter or digit, then up to 31 letters, digits, _ - .)"))
            }
            fields.append(Field(name: name, value: value, position: index + 1))
        }
        return .success(TXTTagList(fields: fields))
    }

    /// The fields named `name`, in order.
    public func values(_ name: String) -> [String] { fields.filter { $0.name == name }.map(\.value) }

    /// `parse`, then the checks both record kinds make: every other field's value is a valid
    /// extension value, and `field` (`id`, `rua`) is there exactly once. Returns its value.
    public static func parse(_ record: String, version: String, requiring field: String) -> Result<(list: TXTTagList, value: String), TXTTagError> {
        let list: TXTTagList
        switch parse(record, version: version) {
        case .success(let parsed): list = parsed
        case .failure(let error): return .failure(error)
        }
        for other in list.fields where other.name != field && !isExtensionValue(other.value) {
            return .failure(TXTTagError("the value of \(other.name) is empty or holds a space, \"=\" or a control character"))
        }
        let values = list.values(field)
        guard let value = values.first else { return .failure(TXTTagError("it has no \(field) field")) }
        guard values.count == 1 else { return .failure(TXTTagError("it has \(values.count) \(field) fields")) }
        return .success((list, value))
    }

    /// `sts-ext-name` / `tlsrpt-ext-name`: `(ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")`.
    public static func isFieldName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, isAlphaDigit(first), bytes.count <= 32 else { return false }
        return bytes.dropFirst().allSatisfy { isAlphaDigit($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }
    }

    /// `sts-ext-value` / `tlsrpt-ext-value`: `1*(%x21-3A / %x3C / %x3E-7E)` (printable
    /// ASCII but `;`, `=` and space).
    public static func isExtensionValue(_ value: String) -> Bool {
        !value.isEmpty && value.utf8.allSatisfy { (0x21...0x7E).contains($0) && $0 != UInt8(ascii: ";") && $0 != UInt8(ascii: "=") }
    }

    /// `text` split at every `separator` byte (an ASCII character), empty pieces kept.
    static func split(_ text: some StringProtocol, on separator: Unicode.Scalar) -> [Substring] {
        text.utf8.split(separator: UInt8(ascii: separator), omittingEmptySubsequences: false)
            .map { Substring(String(decoding: $0, as: UTF8.self)) }
    }

    static func isAlphaDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    static func isWSP(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    static func trimWSP(_ text: Substring) -> Substring {
        var text = text
        while let first = text.utf8.first, isWSP(first) { text = text.dropFirst() }
        while let last = text.utf8.last, isWSP(last) { text = text.dropLast() }
        return text
    }
}

/// Why a TXT record breaks the tag-list grammar, as a clause ("field 2 is empty").
public struct TXTTagError: Error, Sendable, Equatable {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
}

/// What reading a TXT RRset of one record kind (`_mta-sts`, `_smtp._tls`) gave: the record
/// (nil when there is none senders would use) and what is wrong or worth knowing, as findings
/// about the owner name.
public struct TXTRecordReading<Record: Sendable & Equatable>: Sendable, Equatable {
    public var record: Record?
    public var findings: [Finding]
    /// How many records announced the version (0: the domain publishes none).
    public var announcements: Int
}

extension TXTTagList {
    /// The records of `rrset` (each record's strings joined), and the one that begins with
    /// `version` when exactly one does. Records that do not are another kind and ignored;
    /// several that do mean senders use none (RFC 8461 §3.1, RFC 8460 §3), which is an error
    /// finding that ends with what senders then do (`consequence`).
    static func single(_ rrset: [[String]], version: String, name: String, rule: String,
                       consequence: String) -> (records: [String], text: String?, announcements: Int, findings: [Finding]) {
        let records = rrset.map(join)
        let announcing = records.filter { announces(version, $0) }
        guard announcing.count == 1 else {
            let findings = announcing.count > 1
                ? [Finding(.error, name, "\(announcing.count) TXT records begin with \(version): \(consequence)",
                           fix: "publish exactly one \(version) record", rule: rule)]
                : []
            return (records, nil, announcing.count, findings)
        }
        return (records, announcing[0], 1, [])
    }
}
