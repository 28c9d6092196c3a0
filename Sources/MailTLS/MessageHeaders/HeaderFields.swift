/// The header section of one message: fields until the first empty line, unfolded.
struct HeaderFields {
    var name: String
    var value: String

    /// Field names are compared in lower case; continuation lines join their field with their
    /// leading whitespace kept (RFC 5322 unfolding). Lines that are neither are skipped.
    static func parse(_ lines: [ArraySlice<UInt8>], source: String) throws -> [HeaderFields] {
        var fields: [HeaderFields] = []
        var nameBytes: [UInt8] = []
        var valueBytes: [UInt8] = []
        func finish() {
            if !nameBytes.isEmpty {
                fields.append(HeaderFields(name: String(decoding: nameBytes, as: UTF8.self).lowercased(),
                                           value: String(decoding: valueBytes, as: UTF8.self)))
            }
            nameBytes = []
            valueBytes = []
        }
        for line in lines {
            if line.isEmpty { break }
            if line.contains(where: isBinary) {
                throw MailTLSError(source, "holds binary data, not a mail message",
                                   remedy: "give a message or mbox file as text, e.g. as saved by your mail client's \"show original\"")
            }
            if line.first == 0x20 || line.first == 0x09 {
                if !nameBytes.isEmpty { valueBytes.append(contentsOf: line) }
                continue
            }
            finish()
            guard let colon = line.firstIndex(of: 0x3A), colon > line.startIndex,
                  line[line.startIndex..<colon].allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { continue }
            nameBytes = Array(line[line.startIndex..<colon])
            valueBytes = Array(line[(colon + 1)...])
        }
        finish()
        return fields
    }

    /// Control bytes that never occur in a header section (tab, CR, LF, FF, VT and ESC may).
    static func isBinary(_ byte: UInt8) -> Bool {
        byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0B && byte != 0x0C && byte != 0x0D && byte != 0x1B
            || byte == 0x7F
    }
}
