/// The records an admin says are published, as `rollover next` takes them: from a file or
/// piped in (zone-file lines, TYPE52 lines, or `dig +short` output).
extension TLSAFileSource {
    /// Reads and parses standard input; an input without a single record is an error, since
    /// `rollover next` must find next.key's record among what was piped in.
    public static func standardInput() throws -> TLSAFileSource {
        let bytes = try StandardInput.readAll(remedy: "pipe in the TLSA records as published, or give --records FILE")
        let entries = try TLSAZoneParser.parse(String(decoding: bytes, as: UTF8.self), path: "standard input")
        guard !entries.isEmpty else {
            throw MailTLSError("standard input", "holds no TLSA record", remedy: "pipe the records as published, or give --records FILE")
        }
        return TLSAFileSource(path: "standard input", entries: entries)
    }

    /// The records published for `host` and `port`; when no line names that owner (the admin
    /// pasted a zone under another name for the same server, such as its CNAME target), every
    /// record in the input, so the check for next.key's record still runs over what was given.
    public func publishedRecords(host: String, port: Int) throws -> [TLSARecord] {
        let matching = try records(host: host, port: port)
        return matching.isEmpty ? entries.map(\.record) : matching
    }
}
