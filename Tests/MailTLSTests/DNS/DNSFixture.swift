@testable import MailTLS

/// Builds DNS messages byte by byte for the parser's tests: a header, one question, and the
/// sections from records given as raw bytes, so each test shows the wire form it feeds in.
struct DNSFixture {
    var id: UInt16 = 0x1234
    /// QR RD RA by default (0x8180); rcode in the low four bits.
    var flags: UInt16 = 0x8180
    var questionName = "example.org"
    var questionType: UInt16 = 1
    var answers: [[UInt8]] = []
    var authorities: [[UInt8]] = []
    var additionals: [[UInt8]] = []

    /// The offset of the question's name: compression pointers to it are `[0xC0, 12]`.
    static let question: [UInt8] = [0xC0, 12]

    var bytes: [UInt8] {
        var message = Self.u16(id) + Self.u16(flags) + Self.u16(1) + Self.u16(UInt16(answers.count))
            + Self.u16(UInt16(authorities.count)) + Self.u16(UInt16(additionals.count))
        message += Self.name(questionName) + Self.u16(questionType) + Self.u16(1)
        for record in answers + authorities + additionals { message += record }
        return message
    }

    static func u16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }
    static func u32(_ value: UInt32) -> [UInt8] { u16(UInt16(value >> 16)) + u16(UInt16(value & 0xFFFF)) }

    /// A name uncompressed: length-prefixed labels and the root's zero.
    static func name(_ text: String) -> [UInt8] {
        text.split(separator: ".").flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) } + [0]
    }

    /// A resource record: owner (raw, may be a pointer), type, class IN, TTL, data.
    static func record(_ owner: [UInt8], _ type: UInt16, ttl: UInt32 = 300, recordClass: UInt16 = 1, _ data: [UInt8]) -> [UInt8] {
        owner + u16(type) + u16(recordClass) + u32(ttl) + u16(UInt16(data.count)) + data
    }

    /// TXT data: each string with its length octet.
    static func txt(_ strings: [String]) -> [UInt8] {
        strings.flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) }
    }

    /// An OPT pseudo-record: UDP size, extended rcode, DO, and options (code, data).
    static func opt(udpSize: UInt16 = 1232, extendedRcode: UInt8 = 0, dnssecOK: Bool = true, options: [(UInt16, [UInt8])] = []) -> [UInt8] {
        let data = options.flatMap { u16($0.0) + u16(UInt16($0.1.count)) + $0.1 }
        return record([0], 41, ttl: UInt32(extendedRcode) << 24 | (dnssecOK ? 0x8000 : 0), recordClass: udpSize, data)
    }

    /// Parses the fixture's bytes.
    func parsed() throws -> DNSMessage { try DNSMessage(parsing: bytes) }

    /// The reply read as the answer to the fixture's question.
    func answer() throws -> DNSAnswer {
        try DNSAnswer(name: DNSName(questionName), type: DNSRecordType(rawValue: questionType), reply: DNSReply(bytes: bytes))
    }
}
