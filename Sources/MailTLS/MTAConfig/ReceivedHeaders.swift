/// One hop of a message's path: what one `Received:` header says about how the message got
/// from one host to the next, and in particular whether and how TLS protected that step.
///
/// Every key is always present in JSON (`null` when the header does not say), so scripts can
/// rely on the shape.
public struct ReceivedHop: Equatable, Sendable, Encodable {
    /// Position in the path, 1 = the oldest hop (the bottom-most Received header).
    public var hop: Int = 0
    /// The name the sending host gave (the word after `from`); nil for a local submission.
    public var from: String?
    /// The sending host's name as the receiver looked it up (`unknown` when it found none).
    public var fromHost: String?
    /// The sending host's address, from the brackets in the `from` comment.
    public var fromAddress: String?
    /// The receiving host (the word after `by`).
    public var by: String?
    /// The protocol (`with` clause): SMTP, ESMTP, ESMTPS, ESMTPSA, LMTP, …
    public var with: String?
    /// The receiver's queue id.
    public var id: String?
    /// Whether TLS protected this hop: TLS facts in the header, or a protocol name of RFC 3848
    /// that says so (ESMTPS, ESMTPSA, …).
    public var tls: Bool = false
    public var tlsVersion: String?
    public var cipher: String?
    /// Symmetric key bits of the cipher (Sendmail `bits=256`, Postfix `(256/256 bits)`).
    public var bits: Int?
    /// Postfix's `key-exchange` (e.g. X25519).
    public var keyExchange: String?
    /// Sendmail's `verify=` word, as written.
    public var verify: String?
    /// What became of the client's certificate, for either MTA.
    public var clientCertificate: ClientCertificate?
    /// Postfix's `Client CN "…"` and `Issuer "…"` (Issuer is the issuing CA's CN).
    public var clientCN: String?
    public var issuer: String?
    /// One line saying what `verify` (Sendmail) or the client-certificate comment (Postfix) means.
    public var verifyMeaning: String?
    /// The date after the header's last `;`, as written.
    public var date: String?
    /// The whole header value, unfolded onto one line.
    public var header: String = ""

    public init() {}

    enum CodingKeys: String, CodingKey {
        case hop, from, fromHost, fromAddress, by, with, id, tls, tlsVersion, cipher, bits, keyExchange
        case verify, clientCertificate, clientCN, issuer, verifyMeaning, date, header
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(hop, forKey: .hop)
        try container.encode(from, forKey: .from)
        try container.encode(fromHost, forKey: .fromHost)
        try container.encode(fromAddress, forKey: .fromAddress)
        try container.encode(by, forKey: .by)
        try container.encode(with, forKey: .with)
        try container.encode(id, forKey: .id)
        try container.encode(tls, forKey: .tls)
        try container.encode(tlsVersion, forKey: .tlsVersion)
        try container.encode(cipher, forKey: .cipher)
        try container.encode(bits, forKey: .bits)
        try container.encode(keyExchange, forKey: .keyExchange)
        try container.encode(verify, forKey: .verify)
        try container.encode(clientCertificate, forKey: .clientCertificate)
        try container.encode(clientCN, forKey: .clientCN)
        try container.encode(issuer, forKey: .issuer)
        try container.encode(verifyMeaning, forKey: .verifyMeaning)
        try container.encode(date, forKey: .date)
        try container.encode(header, forKey: .header)
    }
}

/// One message of the input and its hops, oldest first.
public struct ReceivedMessage: Equatable, Sendable, Encodable {
    /// Position in the input, 1 = the first message (an mbox holds several).
    public var message: Int
    public var subject: String?
    public var messageId: String?
    /// The hops, oldest first: the reverse of the header order, since every MTA adds its
    /// Received header on top.
    public var hops: [ReceivedHop]

    public init(message: Int, subject: String?, messageId: String?, hops: [ReceivedHop]) {
        self.message = message
        self.subject = subject
        self.messageId = messageId
        self.hops = hops
    }

    enum CodingKeys: String, CodingKey { case message, subject, messageId, hops }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(message, forKey: .message)
        try container.encode(subject, forKey: .subject)
        try container.encode(messageId, forKey: .messageId)
        try container.encode(hops, forKey: .hops)
    }
}

