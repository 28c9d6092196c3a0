/// The one reader of standard input (`hash -`, `headers -`, `probe --targets -`,
/// `rollover next` without --records). Bounded like `FileReading`: a pipe from
/// `/dev/zero` or a mistaken `cat` of a disk image ends with a one-line error naming stdin
/// instead of eating memory.
public enum StandardInput {
    /// Reads all of standard input, at most `FileReading.sizeLimit` bytes; `remedy` says what
    /// the command expects to be piped in, for the error when there is more.
    public static func readAll(remedy: String = "pipe in a smaller input, or name a file") throws -> [UInt8] {
        try readAll(from: 0, limit: FileReading.sizeLimit, remedy: remedy)
    }

    /// All of `descriptor` up to `limit` bytes; split out so tests can hand it a pipe.
    static func readAll(from descriptor: Int32, limit: Int, remedy: String) throws -> [UInt8] {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw MailTLSError.system("stdin", "read it", errno: errno)
            }
            if count == 0 { return result }
            result.append(contentsOf: chunk[0..<count])
            if result.count > limit {
                throw MailTLSError("stdin", "is more than the \(Self.words(limit)) mailtls reads", remedy: remedy)
            }
        }
    }

    /// `64 MiB`, or the exact byte count for a limit below one MiB (tests use small limits).
    static func words(_ limit: Int) -> String {
        limit >= 1 << 20 ? "\(limit >> 20) MiB" : "\(limit) bytes"
    }
}
