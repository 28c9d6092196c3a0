import NIOCore

/// What the server chose in its ServerHello: read from the raw TLS records, because
/// swift-nio-ssl does not expose the negotiated cipher suite or key-exchange group.
public struct ServerHelloFacts: Sendable, Equatable, Codable {
    /// `TLSv1.3`, `TLSv1.2`, …
    public var version: String?
    /// OpenSSL's name for the suite (what `openssl s_client -brief` prints).
    public var cipher: String?
    /// The key-exchange group, TLS 1.3 (`X25519`, `P-256`, …).
    public var group: String?

    /// Parses a TLS handshake record stream that starts with a ServerHello.
    static func parse(_ bytes: [UInt8]) -> ServerHelloFacts? {
        // Record: type 22 (handshake), version (2), length (2); handshake: type 2, length (3).
        guard bytes.count >= 9, bytes[0] == 22, bytes[5] == 2 else { return nil }
        var index = 9
        func take(_ count: Int) -> ArraySlice<UInt8>? {
            guard index + count <= bytes.count else { return nil }
            defer { index += count }
            return bytes[index..<index + count]
        }
        guard let legacyVersion = take(2), take(32) != nil, let sessionLength = take(1).map({ Int($0.first!) }),
              take(sessionLength) != nil, let suite = take(2), take(1) != nil else { return nil }
        var facts = ServerHelloFacts()
        var version = UInt16(legacyVersion.first!) << 8 | UInt16(legacyVersion.last!)
        let suiteCode = UInt16(suite.first!) << 8 | UInt16(suite.last!)
        if let extensionsLength = take(2).map({ Int($0.first!) << 8 | Int($0.last!) }) {
            let end = min(index + extensionsLength, bytes.count)
            while index + 4 <= end {
                let type = Int(bytes[index]) << 8 | Int(bytes[index + 1])
                let length = Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
                index += 4
                guard index + length <= end else { break }
                if type == 0x002B && length == 2 { version = UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1]) }
                if type == 0x0033 && length >= 2 {
                    let group = UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1])
                    facts.group = TLSNames.group(group)
                }
                index += length
            }
        }
        facts.version = TLSNames.version(version)
        facts.cipher = TLSNames.cipher(suiteCode)
        return facts
    }
}

/// Passes bytes through unchanged; while armed, keeps the first bytes of the TLS stream
/// and reads the ServerHello out of them.
final class ServerHelloSniffer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private var armed = false
    private var collected: [UInt8] = []
    private(set) var facts: ServerHelloFacts?

    /// Starts watching: the next bytes from the server are the TLS handshake.
    func arm() { armed = true }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if armed {
            let buffer = unwrapInboundIn(data)
            collected += buffer.readableBytesView.prefix(16_384 - collected.count)
            if let found = ServerHelloFacts.parse(collected) {
                facts = found
                armed = false
                collected = []
            } else if collected.count >= 16_384 {
                armed = false
            }
        }
        context.fireChannelRead(data)
    }
}

/// Names for TLS code points, as OpenSSL prints them.
enum TLSNames {
    static func version(_ code: UInt16) -> String {
        switch code {
        case 0x0304: return "TLSv1.3"
        case 0x0303: return "TLSv1.2"
        case 0x0302: return "TLSv1.1"
        case 0x0301: return "TLSv1"
        default: return hexCode(code)
        }
    }

    static func group(_ code: UInt16) -> String {
        switch code {
        case 0x001D: return "X25519"
        case 0x0017: return "P-256"
        case 0x0018: return "P-384"
        case 0x0019: return "P-521"
        case 0x001E: return "X448"
        case 0x11EC: return "X25519MLKEM768"
        case 0x6399: return "X25519Kyber768Draft00"
        default: return hexCode(code)
        }
    }

    static func cipher(_ code: UInt16) -> String {
        let names: [UInt16: String] = [
            0x1301: "TLS_AES_128_GCM_SHA256", 0x1302: "TLS_AES_256_GCM_SHA384", 0x1303: "TLS_CHACHA20_POLY1305_SHA256",
            0xC02B: "ECDHE-ECDSA-AES128-GCM-SHA256", 0xC02C: "ECDHE-ECDSA-AES256-GCM-SHA384",
            0xC02F: "ECDHE-RSA-AES128-GCM-SHA256", 0xC030: "ECDHE-RSA-AES256-GCM-SHA384",
            0xCCA8: "ECDHE-RSA-CHACHA20-POLY1305", 0xCCA9: "ECDHE-ECDSA-CHACHA20-POLY1305",
            0xC009: "ECDHE-ECDSA-AES128-SHA", 0xC00A: "ECDHE-ECDSA-AES256-SHA",
            0xC013: "ECDHE-RSA-AES128-SHA", 0xC014: "ECDHE-RSA-AES256-SHA",
            0x009C: "AES128-GCM-SHA256", 0x009D: "AES256-GCM-SHA384", 0x002F: "AES128-SHA", 0x0035: "AES256-SHA",
            0x009E: "DHE-RSA-AES128-GCM-SHA256", 0x009F: "DHE-RSA-AES256-GCM-SHA384",
        ]
        return names[code] ?? hexCode(code)
    }
}

/// `0x1301`-style text for a code point with no name.
func hexCode(_ code: UInt16) -> String {
    let hex = String(code, radix: 16, uppercase: true)
    return "0x" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
}