/// What `mailtls headers` reports: the input and its messages.
public struct HeadersReport: Equatable, Sendable, Encodable {
    /// The file read, or `-` for standard input.
    public var file: String
    public var messages: [ReceivedMessage]
}

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
                subject: fields.first { $0.name == "subject" }.map { ReceivedParser.collapsingWhitespace($0.value) },
                messageId: fields.first { $0.name == "message-id" }.map { ReceivedParser.collapsingWhitespace($0.value) },
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

/// Splits input into messages (the lines of each, line endings removed): an mbox at its
/// `From ` lines (at the start, or after an empty line), anything else as one message.
enum MessageSplitter {
    static func messages(in bytes: [UInt8]) -> [[ArraySlice<UInt8>]] {
        let lines = splitLines(bytes)
        let isMbox = lines.first.map(isFromLine) ?? false
        guard isMbox else { return [lines] }
        var messages: [[ArraySlice<UInt8>]] = []
        var current: [ArraySlice<UInt8>] = []
        var previousEmpty = true
        for line in lines {
            if previousEmpty && isFromLine(line) {
                if !current.isEmpty || !messages.isEmpty { messages.append(current) }
                current = []
            } else {
                current.append(line)
            }
            previousEmpty = line.isEmpty
        }
        messages.append(current)
        return messages
    }

    static func isFromLine(_ line: ArraySlice<UInt8>) -> Bool {
        line.starts(with: Array("From ".utf8))
    }

    /// Lines without their LF or CRLF.
    static func splitLines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        var start = bytes.startIndex
        for index in bytes.indices where bytes[index] == 0x0A {
            var end = index
            if end > start && bytes[end - 1] == 0x0D { end -= 1 }
            lines.append(bytes[start..<end])
            start = index + 1
        }
        if start < bytes.endIndex { lines.append(bytes[start..<bytes.endIndex]) }
        return lines
    }
}

/// The header section of one message: fields until the first empty line, unfolded.
struct HeaderFields {
    var name: String
    var value: String

    /// Field names are compared in lower case; continuation lines join their field with their
    /// leading whitespace kept (RFC 5322 unfolding). Lines that are neither are skipped.
    static func parse(_ lines: [ArraySlice<UInt8>], source: String) throws -> [HeaderFields] {
        var fields: [HeaderFields] = []
        var nameBytes: [UInt8] = []
        var valueBytes: [UInt8] = []
        func finish() {
            if !nameBytes.isEmpty {
                fields.append(HeaderFields(name: String(decoding: nameBytes, as: UTF8.self).lowercased(),
                                           value: String(decoding: valueBytes, as: UTF8.self)))
            }
            nameBytes = []
            valueBytes = []
        }
        for line in lines {
            if line.isEmpty { break }
            if line.contains(where: isBinary) {
                throw MailTLSError(source, "holds binary data, not a mail message",
                                   remedy: "give a message or mbox file as text, e.g. as saved by your mail client's \"show original\"")
            }
            if line.first == 0x20 || line.first == 0x09 {
                if !nameBytes.isEmpty { valueBytes.append(contentsOf: line) }
                continue
            }
            finish()
            guard let colon = line.firstIndex(of: 0x3A), colon > line.startIndex,
                  line[line.startIndex..<colon].allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { continue }
            nameBytes = Array(line[line.startIndex..<colon])
            valueBytes = Array(line[(colon + 1)...])
        }
        finish()
        return fields
    }

    /// Control bytes that never occur in a header section (tab, CR, LF, FF, VT and ESC may).
    static func isBinary(_ byte: UInt8) -> Bool {
        byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0B && byte != 0x0C && byte != 0x0D && byte != 0x1B
            || byte == 0x7F
    }
}

/// Reads one Received header value: words and comments, the clauses `from`, `by`, `with`,
/// `id` (RFC 5321 §4.4), the date after the last `;`, and TLS facts from the comments.
struct ReceivedParser {
    enum Token: Equatable {
        case word(String)
        case comment(String)
    }

    private(set) var hop = ReceivedHop()
    private var withWords: [String] = []
    private var postfixClient: ClientCertificate?

    static let keywords: Set<String> = ["from", "by", "via", "with", "id", "for"]
    /// RFC 3848 protocol names that mean TLS was used, and Google's `SMTPS`.
    static let tlsProtocols: Set<String> = ["ESMTPS", "ESMTPSA", "UTF8SMTPS", "UTF8SMTPSA", "LMTPS", "LMTPSA",
                                            "UTF8LMTPS", "UTF8LMTPSA", "SMTPS"]

