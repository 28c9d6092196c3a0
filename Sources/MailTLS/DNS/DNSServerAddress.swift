import Foundation

/// A DNS server by address and port: `--nameserver` / `--dns-server HOST[:PORT]` (an IP
/// address; `[v6]:port` for IPv6), or the first `nameserver` of /etc/resolv.conf.
public struct DNSServerAddress: Sendable, Equatable, Codable, CustomStringConvertible {
    public var host: String
    public var port: Int

    /// Parses `HOST[:PORT]`; `option` names the command-line option in the error.
    public init(parsing text: String, option: String = "--nameserver") throws {
        var host = text, port = 53
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if rest.hasPrefix(":") { port = Int(rest.dropFirst()) ?? -1 } else if !rest.isEmpty { port = -1 }
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
            host = String(text[..<colon])
            port = Int(text[text.index(after: colon)...]) ?? -1
        }
        guard IPAddressText.bytes(host) != nil, (1...65535).contains(port) else {
            throw MailTLSError("\(option) \(text)", "is not an IP address with an optional port", remedy: "give e.g. 192.0.2.53 or [2001:db8::53]:53")
        }
        self.host = host
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// On the loopback interface (127.0.0.0/8, ::1): the only place from which an AD bit can
    /// be trusted without a secured path to the resolver (RFC 4035 §4.9.3, RFC 7672 §2.1.1).
    public var isLoopback: Bool {
        guard let bytes = IPAddressText.bytes(host) else { return false }
        if bytes.count == 4 { return bytes[0] == 127 }
        let v4Mapped = bytes.prefix(10).allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF
        return bytes == [UInt8](repeating: 0, count: 15) + [1] || (v4Mapped && bytes[12] == 127)
    }

    /// The system's resolver: the first `nameserver` line of /etc/resolv.conf, which is the
    /// one glibc asks first.
    public static func system(resolvConf path: String = "/etc/resolv.conf") -> DNSServerAddress? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if words.count >= 2, words[0] == "nameserver", let address = try? DNSServerAddress(parsing: String(words[1])) {
                return address
            }
        }
        return nil
    }
}
