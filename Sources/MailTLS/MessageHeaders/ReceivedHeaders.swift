/// Reads the TLS facts of every hop out of a message's `Received:` headers.
///
/// Input is one RFC 5322 message (headers up to the first empty line) or an mbox (messages
/// each starting with a `From ` line). Understood: Sendmail's `(version=TLSv1.3 cipher=…
/// bits=256 verify=OK)` (and the same `key=value` form other MTAs write, with spaces or
/// commas), Postfix's `(using TLSv1.3 with cipher … (256/256 bits) key-exchange …)` with its
/// client-certificate comment, and Exim's `with esmtps (TLS1.3) tls CIPHER`.
public enum ReceivedHeaders {
    /// Reads and parses the file at `path`; `-` reads standard input.
    ///
    /// - Throws: `MailTLSError` when the file cannot be read, holds binary data, or has no
    ///   Received header at all.
    public static func load(_ path: String) throws -> HeadersReport {
        let bytes = path == "-" ? try StandardInput.readAll(remedy: "pipe in the one message you want to look at") : try file(path)
        return HeadersReport(file: path, messages: try parse(bytes, source: path == "-" ? "stdin" : path))
    }

    /// Parses the bytes of a message or mbox; `source` names it in errors.
    public static func parse(_ bytes: [UInt8], source: String) throws -> [ReceivedMessage] {
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
            throw MailTLSError(source, "is empty", remedy: "give a saved message or mbox file, or pipe one in")
        }
        var messages: [ReceivedMessage] = []
        for (index, lines) in MessageSplitter.messages(in: bytes).enumerated() {
            let fields = try HeaderFields.parse(lines, source: source)
            let received = fields.filter { $0.name == "received" }.map(\.value)
            var hops = received.reversed().map(parseHop)
            for position in hops.indices { hops[position].hop = position + 1 }
            messages.append(ReceivedMessage(
                message: index + 1,
                subject: fields.first { $0.name == "subject" }.map { ReceivedTokenizer.collapsingWhitespace($0.value) },
                messageId: fields.first { $0.name == "message-id" }.map { ReceivedTokenizer.collapsingWhitespace($0.value) },
                hops: hops))
        }
        guard messages.contains(where: { !$0.hops.isEmpty }) else {
            throw MailTLSError(source, "has no Received: headers",
                               remedy: "give the whole message with its headers, e.g. as saved by your mail client's \"show original\" or \"view source\"")
        }
        return messages
    }

    /// Parses one Received header's value (folded or not).
    public static func parseHop(_ value: String) -> ReceivedHop {
        ReceivedParser(value).hop
    }

    // MARK: reading

    static func file(_ path: String) throws -> [UInt8] {
        var info = stat()
        if stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, Int(info.st_size) > FileReading.sizeLimit {
            throw MailTLSError(path, "is \(info.st_size) bytes, more than the \(FileReading.sizeLimit >> 20) MiB mailtls reads",
                               remedy: "save the one message you want to look at to its own file")
        }
        return try FileReading.bytes(of: path)
    }
}
