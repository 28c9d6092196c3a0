/// A domain name as DNS carries it: a list of labels, each 1–63 octets, at most 255 octets on
/// the wire (RFC 1035 §2.3.4). Compared without regard to ASCII case (RFC 4343).
public struct DNSName: Sendable, Hashable, CustomStringConvertible {
    /// The labels, leftmost first, without the empty root label.
    public let labels: [[UInt8]]

    /// The root, ".".
    public static let root = DNSName(validatedLabels: [])

    init(validatedLabels labels: [[UInt8]]) {
        self.labels = labels
    }

    /// A name from text such as `mx.example.org` or `mx.example.org.` (always absolute:
    /// the resolver does no search-list expansion). No escapes: mail names need none.
    public init(_ text: String) throws {
        var labels: [[UInt8]] = []
        var body = Substring(text)
        if body.hasSuffix(".") { body = body.dropLast() }
        if !body.isEmpty {
            for label in body.split(separator: ".", omittingEmptySubsequences: false) {
                let bytes = Array(label.utf8)
                guard (1...63).contains(bytes.count) else {
                    throw MailTLSError(text, bytes.isEmpty ? "is not a domain name: it has an empty label" : "is not a domain name: a label is longer than 63 octets", remedy: "check the name")
                }
                labels.append(bytes)
            }
        }
        guard labels.reduce(1, { $0 + 1 + $1.count }) <= 255 else {
            throw MailTLSError(text, "is not a domain name: longer than 255 octets", remedy: "check the name")
        }
        self.labels = labels
    }

    /// The wire form, uncompressed.
    public var wireFormat: [UInt8] {
        labels.flatMap { [UInt8($0.count)] + $0 } + [0]
    }

    /// `mx.example.org.` (with the trailing dot, as dig prints it); the root is `.`. Dots,
    /// backslashes and bytes outside printable ASCII inside a label are escaped as dig does.
    public var description: String {
        guard !labels.isEmpty else { return "." }
        return labels.map(Self.escape).joined(separator: ".") + "."
    }

    /// `mx.example.org`, lowercased, without the trailing dot: the form host names take elsewhere.
    public var hostName: String {
        labels.isEmpty ? "." : labels.map(Self.escape).joined(separator: ".").lowercased()
    }

    private static func escape(_ label: [UInt8]) -> String {
        var text = ""
        for byte in label {
            switch byte {
            case UInt8(ascii: "."), UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "("), UInt8(ascii: ")"),
                 UInt8(ascii: ";"), UInt8(ascii: "@"), UInt8(ascii: "$"):
                text += "\\" + String(UnicodeScalar(byte))
            case 0x21...0x7E:
                text.append(Character(UnicodeScalar(byte)))
            default:
                let digits = String(byte)
                text += "\\" + String(repeating: "0", count: 3 - digits.count) + digits
            }
        }
        return text
    }

    private var folded: [[UInt8]] {
        labels.map { $0.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 } }
    }

    public static func == (left: DNSName, right: DNSName) -> Bool {
        left.labels.count == right.labels.count && left.folded == right.folded
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(folded)
    }
}