    init(_ value: String) {
        let text = Self.collapsingWhitespace(value)
        hop.header = text
        let (tokens, date) = Self.tokenize(text)
        hop.date = date
        walk(tokens)
        finish()
    }

    // MARK: tokens

    static func collapsingWhitespace(_ text: String) -> String {
        var result = ""
        var pendingSpace = false
        for character in text {
            if character == " " || character == "\t" || character == "\r" || character == "\n" || character == "\r\n" {
                pendingSpace = !result.isEmpty
            } else {
                if pendingSpace { result.append(" ") }
                pendingSpace = false
                result.append(character)
            }
        }
        return result
    }

    /// Words, quoted strings and (nested) comments; the text after the last top-level `;` is
    /// the date.
    static func tokenize(_ text: String) -> ([Token], String?) {
        let characters = Array(text)
        var tokens: [Token] = []
        var dateCut: (tokenCount: Int, characterIndex: Int)?
        var index = 0
        while index < characters.count {
            let character = characters[index]
            switch character {
            case " ":
                index += 1
            case "(":
                var depth = 1
                var inner = ""
                index += 1
                while index < characters.count {
                    let next = characters[index]
                    if next == "\\", index + 1 < characters.count {
                        inner.append(characters[index + 1])
                        index += 2
                        continue
                    }
                    if next == "(" { depth += 1 }
                    if next == ")" {
                        depth -= 1
                        if depth == 0 { index += 1; break }
                    }
                    inner.append(next)
                    index += 1
                }
                tokens.append(.comment(inner))
            case ";":
                dateCut = (tokens.count, index + 1)
                index += 1
            case "\"":
                var word = ""
                index += 1
                while index < characters.count, characters[index] != "\"" {
                    if characters[index] == "\\", index + 1 < characters.count { index += 1 }
                    word.append(characters[index])
                    index += 1
                }
                index += 1
                tokens.append(.word(word))
            default:
                var word = ""
                while index < characters.count, !" (;".contains(characters[index]) {
                    word.append(characters[index])
                    index += 1
                }
                tokens.append(.word(word))
            }
        }
        guard let cut = dateCut else { return (tokens, nil) }
        let date = String(characters[cut.characterIndex...]).trimmingSpacesOnly()
        return (Array(tokens[..<cut.tokenCount]), date.isEmpty ? nil : date)
    }

    // MARK: clauses

    private mutating func walk(_ tokens: [Token]) {
        var clause: String?
        var seen: Set<String> = []
        var fromCommentRead = false
        for token in tokens {
            switch token {
            case .word(let word):
                let lower = word.lowercased()
                if Self.keywords.contains(lower), !seen.contains(lower) {
                    clause = lower
                    seen.insert(lower)
                    continue
                }
                switch clause {
                case "from": if hop.from == nil { hop.from = word }
                case "by": if hop.by == nil { hop.by = word }
                case "with": withWords.append(word)
                case "id": if hop.id == nil { hop.id = word }
                default: break
                }
            case .comment(let comment):
                if readTLSFacts(comment) { continue }
                if clause == "with", readEximVersion(comment) { continue }
                if clause == "from", !fromCommentRead {
                    readFromComment(comment)
                    fromCommentRead = true
                }
            }
        }
    }

    private mutating func finish() {
        // Exim: `with esmtps (TLS1.3) tls TLS_AES_256_GCM_SHA384`.
        if let tlsIndex = withWords.firstIndex(where: { $0.lowercased() == "tls" }), tlsIndex > 0,
           tlsIndex + 1 < withWords.count {
            if hop.cipher == nil { hop.cipher = withWords[tlsIndex + 1] }
            withWords.removeSubrange(tlsIndex...(tlsIndex + 1))
        }
        hop.with = withWords.isEmpty ? nil : withWords.joined(separator: " ")
        let protocolName = withWords.first?.uppercased() ?? ""
        hop.tls = hop.tlsVersion != nil || hop.cipher != nil || Self.tlsProtocols.contains(protocolName)
        if let verify = hop.verify {
            hop.verifyMeaning = VerifyWord.meaning(of: verify)
            hop.clientCertificate = VerifyWord(rawValue: verify.uppercased())?.clientCertificate
        } else if let client = postfixClient {
            hop.clientCertificate = client
            hop.verifyMeaning = client.postfixMeaning
        }
    }

