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
        public var linkName: HashLinkName
        /// The target after the change (the current one for `remove`).
        public var target: String
        /// The target before a `replace`.
        public var previousTarget: String?

        /// `5e24647f.0`; made only when asked for, since a plan holds a link per file.
        public var name: String { linkName.text }

        public init(action: Action, linkName: HashLinkName, target: String, previousTarget: String? = nil) {
            self.action = action
            self.linkName = linkName
            self.target = target
            self.previousTarget = previousTarget
        }

        /// A link by its name text; for tests and callers that have names.
        public init(action: Action, name: String, target: String, previousTarget: String? = nil) {
            self.init(action: action, linkName: HashLinkName(parsing: name)!, target: target, previousTarget: previousTarget)
        }

        private enum CodingKeys: String, CodingKey { case action, name, target, previousTarget }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(action, forKey: .action)
            try container.encode(name, forKey: .name)
            try container.encode(target, forKey: .target)
            try container.encodeIfPresent(previousTarget, forKey: .previousTarget)
        }
    }

    public var directory: String
    public var hashes: RehashOptions.Hashes
    /// Every link the directory will have, and every link to remove, by name.
    public var links: [Link]
    public var findings: [Finding]
    public var certificateCount: Int
    public var crlCount: Int
    /// The records for the cache, including files read this time (and perhaps entries
    /// for files since removed: `liveNames` says which to keep).
    var cache: RehashCache
    /// The files that hold a certificate or CRL, in byte order.
    var liveNames: [String]

    /// The links that change.
    public var changes: [Link] { links.filter { $0.action != .keep } }

    public func count(_ action: Link.Action) -> Int { counts[action, default: 0] }

    /// How many links each action has, counted once.
    public var counts: [Link.Action: Int] {
        var result: [Link.Action: Int] = [:]
        for link in links { result[link.action, default: 0] += 1 }
        return result
    }
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
        // The previous cache is copied only if a file was read anew (copy on write), so the
        // common run where nothing changed builds no second dictionary.
        var cache = previous
        var liveNames: [String] = []
        liveNames.reserveCapacity(scan.candidates.count)
        var findings: [Finding] = []
        var records: [TrustRecord] = []
        records.reserveCapacity(scan.candidates.count)
        for candidate in scan.candidates {
            let path = Paths.join(directory, candidate.name)
            guard let identity = candidate.identity else {
                let code = candidate.statError ?? ENOENT
                findings.append(code == ENOENT
                    ? Finding(.warning, path, "is a symlink to a missing file", fix: "remove it or fix its target")
                    : Finding(MailTLSError.system(path, "read it", errno: code)))
                continue
            }
            if let record = previous.record(for: candidate.name, identity: identity) {
                records.append(record)
                liveNames.append(record.name)
                continue
            }
            do {
                let record = try TrustRecord.read(path: path, name: candidate.name)
                records.append(record)
                liveNames.append(record.name)
                cache.store(record, identity: identity)
            } catch let error as MailTLSError {
                findings.append(Finding(error))
            }
        }
        for record in records {
            findings += record.warnings(directory: directory, now: options.now)
        }

        let links = assignLinks(records: records, scan: scan, hashes: options.hashes, directory: directory, findings: &findings)
        let certificates = records.filter { $0.kind == .certificate }.count
        return RehashPlan(directory: directory, hashes: options.hashes, links: links, findings: findings,
                          certificateCount: certificates, crlCount: records.count - certificates, cache: cache, liveNames: liveNames)
    }
}

extension RehashPlan {
    /// A bucket: the certificates (or CRLs) sharing one hash, which get `.0`, `.1`, …
    private struct BucketKey: Hashable { var isCRL: Bool; var hash: UInt32 }

    /// Numbers every bucket's files and compares the result with the links there are.
    /// Indices instead of copies, and flat dictionaries: this runs over every file on
    /// every rehash, including the common run where nothing changes.
    private static func assignLinks(records: [TrustRecord], scan: DirectoryScan, hashes: RehashOptions.Hashes,
                                    directory: String, findings: inout [Finding]) -> [Link] {
        // Buckets by (CRL?, hash), files in byte order; duplicates by SHA-1 linked once.
        var buckets: [BucketKey: [Int]] = [:]
        buckets.reserveCapacity(records.count * hashes.kinds.count)
        var bucketOrder: [BucketKey] = []
        for kind in hashes.kinds {
            for (index, record) in records.enumerated() {
                let key = BucketKey(isCRL: record.kind == .revocationList, hash: record.hash(kind))
                if let members = buckets[key] {
                    if let first = members.first(where: { records[$0].sha1 == record.sha1 }) {
                        let finding = Finding(.warning, Paths.join(directory, record.name),
                                              "is a duplicate of \(records[first].name) (same SHA-1 fingerprint), linked once",
                                              fix: "remove one of the two")
                        if !findings.contains(finding) { findings.append(finding) }
                        continue
                    }
                    buckets[key]!.append(index)
                } else {
                    buckets[key] = [index]
                    bucketOrder.append(key)
                }
            }
        }

        var desired: [(name: HashLinkName, target: String)] = []
        desired.reserveCapacity(records.count * hashes.kinds.count)
        for key in bucketOrder {
            let entries = buckets[key]!
            // The first n numbers not taken by something that is not ours.
            var allowed: [Int] = []
            var number = 0
            while allowed.count < entries.count {
                let name = HashLinkName(hash: key.hash, isCRL: key.isCRL, index: number)
                if let what = scan.blocked[name] {
                    findings.append(Finding(.warning, Paths.join(directory, name.text),
                                            "is \(what) where a hash link goes; left alone, the links are numbered around it",
                                            fix: "move it away if it is not a certificate with this subject, then run rehash again"))
                } else {
                    allowed.append(number)
                }
                number += 1
            }
            // Keep each link that already points at one of this bucket's files under an
            // allowed number: walking the numbers upwards gives each file its lowest one.
            var claimed: [Int] = []
            var assigned = [Int?](repeating: nil, count: entries.count)
            for id in allowed {
                guard let target = scan.ownLinks[HashLinkName(hash: key.hash, isCRL: key.isCRL, index: id)],
                      let position = entries.firstIndex(where: { records[$0].name == target }),
                      assigned[position] == nil else { continue }
                assigned[position] = id
                claimed.append(id)
            }
            var free = allowed.filter { !claimed.contains($0) }.makeIterator()
            for position in entries.indices {
                let id = assigned[position] ?? free.next()!
                desired.append((HashLinkName(hash: key.hash, isCRL: key.isCRL, index: id), records[entries[position]].name))
            }
        }

        var links: [Link] = []
        links.reserveCapacity(desired.count)
        var wanted = Set<HashLinkName>(minimumCapacity: desired.count)
        for (name, target) in desired {
            wanted.insert(name)
            switch scan.ownLinks[name] {
            case target?: links.append(Link(action: .keep, linkName: name, target: target))
            case let previous?: links.append(Link(action: .replace, linkName: name, target: target, previousTarget: previous))
            case nil: links.append(Link(action: .create, linkName: name, target: target))
            }
        }
        for (name, target) in scan.ownLinks where !wanted.contains(name) {
            links.append(Link(action: .remove, linkName: name, target: target))
        }
        // In hash order (numerically, .2 before .10), so output and JSON are stable.
        links.sort { $0.linkName < $1.linkName }
        return links
    }
}

