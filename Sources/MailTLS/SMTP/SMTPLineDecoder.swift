/// Cuts the bytes a client sends into lines (LF or CR LF), with a cap on every line, in
/// commands and in message text alike: a line longer than the cap is reported once as
/// `.tooLong` and its bytes are dropped as they arrive, up to its LF. So however long a line
/// a client sends, the server holds at most `limit` bytes of it.
///
/// A plain value (no NIO) that `ServerSessionHandler` feeds and drains; the handler, not a
/// `ByteToMessageDecoder` in the pipeline, owns it because after STARTTLS the plaintext it
/// still holds must be dropped at once (`discardBuffered`), before the TLS handler sees a byte.
struct SMTPLineDecoder {
    enum Frame: Equatable {
        /// One line, without its CR LF.
        case line([UInt8])
        /// A line over the limit; its bytes are gone.
        case tooLong
    }

    /// Message text lines: RFC 5321 allows 1000 octets; real clients sometimes send longer
    /// ones, so the cap is generous, yet bounded.
    static let maxDataLine = 65_536

    private var buffer: [UInt8] = []
    /// Where the unread bytes start in `buffer` (the front is dropped in bulk, not per line).
    private var start = 0
    /// How far past `start` is known to hold no LF, so a long line is scanned once.
    private var scanned = 0
    /// Inside an over-long line: bytes are dropped up to and including the next LF.
    private var discarding = false

    /// Bytes received and not yet given out as a line.
    var bufferedCount: Int { buffer.count - start }

    mutating func append(_ bytes: some Sequence<UInt8>) {
        buffer.append(contentsOf: bytes)
    }

    /// The next line no longer than `limit` bytes (CR LF not counted), `.tooLong` once for a
    /// longer one, or nil when more bytes are needed.
    mutating func next(limit: Int) -> Frame? {
        while true {
            let searchFrom = start + scanned
            guard let newline = buffer[searchFrom...].firstIndex(of: 0x0A) else {
                scanned = buffer.count - start
                if discarding {
                    dropAll()
                    return nil
                }
                // A CR may still be followed by its LF: allow one byte over the limit.
                if bufferedCount > limit + 1 {
                    dropAll()
                    discarding = true
                    return .tooLong
                }
                compact()
                return nil
            }
            var end = newline
            if end > start && buffer[end - 1] == 0x0D { end -= 1 }
            let line = Array(buffer[start..<end])
            start = newline + 1
            scanned = 0
            if discarding {
                discarding = false
                continue
            }
            if line.count > limit { return .tooLong }
            return .line(line)
        }
    }

    /// Drops every byte received and not yet given out (STARTTLS: RFC 3207 says plaintext
    /// that follows the command must not be read as if it came through TLS).
    mutating func discardBuffered() {
        dropAll()
        discarding = false
    }

    private mutating func dropAll() {
        buffer.removeAll(keepingCapacity: buffer.count <= Self.maxDataLine * 2)
        start = 0
        scanned = 0
    }

    /// Moves the unread bytes to the front once the read ones take half the buffer.
    private mutating func compact() {
        guard start > 0, start >= buffer.count / 2 else { return }
        buffer.removeSubrange(0..<start)
        start = 0
    }
}
