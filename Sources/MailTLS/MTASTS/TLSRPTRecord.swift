/// A domain's TLS reporting address: the `_smtp._tls.DOMAIN` TXT record (RFC 8460 §3),
/// `v=TLSRPTv1; rua=mailto:tlsrpt@example.org,https://reports.example.org/tlsrpt`.
///
/// Pure parsing of what a DNS lookup returned; the lookup is elsewhere.
public struct TLSRPTRecord: Sendable, Equatable {
    public static let version = "v=TLSRPTv1"

    /// Where reports go, in order: `mailto:` and `https:` URIs as written (still
    /// percent-encoded).
    public var rua: [String]
    /// Fields other than `rua`, which senders ignore.
    public var extensions: [TXTTagList.Field]

    public typealias Reading = TXTRecordReading<TLSRPTRecord>

    /// Reads the TXT RRset at `name` (`_smtp._tls.example.org`). Records that do not begin
    /// with `v=TLSRPTv1` are ignored; unless exactly one does, senders do not report
    /// (RFC 8460 §3).
    public static func read(_ rrset: [[String]], name: String) -> Reading {
        let single = TXTTagList.single(rrset, version: version, name: name, rule: rule,
                                       consequence: "senders then send no TLS reports (RFC 8460 §3)")
        var findings = single.findings
        guard let text = single.text else { return Reading(record: nil, findings: findings, announcements: single.announcements) }
        switch parse(text) {
        case .success(let record):
            for uri in record.rua where scheme(of: uri).map({ !knownSchemes.contains($0) }) ?? true {
                findings.append(Finding(.warning, name, "the report address \"\(uri)\" is neither mailto: nor https:; senders ignore it",
                                        fix: "use a mailto: or https: URI", rule: rule))
            }
            if !record.rua.contains(where: { scheme(of: $0).map(knownSchemes.contains) ?? false }) {
                findings.append(Finding(.error, name, "the TLS-RPT record has no mailto: or https: address; no reports can be sent",
                                        fix: "give rua=mailto:ADDRESS or rua=https://HOST/PATH", rule: rule))
                return Reading(record: nil, findings: findings, announcements: 1)
            }
            return Reading(record: record, findings: findings, announcements: 1)
        case .failure(let error):
            findings.append(Finding(.error, name, "the TLS-RPT record \"\(text)\" is invalid: \(error.reason); senders send no reports",
                                    fix: "publish \"\(version); rua=mailto:ADDRESS\"", rule: rule))
            return Reading(record: nil, findings: findings, announcements: 1)
        }
    }

    /// Parses one record (strings already joined) that announces `v=TLSRPTv1`.
    public static func parse(_ text: String) -> Result<TLSRPTRecord, TXTTagError> {
        let fields: TXTTagList, rua: String
        switch TXTTagList.parse(text, version: version, requiring: "rua") {
        case .success(let parsed): (fields, rua) = parsed
        case .failure(let error): return .failure(error)
        }
        var uris: [String] = []
        for part in TXTTagList.split(rua, on: ",") {
            let uri = String(TXTTagList.trimWSP(part))
            if let problem = uriProblem(uri) { return .failure(TXTTagError(problem)) }
            uris.append(uri)
        }
        return .success(TLSRPTRecord(rua: uris, extensions: fields.fields.filter { $0.name != "rua" }))
    }

    /// Why `uri` is not a URI as RFC 8460 wants it, or nil. RFC 3986 characters only, `%`
    /// followed by two hex digits, a scheme, and `!` percent-encoded (`,` and `;` cannot
    /// reach here: they split the list and the fields).
    static func uriProblem(_ uri: String) -> String? {
        if uri.isEmpty { return "rua has an empty address" }
        guard scheme(of: uri) != nil else { return "\"\(uri)\" is not a URI (no scheme such as mailto:)" }
        let bytes = Array(uri.utf8)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "!") { return "\"\(uri)\" holds \"!\", which must be written %21 in a TLS-RPT address" }
            if byte == UInt8(ascii: "%") {
                guard index + 2 < bytes.count, isHex(bytes[index + 1]), isHex(bytes[index + 2]) else {
                    return "\"\(uri)\" has a \"%\" not followed by two hex digits"
                }
                index += 3
                continue
            }
            guard TXTTagList.isAlphaDigit(byte) || uriMarks.utf8.contains(byte) else {
                return "\"\(uri)\" holds a character a URI cannot (a space or \(byte < 0x20 || byte > 0x7E ? "a control or non-ASCII byte" : "\"\(Character(Unicode.Scalar(byte)))\""))"
            }
            index += 1
        }
        if let scheme = scheme(of: uri), scheme == "mailto", !uri.dropFirst("mailto:".count).contains("@") {
            return "\"\(uri)\" names no mailbox"
        }
        if let scheme = scheme(of: uri), scheme == "https", !uri.dropFirst("https:".count).hasPrefix("//") || uri.count <= "https://".count {
            return "\"\(uri)\" names no host"
        }
        return nil
    }

    /// The scheme in lower case (`mailto`), or nil when `uri` has none.
    static func scheme(of uri: String) -> String? {
        guard let colon = uri.firstIndex(of: ":") else { return nil }
        let scheme = uri[..<colon]
        guard let first = scheme.utf8.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first | 0x20),
              scheme.utf8.allSatisfy({ TXTTagList.isAlphaDigit($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") })
        else { return nil }
        return scheme.lowercased()
    }

    static let knownSchemes: Set<String> = ["mailto", "https"]
    /// RFC 3986 unreserved, gen-delims and sub-delims but `!`, `,` and `;`.
    private static let uriMarks = "-._~:/?#[]@$&'()*+="
    private static func isHex(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte | 0x20)
    }

    static let rule = "tlsrpt-record"
}
