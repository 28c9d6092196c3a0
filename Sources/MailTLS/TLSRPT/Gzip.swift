import CGzip

/// gzip decompression with a hard size cap (zlib through the CGzip shim). TLS reports come
/// as `.json.gz` files and `application/tlsrpt+gzip` mail parts (RFC 8460 §5.3); a few
/// kilobytes of gzip can expand to gigabytes, so inflating stops at `limit` bytes and the
/// input is refused instead.
public enum Gzip {
    /// 10 MiB: the largest reports of the biggest senders are a few hundred kilobytes.
    public static let reportLimit = 10 << 20

    /// Whether `bytes` begin with gzip's magic number (1f 8b).
    public static func isGzip(_ bytes: some Collection<UInt8>) -> Bool {
        var iterator = bytes.makeIterator()
        return iterator.next() == 0x1F && iterator.next() == 0x8B
    }

    /// The decompressed bytes of `bytes` (one gzip member or several), at most `limit`.
    ///
    /// - Throws: `MailTLSError` naming `source` when the data is damaged or cut short, or
    ///   would expand beyond `limit`.
    public static func decompress(_ bytes: [UInt8], limit: Int = reportLimit, source: String) throws -> [UInt8] {
        // One byte more than the limit: filling it means the data is larger than allowed.
        // The buffer is only reserved, not touched, so untouched pages cost nothing.
        let capacity = limit + 1
        var status = CGZIP_OK
        let output = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            var produced = 0
            status = bytes.withUnsafeBufferPointer { input in
                Int(cgzip_inflate(input.baseAddress, input.count, buffer.baseAddress, capacity, &produced))
            }
            count = produced
        }
        switch status {
        case CGZIP_OK where output.count <= limit:
            return Array(output[...]) // exactly sized: the reserved capacity is given back
        case CGZIP_OK, CGZIP_TOO_LARGE:
            throw MailTLSError(source, "expands to more than \(StandardInput.words(limit)) when decompressed; mailtls stops there (a gzip bomb, or not a TLS report)",
                               remedy: "check where it came from; a real TLS report is far smaller")
        case CGZIP_TRUNCATED:
            throw MailTLSError(source, "is cut short: the gzip data ends early", remedy: "save the report again, whole")
        case CGZIP_NO_MEMORY:
            throw MailTLSError(source, "cannot be decompressed: out of memory", remedy: "free some memory and run again")
        default:
            throw MailTLSError(source, "is damaged gzip data (bad header or checksum)", remedy: "save the report again, or ask its sender")
        }
    }
}
