/// `tlsrpt read`'s inputs: each file (or `-`, standard input) read, its reports found and
/// counted. One unreadable file is a finding naming it; the others are still counted.
public enum TLSRPTFiles {
    /// The summary of every report in `paths`, failure findings included.
    public static func summary(of paths: [String], limit: Int = Gzip.reportLimit) -> TLSRPTSummary {
        var summary = TLSRPTSummary()
        for path in paths {
            do {
                let bytes = path == "-"
                    ? try StandardInput.readAll(remedy: "pipe in one report, message or mbox; name files for more")
                    : try read(path)
                summary.add(TLSRPTDocuments.contents(of: bytes, source: path == "-" ? "stdin" : path, limit: limit))
            } catch let error as MailTLSError {
                summary.add(unreadable: error)
            } catch {
                summary.add(unreadable: MailTLSError(path, "\(error)"))
            }
        }
        return summary.finished()
    }

    /// The file's bytes; an mbox larger than `FileReading.sizeLimit` is refused with advice
    /// that fits reports.
    static func read(_ path: String) throws -> [UInt8] {
        var info = stat()
        if stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, Int(info.st_size) > FileReading.sizeLimit {
            throw MailTLSError(path, "is \(info.st_size) bytes, more than the \(FileReading.sizeLimit >> 20) MiB mailtls reads",
                               remedy: "split the mailbox, or save the report messages to their own files")
        }
        return try FileReading.bytes(of: path)
    }
}
