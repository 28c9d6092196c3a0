/// What `rehash` learned about each file last time, keyed on the file's device, inode,
/// size, mtime and ctime, so a re-run over an unchanged directory reads no certificate.
///
/// Stored as `.mailtls-rehash.cache` in the CA directory (a dot file: OpenSSL and MTAs
/// never look at it), written only when `rehash` changes links, so a run that changes
/// nothing writes nothing. Any line that does not parse is ignored, and a file without
/// its closing `end N` line is ignored whole; a stale entry only costs one re-read,
/// because a changed file changes its identity. It is written through `AtomicFile` like
/// every other file, so a reader never sees half of it.
struct RehashCache {
    static let fileName = ".mailtls-rehash.cache"
    static let header = "mailtls rehash cache 1"

    private(set) var entries: [String: (identity: DirectoryScan.FileIdentity, record: TrustRecord)] = [:]

    func record(for name: String, identity: DirectoryScan.FileIdentity) -> TrustRecord? {
        guard let entry = entries[name], entry.identity == identity else { return nil }
        return entry.record
    }

    mutating func reserveCapacity(_ count: Int) { entries.reserveCapacity(count) }

    mutating func store(_ record: TrustRecord, identity: DirectoryScan.FileIdentity) {
        guard !record.name.contains("\t"), !record.name.contains("\n") else { return }
        entries[record.name] = (identity, record)
    }

    static func load(directory: String) -> RehashCache {
        var cache = RehashCache()
        guard let bytes = try? FileReading.bytes(of: Paths.join(directory, fileName)) else { return cache }
        let headerBytes = Array((header + "\n").utf8)
        guard bytes.starts(with: headerBytes) else { return cache }
        // A hand-rolled field reader: this runs on every rehash, over thousands of lines.
        // A file cut short (a crash mid-write) lacks its last line: ignore it whole.
        guard let lastLine = bytes.dropLast().split(separator: 0x0A, omittingEmptySubsequences: false).last,
              lastLine.starts(with: Array("end ".utf8)), bytes.last == 0x0A else { return cache }
        var reader = FieldReader(bytes: Array(bytes.dropLast(lastLine.count + 1)), position: headerBytes.count)
        cache.entries.reserveCapacity(bytes.count / 160)
        while !reader.atEnd {
            if let (name, identity, record) = reader.entry() {
                cache.entries[name] = (identity, record)
            }
            reader.skipLine()
        }
        return cache
    }

    /// Writes the cache for `names` into `directory`, best effort: a cache that cannot be
    /// written only costs the next run some reading. Not made durable (no fsync): a cache
    /// lost in a power cut is only a slower next run.
    func write(keeping names: [String], directory: String) {
        let path = Paths.join(directory, Self.fileName)
        try? AtomicFile.write(serialized(keeping: names), to: path, mode: .shared, existing: .replace, durable: false)
    }

    private struct FieldReader {
        let bytes: [UInt8]
        var position: Int
        var atEnd: Bool { position >= bytes.count }

        mutating func skipLine() {
            while position < bytes.count && bytes[position] != 0x0A { position += 1 }
            position += 1
        }

        /// The next field's bytes (up to a tab), nil at the end of the line.
        mutating func field() -> ArraySlice<UInt8>? {
            guard position < bytes.count, bytes[position] != 0x0A else { return nil }
            let start = position
            while position < bytes.count && bytes[position] != 0x09 && bytes[position] != 0x0A { position += 1 }
            let slice = bytes[start..<position]
            if position < bytes.count && bytes[position] == 0x09 { position += 1 }
            return slice
        }

        mutating func integer() -> Int64? {
            guard let field = field(), !field.isEmpty else { return nil }
            var value: Int64 = 0
            var negative = false
            for (offset, byte) in field.enumerated() {
                if offset == 0 && byte == UInt8(ascii: "-") { negative = true; continue }
                guard byte >= 0x30 && byte <= 0x39 else { return nil }
                value = value &* 10 &+ Int64(byte - 0x30)
            }
            return negative ? -value : value
        }

        mutating func hex() -> [UInt8]? {
            field().flatMap { Hex.decode($0, upperCase: false) }
        }

        mutating func word() -> UInt32? {
            guard let bytes = hex(), bytes.count == 4 else { return nil }
            return bytes.reduce(0) { $0 << 8 | UInt32($1) }
        }

        mutating func entry() -> (String, DirectoryScan.FileIdentity, TrustRecord)? {
            guard let nameBytes = field(), !nameBytes.isEmpty,
                  let device = integer(), let inode = integer(), let size = integer(),
                  let mtime = integer(), let mtimeNanos = integer(), let ctime = integer(), let ctimeNanos = integer(),
                  let kindField = field(), let kind = TrustObject.Kind(rawValue: String(decoding: kindField, as: UTF8.self)),
                  let newHash = word(), let oldHash = word(), let sha1 = hex(), sha1.count == 20,
                  let expiryField = field(), let caField = field(), let keyField = field(), let derField = field()
            else { return nil }
            let name = String(decoding: nameBytes, as: UTF8.self)
            var expiry: Int64? = nil
            if !expiryField.isEmpty {
                var sub = FieldReader(bytes: Array(expiryField), position: 0)
                expiry = sub.integer()
            }
            let isCA: Bool? = caField.first == UInt8(ascii: "-") ? nil : caField.first == UInt8(ascii: "1")
            let record = TrustRecord(name: name, kind: kind, newHash: newHash, oldHash: oldHash, sha1: sha1, expiry: expiry,
                                     isCA: isCA, holdsKey: keyField.first == UInt8(ascii: "1"), isDER: derField.first == UInt8(ascii: "1"))
            let identity = DirectoryScan.FileIdentity(device: UInt64(bitPattern: device), inode: UInt64(bitPattern: inode), size: size,
                                                      mtime: mtime, mtimeNanos: mtimeNanos, ctime: ctime, ctimeNanos: ctimeNanos)
            return (name, identity, record)
        }
    }

    /// The cache file's text for the files `names`, in that order (byte order, so equal
    /// caches are equal bytes).
    func serialized(keeping names: [String]) -> String {
        var text = Self.header + "\n"
        var count = 0
        for name in names {
            guard let entry = entries[name] else { continue }
            let (id, r) = entry
            let fields: [String] = [
                name, String(id.device), String(id.inode), String(id.size), String(id.mtime), String(id.mtimeNanos),
                String(id.ctime), String(id.ctimeNanos), r.kind.rawValue, SubjectHash.text(r.newHash), SubjectHash.text(r.oldHash),
                Hex.lower(r.sha1), r.expiry.map(String.init) ?? "", r.isCA.map { $0 ? "1" : "0" } ?? "-",
                r.holdsKey ? "1" : "0", r.isDER ? "1" : "0",
            ]
            text += fields.joined(separator: "\t") + "\n"
            count += 1
        }
        return text + "end \(count)\n"
    }

}
