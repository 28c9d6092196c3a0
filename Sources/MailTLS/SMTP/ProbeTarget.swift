/// What `probe` is told to connect to: `HOST`, `HOST:PORT`, `[IPv6]:PORT`, or a bare IPv6
/// address (more than one colon and no brackets: all of it is the host).
public struct ProbeTarget: Sendable, Equatable {
    public var host: String
    /// The port written in the target, nil when none was.
    public var port: Int?

    public init(host: String, port: Int?) {
        self.host = host
        self.port = port
    }

    public init(parsing text: String) throws {
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw MailTLSError(text, "has no closing ]", remedy: "write [2001:db8::25]:25") }
            let host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if rest.isEmpty {
                self.init(host: host, port: nil)
                return
            }
            guard rest.hasPrefix(":"), let port = Int(rest.dropFirst()), (1...65535).contains(port) else {
                throw MailTLSError(text, "has a bad port", remedy: "write [2001:db8::25]:25")
            }
            self.init(host: host, port: port)
            return
        }
        let colons = text.filter { $0 == ":" }.count
        if colons == 1, let colon = text.firstIndex(of: ":") {
            guard let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else {
                throw MailTLSError(text, "has a bad port", remedy: "write HOST:PORT with a port from 1 to 65535")
            }
            self.init(host: String(text[..<colon]), port: port)
            return
        }
        guard !text.isEmpty else { throw MailTLSError("probe", "no host given", remedy: "give HOST or HOST:PORT") }
        self.init(host: text, port: nil)
    }

    /// The targets listed in `path` (`-`: standard input) for `probe --targets`, one per line;
    /// blank lines and `#` comments are skipped.
    public static func list(from path: String) throws -> [ProbeTarget] {
        let bytes = path == "-" ? try StandardInput.readAll(remedy: "one HOST or HOST:PORT per line") : try FileReading.bytes(of: path)
        let lines = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline)
            .map { String($0).trimmingSpaces() }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        guard !lines.isEmpty else { throw MailTLSError(path, "lists no host", remedy: "one HOST or HOST:PORT per line") }
        return try lines.map(ProbeTarget.init(parsing:))
    }

    /// The probe of this target: the port written in it, else `--port`, else 25; TLS from the
    /// first byte when asked for or on 465 (SMTPS, RFC 8314), STARTTLS otherwise.
    public func options(port portOption: Int?, ehloName: String, serverName: String?, trust: ProbeOptions.Trust,
                        tlsOnConnect: Bool, timeout: Double, tlsaRecords: [TLSARecord]?) -> ProbeOptions {
        let port = self.port ?? portOption ?? 25
        return ProbeOptions(host: host, port: port, ehloName: ehloName, serverName: serverName, trust: trust,
                            implicitTLS: tlsOnConnect || port == 465, timeout: timeout, tlsaRecords: tlsaRecords)
    }
}
