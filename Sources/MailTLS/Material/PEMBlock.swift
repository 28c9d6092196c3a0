/// One `-----BEGIN X-----` … `-----END X-----` block of a PEM file.
///
/// mailtls scans PEM itself rather than with swift-asn1's `PEMDocument`, because real
/// files hold several blocks (bundles, `ecparam -genkey` output, cert + key), legacy
/// RFC 1421 headers (`Proc-Type: 4,ENCRYPTED`) and comment lines between blocks, and
/// each of those needs its own clear message rather than one parse failure.
public struct PEMBlock: Equatable, Sendable {
    /// The word(s) after BEGIN: `CERTIFICATE`, `PRIVATE KEY`, …
    public var label: String
    /// RFC 1421 header lines (`Proc-Type: 4,ENCRYPTED`), if any.
    public var headers: [String]
    /// The decoded body.
    public var der: [UInt8]
    /// 1-based line number of the BEGIN line, for messages.
    public var line: Int

    /// Whether this is a legacy or PKCS#8 encrypted private key.
    public var isEncryptedKey: Bool {
        label == "ENCRYPTED PRIVATE KEY" || headers.contains { $0.hasPrefix("Proc-Type:") && $0.contains("ENCRYPTED") }
    }
}

/// Why a PEM file could not be scanned.
public enum PEMScanError: Error, Equatable {
    case missingEnd(label: String, line: Int)
    case mismatchedEnd(label: String, found: String, line: Int)
    case badBase64(label: String, line: Int)
}

public enum PEMScanner {
    /// Whether `bytes` look like PEM at all (a BEGIN line somewhere).
    public static func looksLikePEM(_ bytes: [UInt8]) -> Bool {
        let marker = Array("-----BEGIN ".utf8)
        guard bytes.count >= marker.count else { return false }
        var index = 0
        while index + marker.count <= bytes.count {
            if bytes[index] == marker[0] && Array(bytes[index..<index + marker.count]) == marker { return true }
            index += 1
        }
        return false
    }

    /// All blocks in `text`, in order. Text outside blocks (comments, `openssl x509 -text`
    /// output, Debian's bundle titles) is ignored, as OpenSSL ignores it.
    public static func blocks(in text: String) throws -> [PEMBlock] {
        var result: [PEMBlock] = []
        var current: (label: String, line: Int, headers: [String], body: String, inHeaders: Bool)?
        var lineNumber = 0
        // Swift treats "\r\n" as one Character, so CRLF files (common from Windows CAs)
        // must be split on both forms.
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            let line = rawLine.trimmingTrailingWhitespace()
            if var block = current {
                if line.hasPrefix("-----END ") {
                    let label = String(line.dropFirst(9).prefix { $0 != "-" })
                    guard label == block.label else {
                        throw PEMScanError.mismatchedEnd(label: block.label, found: label, line: lineNumber)
                    }
                    guard let der = Base64.decode(block.body) else {
                        throw PEMScanError.badBase64(label: block.label, line: block.line)
                    }
                    result.append(PEMBlock(label: block.label, headers: block.headers, der: der, line: block.line))
                    current = nil
                    continue
                }
                if line.hasPrefix("-----BEGIN ") {
                    throw PEMScanError.missingEnd(label: block.label, line: block.line)
                }
                if block.inHeaders && block.body.isEmpty && line.contains(":") {
                    block.headers.append(String(line))
                } else if line.isEmpty {
                    block.inHeaders = false
                } else {
                    block.inHeaders = false
                    block.body += line
                }
                current = block
            } else if line.hasPrefix("-----BEGIN ") && line.hasSuffix("-----") {
                let label = String(line.dropFirst(11).dropLast(5))
                current = (label, lineNumber, [], "", true)
            }
        }
        if let block = current {
            throw PEMScanError.missingEnd(label: block.label, line: block.line)
        }
        return result
    }

    /// PEM text for `der` under `label`, 64 columns, ending with a newline.
    public static func encode(_ der: [UInt8], label: String) -> String {
        let body = Base64.encode(der)
        var text = "-----BEGIN \(label)-----\n"
        var index = body.startIndex
        while index < body.endIndex {
            let end = body.index(index, offsetBy: 64, limitedBy: body.endIndex) ?? body.endIndex
            text += body[index..<end] + "\n"
            index = end
        }
        return text + "-----END \(label)-----\n"
    }
}

extension Substring {
    func trimmingTrailingWhitespace() -> Substring {
        var end = endIndex
        while end > startIndex, let last = self[index(before: end)].asciiValue, last == 0x20 || last == 0x09 || last == 0x0D {
            end = index(before: end)
        }
        return self[startIndex..<end]
    }
}
