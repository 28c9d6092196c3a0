/// A `Content-Type:` or `Content-Disposition:` value (RFC 2045 §5.1, RFC 2183): the value
/// before the first `;`, in lower case, and its parameters (names in lower case; values
/// unquoted, backslash escapes undone). RFC 2231 continuations are not joined: the
/// parameters a TLS report needs (`boundary`, `name`, `filename`) are short.
struct MIMEContentType: Equatable {
    /// `multipart/report`, `application/tlsrpt+gzip`, `attachment`.
    var value: String
    var parameters: [String: String]

    /// RFC 2045 §5.2: a part without a Content-Type is `text/plain`.
    static let plainText = MIMEContentType(value: "text/plain", parameters: [:])

    var isMultipart: Bool { value.hasPrefix("multipart/") }

    init(value: String, parameters: [String: String]) {
        self.value = value
        self.parameters = parameters
    }

    /// Parses a field's value (already unfolded). Comments in parentheses are dropped.
    init(parsing text: String) {
        var bytes = Array(text.utf8)[...]
        var parameters: [String: String] = [:]
        let value = Self.token(&bytes, stopAt: [UInt8(ascii: ";")])
        while let first = bytes.first, first == UInt8(ascii: ";") {
            bytes = bytes.dropFirst()
            let name = Self.token(&bytes, stopAt: [UInt8(ascii: "="), UInt8(ascii: ";")])
            guard bytes.first == UInt8(ascii: "=") else { continue }
            bytes = bytes.dropFirst()
            Self.skipSpace(&bytes)
            let parameterValue: String
            if bytes.first == UInt8(ascii: "\"") {
                parameterValue = Self.quoted(&bytes)
                _ = Self.token(&bytes, stopAt: [UInt8(ascii: ";")]) // anything after the closing quote
            } else {
                parameterValue = Self.token(&bytes, stopAt: [UInt8(ascii: ";")], lowercase: false)
            }
            if !name.isEmpty && parameters[name] == nil { parameters[name] = parameterValue }
        }
        self.init(value: value, parameters: parameters)
    }

    /// The text up to one of `stopAt` (not consumed), without spaces and comments.
    private static func token(_ bytes: inout ArraySlice<UInt8>, stopAt: Set<UInt8>, lowercase: Bool = true) -> String {
        var out: [UInt8] = []
        var depth = 0
        while let byte = bytes.first {
            if depth == 0 && stopAt.contains(byte) { break }
            bytes = bytes.dropFirst()
            if byte == UInt8(ascii: "(") { depth += 1; continue }
            if byte == UInt8(ascii: ")") && depth > 0 { depth -= 1; continue }
            if depth > 0 || byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A { continue }
            out.append(byte)
        }
        let text = String(decoding: out, as: UTF8.self)
        return lowercase ? text.lowercased() : text
    }

    /// A quoted-string from its opening quote to its closing one (or the end).
    private static func quoted(_ bytes: inout ArraySlice<UInt8>) -> String {
        bytes = bytes.dropFirst()
        var out: [UInt8] = []
        while let byte = bytes.first {
            bytes = bytes.dropFirst()
            if byte == UInt8(ascii: "\"") { break }
            if byte == UInt8(ascii: "\\"), let next = bytes.first {
                out.append(next)
                bytes = bytes.dropFirst()
                continue
            }
            if byte == 0x0D || byte == 0x0A { continue }
            out.append(byte)
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func skipSpace(_ bytes: inout ArraySlice<UInt8>) {
        while let byte = bytes.first, byte == 0x20 || byte == 0x09 { bytes = bytes.dropFirst() }
    }
}
