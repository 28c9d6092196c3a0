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
    /// What `blocked` says of a regular file under a hash name.
    static let regularFileReason = "a regular file"

    static func isCandidateName(_ name: String) -> Bool {
        guard let dot = name.lastIndex(of: ".") else { return false }
        return extensions.contains(name[name.index(after: dot)...].lowercased())
    }

    static func scan(_ directory: String) throws -> DirectoryScan {
        // Everything below is relative to this descriptor (fstatat, readlinkat): no path
        // walk per entry, which matters with 20,000 entries.
        let dirFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dirFD >= 0, let handle = fdopendir(dirFD) else {
            let code = errno
            if code == ENOENT { throw MailTLSError(directory, "no such directory", remedy: "check the path, or make it with mkdir") }
            if code == ENOTDIR { throw MailTLSError(directory, "is not a directory", remedy: "name the CA directory") }
            throw MailTLSError.system(directory, "read the directory", errno: code)
        }
        defer { closedir(handle) }   // closes dirFD too
        var scan = DirectoryScan(directory: directory)
        for entry in DirectoryEntries.read(handle) {
            let name = entry.name
            var kind = entry.type
            if kind == UInt8(DT_UNKNOWN) {
                var info = stat()
                guard fstatat(dirFD, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
                kind = (info.st_mode & S_IFMT) == S_IFLNK ? UInt8(DT_LNK) : (info.st_mode & S_IFMT) == S_IFREG ? UInt8(DT_REG) : UInt8(DT_DIR)
            }
            let linkName = HashLinkName(parsing: name)
            if kind == UInt8(DT_LNK), let linkName {
                guard let target = readLink(name, in: dirFD) else { continue }
                if target.utf8.contains(UInt8(ascii: "/")) {
                    scan.blocked[linkName] = "a symlink to \(target), outside the directory"
                } else {
                    scan.ownLinks[linkName] = target
                }
                continue
            }
            if let linkName {
                scan.blocked[linkName] = kind == UInt8(DT_REG) ? regularFileReason : "not a symlink"
                continue
            }
            guard kind == UInt8(DT_REG) || kind == UInt8(DT_LNK), isCandidateName(name) else { continue }
            var info = stat()
            if fstatat(dirFD, name, &info, 0) != 0 {
                scan.candidates.append(Candidate(name: name, identity: nil, statError: errno))
                continue
            }
            guard (info.st_mode & S_IFMT) == S_IFREG else { continue }
            scan.candidates.append(Candidate(name: name, identity: FileIdentity(
                device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
                mtime: Int64(info.st_mtim.tv_sec), mtimeNanos: Int64(info.st_mtim.tv_nsec),
                ctime: Int64(info.st_ctim.tv_sec), ctimeNanos: Int64(info.st_ctim.tv_nsec)), statError: nil))
        }
        // Only the files' order matters (it decides who gets .0); links are looked up by name.
        scan.candidates = ByteOrder.sorted(scan.candidates, by: \.name)
        return scan
    }

    /// The target of the symlink at `path`, nil if it is not one.
    static func readLink(_ path: String) -> String? {
        readLink(path, in: AT_FDCWD)
    }

    /// The target of the symlink `name` in the directory open as `dirFD`.
    static func readLink(_ name: String, in dirFD: Int32) -> String? {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 4096) { buffer in
            let count = readlinkat(dirFD, name, UnsafeMutableRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self), 4095)
            guard count >= 0 else { return nil }
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[0..<count]), as: UTF8.self)
        }
    }
}

/// Sorting names by their bytes (C's `strcmp`, the order `openssl rehash` uses).
enum ByteOrder {
    static func sorted<T>(_ items: [T], by key: (T) -> String) -> [T] {
        // File names hold no NUL, so strcmp on their C strings is exactly byte order.
        items.sorted { lhs, rhs in key(lhs).withCString { l in key(rhs).withCString { r in strcmp(l, r) < 0 } } }
    }
}