    /// `(a.example [192.0.2.1])`, `(unknown [192.0.2.1])`, `([192.0.2.1] helo=…)`, `(192.0.2.1)`.
    private mutating func readFromComment(_ comment: String) {
        let words = comment.split(separator: " ")
        if let open = comment.firstIndex(of: "["),
           let close = comment[open...].firstIndex(of: "]") {
            hop.fromAddress = String(comment[comment.index(after: open)..<close])
            if let first = words.first, !first.hasPrefix("[") { hop.fromHost = String(first) }
        } else if words.count == 1, let only = words.first, only.contains(where: { $0 == "." || $0 == ":" }),
                  only.allSatisfy({ $0.isHexDigit || $0 == "." || $0 == ":" }) {
            hop.fromAddress = String(only)
        }
    }

    /// Sendmail's `version=… cipher=… bits=… verify=…` (also written with commas by other
    /// MTAs), Postfix's `using …` and its client-certificate comments. True when the comment
    /// was one of them.
    private mutating func readTLSFacts(_ comment: String) -> Bool {
        let parts = comment.split(whereSeparator: { $0 == " " || $0 == "," })
        let pairs: [(String, String)] = parts.compactMap { part in
            guard let equals = part.firstIndex(of: "=") else { return nil }
            return (part[..<equals].lowercased(), String(part[part.index(after: equals)...]))
        }
        if pairs.contains(where: { $0.0 == "version" || $0.0 == "cipher" }) {
            for (key, value) in pairs where !value.isEmpty {
                switch key {
                case "version": hop.tlsVersion = value
                case "cipher": hop.cipher = value
                case "bits": hop.bits = Self.leadingNumber(value)
                case "verify": hop.verify = value
                default: break
                }
            }
            return true
        }
        if comment.hasPrefix("using ") {
            readPostfixUsing(parts.map(String.init))
            return true
        }
        if comment.hasPrefix("Client CN ") {
            hop.clientCN = Self.quoted(after: "CN ", in: comment)
            hop.issuer = Self.quoted(after: "Issuer ", in: comment)
            if comment.hasSuffix("(verified OK)") {
                postfixClient = .verified
            } else if comment.hasSuffix("(not verified)") {
                postfixClient = .notVerified
            }
            return true
        }
        if comment == "Client did not present a certificate" {
            postfixClient = .notPresented
            return true
        }
        if comment == "No client certificate requested" {
            postfixClient = .notRequested
            return true
        }
        return false
    }

    /// `using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 …`
    private mutating func readPostfixUsing(_ words: [String]) {
        if words.count > 1 { hop.tlsVersion = words[1] }
        if let index = words.firstIndex(of: "cipher"), index + 1 < words.count {
            hop.cipher = words[index + 1]
            if index + 2 < words.count, words[index + 2].hasPrefix("(") {
                hop.bits = Self.leadingNumber(String(words[index + 2].dropFirst()))
            }
        }
        if let index = words.firstIndex(of: "key-exchange"), index + 1 < words.count {
            hop.keyExchange = words[index + 1]
        }
    }

    /// Exim's `(TLS1.3)` or older `(TLS1.2:ECDHE_RSA_AES_256_GCM_SHA384:256)` after `with esmtps`.
    private mutating func readEximVersion(_ comment: String) -> Bool {
        guard comment.hasPrefix("TLS"), !comment.contains(" ") else { return false }
        let fields = comment.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard let version = fields.first, version.dropFirst(3).first.map({ $0 == "v" || $0.isNumber }) == true else {
            return false
        }
        hop.tlsVersion = version
        if fields.count > 1, !fields[1].isEmpty { hop.cipher = fields[1] }
        if fields.count > 2 { hop.bits = Self.leadingNumber(fields[2]) }
        return true
    }

    static func leadingNumber(_ text: String) -> Int? {
        Int(String(text.prefix(while: \.isNumber)))
    }

    /// The text inside the double quotes that follow `marker`.
    static func quoted(after marker: String, in text: String) -> String? {
        guard let range = text.firstRange(of: marker) else { return nil }
        let rest = text[range.upperBound...]
        guard rest.first == "\"" else { return nil }
        var value = ""
        var index = rest.index(after: rest.startIndex)
        while index < rest.endIndex, rest[index] != "\"" {
            if rest[index] == "\\" {
                index = rest.index(after: index)
                if index == rest.endIndex { break }
            }
            value.append(rest[index])
            index = rest.index(after: index)
        }
        return value
    }
}

fileprivate extension String {
    /// Without leading and trailing spaces (the text has been collapsed already).
    func trimmingSpacesOnly() -> String {
        var text = Substring(self)
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return String(text)
    }
}
