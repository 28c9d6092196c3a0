/// Crash-safe file writes: a file is either its old bytes or its new bytes, never a mix,
/// and a secret is never readable by anyone else, not even for a moment.
///
/// Every write goes to a temp file in the same directory, created with its final mode
/// (so a key is 0600 before its first byte exists), then `fsync`, then `link` (when the
/// file must not exist yet, which is atomic against a racing writer) or `rename` (when
/// replacing), then `fsync` of the directory so the new name survives a power cut.
public enum AtomicFile {
    /// Who may read the file.
    public enum Mode: Sendable {
        /// 0600: private keys and other secrets.
        case secret
        /// 0644: certificates, requests, bundles.
        case shared

        var bits: mode_t { self == .secret ? 0o600 : 0o644 }
    }

    /// What to do when the file already exists.
    public enum Existing: Sendable {
        /// Refuse: the caller gets an error naming the file and `--force`.
        case refuse
        /// Replace it atomically.
        case replace
    }

    /// Writes `bytes` to `path` atomically with `mode`. With `durable: false` the fsyncs are
    /// left to the caller, who writes many files and then calls `flush(directory:)` once: the
    /// file is still never partial to other processes (or after a kill), only the power-cut
    /// guarantee waits for that flush.
    public static func write(_ bytes: [UInt8], to path: String, mode: Mode, existing: Existing, durable: Bool = true) throws {
        let temp = try writeTemp(bytes, near: path, mode: mode, durable: durable)
        do {
            switch existing {
            case .refuse: try linkNoReplace(temp, to: path)
            case .replace:
                guard rename(temp, path) == 0 else { throw MailTLSError.system(path, "replace it", errno: errno) }
            }
        } catch {
            unlink(temp)
            throw error
        }
        if durable { syncDirectory(of: path) }
    }

    /// Writes `text` as UTF-8; see `write(_:to:mode:existing:durable:)`.
    public static func write(_ text: String, to path: String, mode: Mode, existing: Existing, durable: Bool = true) throws {
        try write(Array(text.utf8), to: path, mode: mode, existing: existing, durable: durable)
    }

    /// Makes everything written so far durable, after a batch of `durable: false` writes
    /// (sync(2): one journal commit for the whole batch; Glibc's module does not export syncfs).
    public static func flushAll() {
        sync()
    }

    /// Writes `bytes` to a fresh temp file beside `path` and returns its name; the caller
    /// renames or removes it. Used directly by multi-file operations such as promote.
    static func writeTemp(_ bytes: [UInt8], near path: String, mode: Mode, durable: Bool = true) throws -> String {
        let dir = Paths.directory(of: path)
        let temp = Paths.join(dir, ".\(Paths.fileName(of: path)).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode.bits)
        guard fd >= 0 else {
            let code = errno
            throw MailTLSError.system(dir, "create a file in it", errno: code,
                                      remedy: code == EACCES ? "run as a user who may write there, or choose another --dir" : "")
        }
        do {
            // The umask can only take bits away; set the exact mode so shared files are 0644.
            guard fchmod(fd, mode.bits) == 0 else { throw MailTLSError.system(temp, "set its mode", errno: errno) }
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
                if written < 0 {
                    if errno == EINTR { continue }
                    throw MailTLSError.system(path, "write it", errno: errno)
                }
                offset += written
            }
            if durable {
                guard fsync(fd) == 0 else { throw MailTLSError.system(path, "write it to disk", errno: errno) }
            }
            guard close(fd) == 0 else {
                throw MailTLSError.system(path, "write it", errno: errno)
            }
        } catch {
            close(fd)
            unlink(temp)
            throw error
        }
        return temp
    }

    /// Gives `temp` the name `path` only if nothing has that name yet, then drops `temp`.
    static func linkNoReplace(_ temp: String, to path: String) throws {
        if link(temp, path) != 0 {
            let code = errno
            if code == EEXIST {
                throw MailTLSError(path, "already exists", remedy: "use --force to replace it; the old file is kept as a dated backup")
            }
            throw MailTLSError.system(path, "create it", errno: code)
        }
        unlink(temp)
    }

    /// Makes a hard link `path.<UTC time>` to the current file, so the old version survives
    /// whatever replaces `path`. Never overwrites an earlier backup: a second backup in the
    /// same second gets `.1`, `.2`, … Returns the backup's path, or nil when `path` does not exist.
    @discardableResult
    public static func backUp(_ path: String, stamp: String) throws -> String? {
        guard FileReading.exists(path) else { return nil }
        var attempt = 0
        while true {
            let candidate = attempt == 0 ? "\(path).\(stamp)" : "\(path).\(stamp).\(attempt)"
            if link(path, candidate) == 0 {
                syncDirectory(of: path)
                return candidate
            }
            let code = errno
            guard code == EEXIST else { throw MailTLSError.system(path, "back it up as \(candidate)", errno: code) }
            attempt += 1
        }
    }

    /// Flushes the directory entry changes (new names) of the directory holding `path`.
    static func syncDirectory(of path: String) {
        let fd = open(Paths.directory(of: path), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }
}
