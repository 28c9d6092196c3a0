/// Reading the small files mailtls works with (keys, certificates, requests, configs).
public enum FileReading {
    /// Anything larger than this is not a key, certificate or bundle an MTA would read;
    /// the cap keeps a mistaken path such as `/dev/zero` from eating memory.
    public static let sizeLimit = 64 << 20

    /// Reads the whole file at `path`, with errors that say what the path is instead.
    public static func bytes(of path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { throw MailTLSError(path, "no such file", remedy: "check the path, or create it first") }
            throw MailTLSError.system(path, "open it", errno: code)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw MailTLSError.system(path, "read it", errno: errno) }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            throw MailTLSError(path, "is a directory, not a file", remedy: "name a file inside it")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw MailTLSError(path, "is not a regular file", remedy: "name a regular file")
        }
        if Int(info.st_size) > sizeLimit {
            throw MailTLSError(path, "is \(info.st_size) bytes, too large for a key or certificate file", remedy: "check the path")
        }
        var result = [UInt8]()
        result.reserveCapacity(Int(info.st_size))
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw MailTLSError.system(path, "read it", errno: errno)
            }
            if count == 0 { break }
            result.append(contentsOf: chunk[0..<count])
            if result.count > sizeLimit {
                throw MailTLSError(path, "is too large for a key or certificate file", remedy: "check the path")
            }
        }
        return result
    }

    /// Whether anything (file, directory, link, even a dangling one) exists at `path`.
    public static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// Whether `path` is a regular file (following links).
    public static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    /// Whether `path` is a directory (following links).
    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }
}
