/// Why bytes are not a DNS message: what was wrong and at which offset.
public struct DNSWireError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The offset in the message where reading stopped.
    public var offset: Int
    public var problem: String

    public var description: String { "\(problem) (at byte \(offset))" }
}

/// A bounds-checked cursor over a DNS message: every read checks the length first and throws
/// instead of trapping, so hostile input ends in a ``DNSWireError``.
struct DNSWireReader {
    let bytes: [UInt8]
    var offset = 0

    /// How many compression pointers one name may follow. Each pointer must go to an earlier
    /// place than the last one (so there are no loops), and this caps the work a chain of
    /// pointers to pointers can cause; real names use one or two.
    static let maximumPointers = 64

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    func fail(_ problem: String, at position: Int? = nil) -> DNSWireError {
        DNSWireError(offset: position ?? offset, problem: problem)
    }

    mutating func u8(_ what: String) throws -> UInt8 {
        guard offset < bytes.count else { throw fail("message ends inside \(what)") }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u16(_ what: String) throws -> UInt16 {
        guard offset + 2 <= bytes.count else { throw fail("message ends inside \(what)") }
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    mutating func u32(_ what: String) throws -> UInt32 {
        guard offset + 4 <= bytes.count else { throw fail("message ends inside \(what)") }
        defer { offset += 4 }
        return UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }

    mutating func take(_ count: Int, _ what: String) throws -> [UInt8] {
        guard count >= 0, offset + count <= bytes.count else { throw fail("message ends inside \(what)") }
        defer { offset += count }
        return Array(bytes[offset..<(offset + count)])
    }

    /// Reads a name at the cursor, following compression pointers (RFC 1035 §4.1.4), and
    /// moves past it. Refuses labels over 63 octets, names over 255, the reserved label
    /// types 0x40/0x80, and pointers that do not go backwards (loops, forward references).
    mutating func name(_ what: String) throws -> DNSName {
        var labels: [[UInt8]] = []
        var position = offset
        var end: Int?
        var wireLength = 1
        var pointers = 0
        // A pointer must go before the start of the labels it would join, else it loops.
        var limit = offset
        while true {
            guard position < bytes.count else { throw fail("message ends inside \(what)", at: position) }
            let length = bytes[position]
            switch length & 0xC0 {
            case 0x00:
                if length == 0 {
                    offset = end ?? position + 1
                    return DNSName(validatedLabels: labels)
                }
                let count = Int(length)
                guard position + 1 + count <= bytes.count else { throw fail("message ends inside \(what)", at: position) }
                wireLength += 1 + count
                guard wireLength <= 255 else { throw fail("\(what) is longer than 255 octets", at: position) }
                labels.append(Array(bytes[(position + 1)...(position + count)]))
                position += 1 + count
            case 0xC0:
                guard position + 1 < bytes.count else { throw fail("message ends inside \(what)", at: position) }
                let target = Int(length & 0x3F) << 8 | Int(bytes[position + 1])
                guard target < limit else {
                    throw fail("\(what) has a compression pointer to \(target), not before the name (a loop or a forward reference)", at: position)
                }
                pointers += 1
                guard pointers <= Self.maximumPointers else { throw fail("\(what) follows more than \(Self.maximumPointers) compression pointers", at: position) }
                if end == nil { end = position + 2 }
                limit = target
                position = target
            default:
                throw fail("\(what) has a label of reserved type 0x\(String(length & 0xC0, radix: 16))", at: position)
            }
        }
    }
}
