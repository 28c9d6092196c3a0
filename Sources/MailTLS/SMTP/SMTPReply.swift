/// One SMTP reply: a three-digit code and its text lines (RFC 5321 4.2).
public struct SMTPReply: Sendable, Equatable {
    public var code: Int
    public var lines: [String]

    public var isPositive: Bool { (200..<400).contains(code) }
    /// The text of the first line, for messages.
    public var text: String { lines.first ?? "" }
}

/// Collects reply lines from a byte stream, strictly: every line must start with three
/// digits and a space or hyphen, lines and replies are capped, so a hostile server can make
/// the probe give up but never make it hang or grow without bound.
struct SMTPReplyReader {
    enum Failure: Error, Equatable {
        case lineTooLong
        case tooManyLines
        case notSMTP(String)
    }

    /// RFC 5321 allows 512 octets per reply line; real servers stay far below 4096.
    static let maxLineLength = 4096
    static let maxLines = 200

    private(set) var buffer: [UInt8] = []
    private var pending: [String] = []
    private var pendingCode: Int?

    /// Whether bytes are waiting that belong to no complete reply (after STARTTLS's 220 this
    /// means the server, or someone in the path, sent plaintext to be read as if encrypted).
    var hasBufferedBytes: Bool { !buffer.isEmpty || !pending.isEmpty }

    mutating func append(_ bytes: [UInt8]) { buffer += bytes }

    /// The next complete reply, nil when more bytes are needed.
    mutating func nextReply() throws -> SMTPReply? {
        while let newline = buffer.firstIndex(of: 0x0A) {
            var lineBytes = Array(buffer[..<newline])
            buffer.removeSubrange(...newline)
            if lineBytes.last == 0x0D { lineBytes.removeLast() }
            guard lineBytes.count <= Self.maxLineLength else { throw Failure.lineTooLong }
            let line = Self.printable(lineBytes)
            let chars = Array(lineBytes)
            guard chars.count >= 3, chars[0...2].allSatisfy({ (0x30...0x39).contains($0) }),
                  chars.count == 3 || chars[3] == 0x20 || chars[3] == 0x2D,
                  let code = Int(String(decoding: chars[0...2], as: UTF8.self)) else {
                throw Failure.notSMTP(String(line.prefix(80)))
            }
            if let pendingCode, pendingCode != code { throw Failure.notSMTP(String(line.prefix(80))) }
            pendingCode = code
            pending.append(chars.count > 4 ? Self.printable(chars[4...]) : "")
            guard pending.count <= Self.maxLines else { throw Failure.tooManyLines }
            if chars.count == 3 || chars[3] == 0x20 {
                let reply = SMTPReply(code: code, lines: pending)
                pending = []
                pendingCode = nil
                return reply
            }
        }
        guard buffer.count <= Self.maxLineLength else { throw Failure.lineTooLong }
        return nil
    }

    /// Server text made safe to print: control characters (a hostile server's terminal
    /// escapes) become `\xNN`.
    static func printable(_ bytes: some Collection<UInt8>) -> String {
        var out = ""
        for scalar in String(decoding: Array(bytes), as: UTF8.self).unicodeScalars {
            if scalar.value < 0x20 && scalar != "\t" || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value) {
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += "\\x" + (hex.count < 2 ? "0" + hex : hex)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
