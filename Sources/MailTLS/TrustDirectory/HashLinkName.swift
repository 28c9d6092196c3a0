/// A hash link's name: `5e24647f.0` for the first certificate with that subject hash,
/// `5e24647f.r0` for the first CRL with that issuer hash.
///
/// OpenSSL's lookup (`X509_LOOKUP_hash_dir`) tries `.0`, `.1`, … and stops at the first
/// name that does not exist, so a bucket's links must be numbered without gaps.
public struct HashLinkName: Hashable, Sendable, Comparable {
    public var hash: UInt32
    public var isCRL: Bool
    public var index: Int

    public init(hash: UInt32, isCRL: Bool, index: Int) {
        self.hash = hash
        self.isCRL = isCRL
        self.index = index
    }

    /// `hhhhhhhh.N` or `hhhhhhhh.rN`, lower-case, as `openssl rehash` writes.
    public var text: String { SubjectHash.text(hash) + (isCRL ? ".r" : ".") + String(index) }

    /// The name if `name` is exactly the form mailtls and `openssl rehash` write
    /// (lower-case hex, no leading zeros in N); nil otherwise.
    public init?(parsing name: String) {
        let bytes = Array(name.utf8)
        guard bytes.count >= 10, bytes[8] == UInt8(ascii: ".") else { return nil }
        guard let word = Hex.decode(bytes[0..<8], upperCase: false) else { return nil }
        let hash = word.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        var rest = bytes[9...]
        let isCRL = rest.first == UInt8(ascii: "r")
        if isCRL { rest = rest.dropFirst() }
        guard !rest.isEmpty, rest.count <= 5, rest.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
              rest.count == 1 || rest.first != UInt8(ascii: "0") else { return nil }
        let index = rest.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        self.init(hash: hash, isCRL: isCRL, index: index)
    }

    public static func < (lhs: HashLinkName, rhs: HashLinkName) -> Bool {
        (lhs.hash, lhs.isCRL ? 1 : 0, lhs.index) < (rhs.hash, rhs.isCRL ? 1 : 0, rhs.index)
    }
}
