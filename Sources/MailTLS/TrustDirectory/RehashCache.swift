/// What `rehash` learned about each file last time, keyed on the file's device, inode,
/// size, mtime and ctime, so a re-run over an unchanged directory reads no certificate.
///
/// Stored as `.mailtls-rehash.cache` in the CA directory (a dot file: OpenSSL and MTAs
/// never look at it), written only when `rehash` changes links, so a run that changes
/// nothing writes nothing. Any line that does not parse is ignored; a stale entry only
/// costs one re-read, because a changed file changes its identity.
struct RehashCache {
    static let fileName = ".mailtls-rehash.cache"
    static let header = "mailtls rehash cache 1"

    private(set) var entries: [String: (identity: DirectoryScan.FileIdentity, record: TrustRecord)] = [:]

    func record(for name: String, identity: DirectoryScan.FileIdentity) -> TrustRecord? {
        guard let entry = entries[name], entry.identity == identity else { return nil }
        return entry.record
    }

    mutating func store(_ record: TrustRecord, identity: DirectoryScan.FileIdentity) {
        guard !record.name.contains("\t"), !record.name.contains("\n") else { return }
        entries[record.name] = (identity, record)
    }

    static func load(directory: String) -> RehashCache {
        var cache = RehashCache()
        guard let bytes = try? FileReading.bytes(of: Paths.join(directory, fileName)) else { return cache }
        var lines = bytes.split(separator: UInt8(ascii: "\n"))[...]
        guard let first = lines.popFirst(), String(decoding: first, as: UTF8.self) == header else { return cache }
        for line in lines {
            let fields = line.split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false)
                .map { String(decoding: $0, as: UTF8.self) }
            guard fields.count == 16,
                  let device = UInt64(fields[1]), let inode = UInt64(fields[2]), let size = Int64(fields[3]),
                  let mtime = Int64(fields[4]), let mtimeNanos = Int64(fields[5]),
                  let ctime = Int64(fields[6]), let ctimeNanos = Int64(fields[7]),
                  let kind = TrustObject.Kind(rawValue: fields[8]),
                  let newHash = UInt32(fields[9], radix: 16), let oldHash = UInt32(fields[10], radix: 16),
                  let sha1 = hexBytes(fields[11]), sha1.count == 20 else { continue }
            let expiry = fields[12].isEmpty ? nil : Int64(fields[12])
            let isCA: Bool? = fields[13] == "-" ? nil : fields[13] == "1"
            let record = TrustRecord(name: fields[0], kind: kind, newHash: newHash, oldHash: oldHash, sha1: sha1,
                                     expiry: expiry, isCA: isCA, holdsKey: fields[14] == "1", isDER: fields[15] == "1")
            cache.entries[fields[0]] = (DirectoryScan.FileIdentity(device: device, inode: inode, size: size, mtime: mtime,
                                                                   mtimeNanos: mtimeNanos, ctime: ctime, ctimeNanos: ctimeNanos), record)
        }
        return cache
    }

    /// The cache file's text, entries in name order (so equal caches are equal bytes).
    func serialized() -> String {
        var text = Self.header + "\n"
        for name in entries.keys.sorted() {
            let (id, r) = entries[name]!
            let fields: [String] = [
                name, String(id.device), String(id.inode), String(id.size), String(id.mtime), String(id.mtimeNanos),
                String(id.ctime), String(id.ctimeNanos), r.kind.rawValue, SubjectHash.text(r.newHash), SubjectHash.text(r.oldHash),
                Hex.lower(r.sha1), r.expiry.map(String.init) ?? "", r.isCA.map { $0 ? "1" : "0" } ?? "-",
                r.holdsKey ? "1" : "0", r.isDER ? "1" : "0",
            ]
            text += fields.joined(separator: "\t") + "\n"
        }
        return text
    }

    private static func hexBytes(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        var index = 0
        while index < digits.count {
            guard let byte = UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16) else { return nil }
            out.append(byte)
            index += 2
        }
        return out
    }
}
