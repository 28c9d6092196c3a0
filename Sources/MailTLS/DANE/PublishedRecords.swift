/// The records an admin says are published, piped in (zone-file lines, TYPE52 lines, or
/// `dig +short` output), as `rollover next` takes them.
extension TLSAFileSource {
    /// Reads and parses standard input; an input without a single record is an error, since
    /// `rollover next` must find next.key's record among what was piped in.
    public static func standardInput() throws -> TLSAFileSource {
        let bytes = try StandardInput.readAll(remedy: "pipe in the TLSA records as published, or give --records FILE or --records dns")
        let entries = try TLSAZoneParser.parse(String(decoding: bytes, as: UTF8.self), path: "standard input")
        guard !entries.isEmpty else {
            throw MailTLSError("standard input", "holds no TLSA record", remedy: "pipe the records as published, or give --records FILE or --records dns")
        }
        return TLSAFileSource(path: "standard input", entries: entries)
    }
}
