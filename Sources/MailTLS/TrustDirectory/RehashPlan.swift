/// Which hash links a CA directory should have, compared with what it has: the `Plan`
/// half of `rehash` (computing it writes nothing, so `--dry-run` is just the plan).
///
/// The links are those `openssl rehash` makes (same names, same targets, duplicates by
/// SHA-1 linked once, the first file in byte order winning), with its rough edges
/// filed off: every stale link goes, correct links stay untouched, and anything
/// mailtls did not make (a regular file, a symlink leading out of the directory) is
/// never replaced or removed: the numbering goes around it.
public struct RehashPlan: Sendable {
    /// One link and what happens to it.
    public struct Link: Sendable, Equatable, Encodable {
        public enum Action: String, Sendable, Encodable {
            /// Already right: left alone.
            case keep
            /// Missing: made.
            case create
            /// Exists but points elsewhere: swapped atomically.
            case replace
            /// Stale (its file is gone or has another hash): removed.
            case remove
        }

        public var action: Action
        public var name: String
        /// The target after the change (the current one for `remove`).
        public var target: String
        /// The target before a `replace`.
        public var previousTarget: String?
    }

    public var directory: String
    public var hashes: RehashOptions.Hashes
    /// Every link the directory will have, and every link to remove, by name.
    public var links: [Link]
    public var findings: [Finding]
    public var certificateCount: Int
    public var crlCount: Int
    /// The records for the cache, including files read this time.
    var cache: RehashCache

    /// The links that change.
    public var changes: [Link] { links.filter { $0.action != .keep } }

    public func count(_ action: Link.Action) -> Int { links.filter { $0.action == action }.count }
}

/// How `rehash` hashes, and when "now" is (for expiry warnings).
public struct RehashOptions: Sendable {
    public enum Hashes: String, Sendable, Encodable {
        /// SHA-1 canonical hashes, as OpenSSL 1.0 and later look up.
        case new
        /// MD5 hashes only (`openssl rehash -old`).
        case old
        /// Both (`openssl rehash -compat`).
        case both

        var kinds: [SubjectHash.Kind] {
            switch self {
            case .new: return [.new]
            case .old: return [.old]
            case .both: return [.new, .old]
            }
        }
    }

    public var hashes: Hashes
    public var now: Int64

    public init(hashes: Hashes = .new, now: Int64) {
        self.hashes = hashes
        self.now = now
    }
}

extension RehashPlan {
    /// Scans `directory`, reads what the cache does not already know, and plans the links.
    static func make(_ directory: String, options: RehashOptions, cache previous: RehashCache) throws -> RehashPlan {
        let scan = try DirectoryScan.scan(directory)
        var cache = RehashCache()
        var findings: [Finding] = []
        var records: [TrustRecord] = []
        for candidate in scan.candidates {
            let path = Paths.join(directory, candidate.name)
            guard let identity = candidate.identity else {
                let code = candidate.statError ?? ENOENT
                findings.append(code == ENOENT
                    ? Finding(.warning, path, "is a symlink to a missing file", remedy: "remove it or fix its target")
                    : Finding(MailTLSError.system(path, "read it", errno: code)))
                continue
            }
            if let record = previous.record(for: candidate.name, identity: identity) {
                records.append(record)
                cache.store(record, identity: identity)
                continue
            }
            do {
                let record = try TrustRecord.read(path: path, name: candidate.name)
                records.append(record)
                cache.store(record, identity: identity)
            } catch let error as MailTLSError {
                findings.append(Finding(error))
            }
        }
        for record in records {
            findings += record.warnings(path: Paths.join(directory, record.name), now: options.now)
        }

        // Buckets by (CRL?, hash), files in byte order; duplicates by SHA-1 linked once.
        struct BucketKey: Hashable { var isCRL: Bool; var hash: UInt32 }
        var buckets: [BucketKey: [TrustRecord]] = [:]
        var bucketOrder: [BucketKey] = []
        for kind in options.hashes.kinds {
            for record in records {
                let key = BucketKey(isCRL: record.kind == .revocationList, hash: record.hash(kind))
                if let first = buckets[key]?.first(where: { $0.sha1 == record.sha1 }) {
                    let finding = Finding(.warning, Paths.join(directory, record.name),
                                          "is a duplicate of \(first.name) (same SHA-1 fingerprint), linked once",
                                          remedy: "remove one of the two")
                    if !findings.contains(finding) { findings.append(finding) }
                    continue
                }
                if buckets[key] == nil { bucketOrder.append(key) }
                buckets[key, default: []].append(record)
            }
        }

        // Existing own links by bucket and target: the ids that already point there.
        var existing: [BucketKey: [String: [Int]]] = [:]
        for (name, target) in scan.ownLinks {
            existing[BucketKey(isCRL: name.isCRL, hash: name.hash), default: [:]][target, default: []].append(name.index)
        }

        var desired: [HashLinkName: String] = [:]
        for key in bucketOrder {
            let entries = buckets[key]!
            // The first n numbers not taken by something that is not ours.
            var allowed: [Int] = []
            var index = 0
            while allowed.count < entries.count {
                let name = HashLinkName(hash: key.hash, isCRL: key.isCRL, index: index)
                if let what = scan.blocked[name] {
                    findings.append(Finding(.warning, Paths.join(directory, name.text),
                                            "is \(what) where a hash link goes; left alone, the links are numbered around it",
                                            remedy: "move it away if it is not a certificate with this subject, then run rehash again"))
                } else {
                    allowed.append(index)
                }
                index += 1
            }
            let allowedSet = Set(allowed)
            var claimed = Set<Int>()
            var assigned = [Int?](repeating: nil, count: entries.count)
            let byTarget = existing[key] ?? [:]
            for (position, entry) in entries.enumerated() {
                if let id = byTarget[entry.name]?.sorted().first(where: { allowedSet.contains($0) && !claimed.contains($0) }) {
                    assigned[position] = id
                    claimed.insert(id)
                }
            }
            var free = allowed.filter { !claimed.contains($0) }.makeIterator()
            for position in entries.indices where assigned[position] == nil {
                assigned[position] = free.next()
            }
            for (position, entry) in entries.enumerated() {
                desired[HashLinkName(hash: key.hash, isCRL: key.isCRL, index: assigned[position]!)] = entry.name
            }
        }

        var links: [RehashPlan.Link] = []
        for (name, target) in desired {
            switch scan.ownLinks[name] {
            case target?: links.append(Link(action: .keep, name: name.text, target: target))
            case let previous?: links.append(Link(action: .replace, name: name.text, target: target, previousTarget: previous))
            case nil: links.append(Link(action: .create, name: name.text, target: target))
            }
        }
        for (name, target) in scan.ownLinks where desired[name] == nil {
            links.append(Link(action: .remove, name: name.text, target: target))
        }
        links.sort { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) }

        let certificates = records.filter { $0.kind == .certificate }.count
        return RehashPlan(directory: directory, hashes: options.hashes, links: links, findings: findings,
                          certificateCount: certificates, crlCount: records.count - certificates, cache: cache)
    }
}
