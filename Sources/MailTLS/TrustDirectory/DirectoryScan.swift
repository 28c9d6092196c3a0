/// One look at a CA directory: every entry that matters to hash links, classified
/// without reading any file's contents.
///
/// Names are kept in byte order, the order `openssl rehash` processes them in, which
/// decides who gets `.0` when two certificates share a hash.
struct DirectoryScan {
    /// A hash-named symlink to a bare file name: made by `rehash` (ours or OpenSSL's),
    /// so mailtls may keep, replace or remove it.
    struct OwnLink { var name: HashLinkName; var target: String }

    /// A file that may hold a certificate or CRL (`*.pem *.crt *.cer *.crl`).
    struct Candidate {
        var name: String
        var identity: FileIdentity?
        var statError: Int32?
    }

    var directory: String
    var ownLinks: [HashLinkName: String] = [:]
    /// Hash names taken by something mailtls must not touch: a regular file, or a
    /// symlink pointing outside the directory. Value: what it is, for messages.
    var blocked: [HashLinkName: String] = [:]
    var candidates: [Candidate] = []

    /// What identifies a file's contents without reading it (the cache key).
    struct FileIdentity: Equatable {
        var device: UInt64, inode: UInt64, size: Int64
        var mtime: Int64, mtimeNanos: Int64, ctime: Int64, ctimeNanos: Int64
    }

    static let extensions: Set<String> = ["pem", "crt", "cer", "crl"]

    static func isCandidateName(_ name: String) -> Bool {
        guard let dot = name.lastIndex(of: ".") else { return false }
        return extensions.contains(name[name.index(after: dot)...].lowercased())
    }

    static func scan(_ directory: String) throws -> DirectoryScan {
        guard let handle = opendir(directory) else {
            let code = errno
            if code == ENOENT { throw MailTLSError(directory, "no such directory", remedy: "check the path, or make it with mkdir") }
            if code == ENOTDIR { throw MailTLSError(directory, "is not a directory", remedy: "name the CA directory") }
            throw MailTLSError.system(directory, "read the directory", errno: code)
        }
        defer { closedir(handle) }
        var entries: [(name: String, type: UInt8)] = []
        while let entry = readdir(handle) {
            let (name, type) = withUnsafePointer(to: entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: 256) { (String(cString: $0), entry.pointee.d_type) }
            }
            if name == "." || name == ".." { continue }
            entries.append((name, type))
        }
        entries.sort { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) }

        var scan = DirectoryScan(directory: directory)
        for (name, type) in entries {
            let path = Paths.join(directory, name)
            var kind = type
            if kind == UInt8(DT_UNKNOWN) {
                var info = stat()
                guard lstat(path, &info) == 0 else { continue }
                kind = (info.st_mode & S_IFMT) == S_IFLNK ? UInt8(DT_LNK) : (info.st_mode & S_IFMT) == S_IFREG ? UInt8(DT_REG) : UInt8(DT_DIR)
            }
            let linkName = HashLinkName(parsing: name)
            if kind == UInt8(DT_LNK), let linkName {
                guard let target = readLink(path) else { continue }
                if target.contains("/") {
                    scan.blocked[linkName] = "a symlink to \(target), outside the directory"
                } else {
                    scan.ownLinks[linkName] = target
                }
                continue
            }
            if let linkName {
                scan.blocked[linkName] = kind == UInt8(DT_REG) ? "a regular file" : "not a symlink"
                continue
            }
            guard kind == UInt8(DT_REG) || kind == UInt8(DT_LNK), isCandidateName(name) else { continue }
            var info = stat()
            if stat(path, &info) != 0 {
                scan.candidates.append(Candidate(name: name, identity: nil, statError: errno))
                continue
            }
            guard (info.st_mode & S_IFMT) == S_IFREG else { continue }
            scan.candidates.append(Candidate(name: name, identity: FileIdentity(
                device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
                mtime: Int64(info.st_mtim.tv_sec), mtimeNanos: Int64(info.st_mtim.tv_nsec),
                ctime: Int64(info.st_ctim.tv_sec), ctimeNanos: Int64(info.st_ctim.tv_nsec)), statError: nil))
        }
        return scan
    }

    /// The target of the symlink at `path`, nil if it is not one.
    static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
