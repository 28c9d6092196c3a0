/// One MIME entity (RFC 2045, RFC 2046) of a message: its header fields, its content type,
/// and its body, either as lines or, for `multipart/*` and `message/rfc822`, as the entities
/// inside. Built on the same line splitting (`MessageSplitter`) and header reading
/// (`HeaderFields`) that `headers` uses.
struct MIMEEntity {
    var fields: [HeaderFields]
    var contentType: MIMEContentType
    /// The body's lines, line endings removed (for a multipart: the whole body, preamble included).
    var body: ArraySlice<ArraySlice<UInt8>>
    /// The parts of a multipart, or the message inside a `message/rfc822`; empty otherwise.
    var parts: [MIMEEntity]

    /// Nesting deeper than this is not followed (real mail nests two or three levels).
    static let depthLimit = 16

    /// Reads an entity from its lines: header fields up to the first empty line, then the body.
    ///
    /// - Throws: `MailTLSError` naming `source` when a header section holds binary data.
    init(lines: ArraySlice<ArraySlice<UInt8>>, source: String, depth: Int = 0) throws {
        let end = lines.firstIndex(where: \.isEmpty) ?? lines.endIndex
        fields = try HeaderFields.parse(Array(lines[lines.startIndex..<end]), source: source)
        body = end < lines.endIndex ? lines[(end + 1)...] : lines[end...]
        contentType = fields.last { $0.name == "content-type" }.map { MIMEContentType(parsing: $0.value) } ?? .plainText
        parts = []
        guard depth < Self.depthLimit else { return }
        if contentType.isMultipart, let boundary = contentType.parameters["boundary"], !boundary.isEmpty {
            parts = try Self.split(body, boundary: boundary).map { try MIMEEntity(lines: $0, source: source, depth: depth + 1) }
        } else if contentType.value == "message/rfc822" || contentType.value == "message/global" {
            parts = [try MIMEEntity(lines: body, source: source, depth: depth + 1)]
        }
    }

    /// This entity and every entity inside it, depth first, in the order they appear.
    var all: [MIMEEntity] { [self] + parts.flatMap(\.all) }

    /// A field's value (the last one with that name wins, as in `contentType`).
    func field(_ name: String) -> String? { fields.last { $0.name == name }?.value }

    /// The file name the sender gave the part (Content-Disposition's `filename`, else
    /// Content-Type's `name`).
    var fileName: String? {
        field("content-disposition").flatMap { MIMEContentType(parsing: $0).parameters["filename"] }
            ?? contentType.parameters["name"]
    }

    /// The body's bytes after its Content-Transfer-Encoding: base64 and quoted-printable
    /// decoded, anything else (7bit, 8bit, binary) as the lines joined by CRLF.
    ///
    /// - Throws: `MailTLSError` naming `source` when base64 does not decode.
    func decodedBody(source: String) throws -> [UInt8] {
        let encoding = field("content-transfer-encoding").map { MIMEContentType(parsing: $0).value } ?? "7bit"
        switch encoding {
        case "base64":
            // RFC 2045 §6.8: line breaks and other characters outside the alphabet are ignored.
            var text: [UInt8] = []
            for line in body { text += line.filter { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D } }
            guard let bytes = Base64.decode(String(decoding: text, as: UTF8.self)) else {
                throw MailTLSError(source, "has a base64 part that does not decode", remedy: "save the message again, whole, as it was received")
            }
            return bytes
        case "quoted-printable":
            return QuotedPrintable.decode(body)
        default:
            return Array(body.map(Array.init).joined(separator: [0x0D, 0x0A]))
        }
    }

    /// The parts of a multipart body: the lines between `--boundary` lines, up to
    /// `--boundary--` (preamble and epilogue left out; trailing spaces after a delimiter are
    /// allowed, RFC 2046 §5.1.1).
    static func split(_ body: ArraySlice<ArraySlice<UInt8>>, boundary: String) -> [ArraySlice<ArraySlice<UInt8>>] {
        let delimiter = Array("--\(boundary)".utf8)
        var parts: [ArraySlice<ArraySlice<UInt8>>] = []
        var start: Int?
        for index in body.indices {
            let line = body[index]
            guard line.starts(with: delimiter) else { continue }
            var rest = line.dropFirst(delimiter.count)
            let closing = rest.starts(with: [UInt8(ascii: "-"), UInt8(ascii: "-")])
            if closing { rest = rest.dropFirst(2) }
            guard rest.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) else { continue }
            if let first = start { parts.append(body[first..<index]) }
            if closing { return parts }
            start = index + 1
        }
        if let first = start { parts.append(body[first...]) } // no closing delimiter: take the rest
        return parts
    }
}
