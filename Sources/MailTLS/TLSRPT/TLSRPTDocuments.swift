/// Finds the TLS reports in one input: a report's JSON (`.json`), gzipped JSON (`.json.gz`),
/// or mail: one message or an mbox, each message's `application/tlsrpt+gzip` or
/// `application/tlsrpt+json` part (RFC 8460 §5.3) at any depth of multipart nesting or
/// forwarding. What the input is comes from its bytes, not its name.
public enum TLSRPTDocuments {
    /// One report's JSON, and where it was found (`reports.mbox, message 2`).
    public struct Document: Sendable, Equatable {
        public var source: String
        public var json: [UInt8]
    }

    /// What one input held: the reports' JSON, what could not be read (each naming where),
    /// and how many mail messages held no report (an mbox may mix reports with other mail).
    public struct Contents: Sendable, Equatable {
        public var documents: [Document] = []
        public var problems: [MailTLSError] = []
        public var messagesWithoutReport = 0
    }

    /// The media types of a report part (RFC 8460 §5.3, §6.4, §6.5).
    static let reportTypes: Set<String> = ["application/tlsrpt+gzip", "application/tlsrpt+json"]
    /// Types some senders label a report part with instead; taken when the part's file name
    /// ends in `.json` or `.json.gz`.
    static let genericTypes: Set<String> = ["application/gzip", "application/x-gzip", "application/json", "application/octet-stream"]

    /// The reports in `bytes`; `source` names the input in documents and problems.
    /// `limit` caps each decompressed report.
    public static func contents(of bytes: [UInt8], source: String, limit: Int = Gzip.reportLimit) -> Contents {
        var contents = Contents()
        if Gzip.isGzip(bytes) || isJSON(bytes) {
            do {
                contents.documents.append(Document(source: source, json: try unpacked(bytes, source: source, limit: limit)))
            } catch let error as MailTLSError {
                contents.problems.append(error)
            } catch {
                contents.problems.append(MailTLSError(source, "\(error)"))
            }
            return contents
        }
        let messages = MessageSplitter.messages(in: bytes)
        for (index, lines) in messages.enumerated() {
            let place = messages.count > 1 ? "\(source), message \(index + 1)" : source
            do {
                let message = try MIMEEntity(lines: lines[...], source: place)
                let parts = message.all.filter(isReportPart)
                if parts.isEmpty { contents.messagesWithoutReport += 1 }
                for (number, part) in parts.enumerated() {
                    let label = parts.count > 1 ? "\(place), part \(number + 1)" : place
                    do {
                        let body = try part.decodedBody(source: label)
                        contents.documents.append(Document(source: label, json: try unpacked(body, source: label, limit: limit)))
                    } catch let error as MailTLSError {
                        contents.problems.append(error)
                    }
                }
            } catch let error as MailTLSError {
                contents.problems.append(error)
            } catch {
                contents.problems.append(MailTLSError(place, "\(error)"))
            }
        }
        if contents.documents.isEmpty && contents.problems.isEmpty {
            let what = messages.count > 1 ? "none of its \(messages.count) messages holds" : "holds no"
            contents.problems.append(MailTLSError(source, "\(what) TLS report (no JSON, no gzip, no application/tlsrpt+gzip or +json mail part)",
                                                  remedy: "give a report as .json or .json.gz, or the whole message it came in"))
        }
        return contents
    }

    /// Whether a mail part is a report: by its media type, or a generic type and a report's
    /// file name.
    static func isReportPart(_ part: MIMEEntity) -> Bool {
        if reportTypes.contains(part.contentType.value) { return true }
        guard genericTypes.contains(part.contentType.value), let name = part.fileName?.lowercased() else { return false }
        return name.hasSuffix(".json") || name.hasSuffix(".json.gz")
    }

    /// The JSON of a report that may be gzipped (a `+gzip` part is sometimes sent plain).
    static func unpacked(_ bytes: [UInt8], source: String, limit: Int) throws -> [UInt8] {
        Gzip.isGzip(bytes) ? try Gzip.decompress(bytes, limit: limit, source: source) : bytes
    }

    /// Whether `bytes` look like a JSON object: `{` first, after whitespace and a UTF-8 BOM.
    static func isJSON(_ bytes: [UInt8]) -> Bool {
        var rest = bytes[...]
        if rest.starts(with: [0xEF, 0xBB, 0xBF]) { rest = rest.dropFirst(3) }
        return rest.first { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D } == UInt8(ascii: "{")
    }
}
