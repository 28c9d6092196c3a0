import Foundation
import MailTLS

/// Asks one DNS server for the TXT records of a name (RFC 1035, one UDP query), so dns-01
/// waits until the record the hook set is really visible instead of sleeping a guessed time.
///
/// Deliberately small: a question for TXT/IN, the answer section read with name compression,
/// nothing cached. A truncated or missing answer is "not visible yet", never an error.
enum DNSTXTLookup {
    /// The TXT strings of `name` at `server` (each record's strings joined, as ACME compares
    /// them), or nil when the server did not answer within `timeout` seconds.
    static func values(of name: String, at server: DNSServerAddress, timeout: Double = 2) -> [String]? {
        let id = UInt16.random(in: 0...UInt16.max)
        guard let query = self.query(name: name, id: id) else { return nil }
        guard let reply = exchange(query, with: server, timeout: timeout) else { return nil }
        return parseTXT(reply, id: id)
    }

    /// The query message: header (RD set), one question for TXT (16) in class IN (1).
    static func query(name: String, id: UInt16) -> [UInt8]? {
        var message: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xFF), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]
        for label in name.split(separator: ".") {
            let bytes = Array(label.utf8)
            guard !bytes.isEmpty, bytes.count < 64 else { return nil }
            message.append(UInt8(bytes.count))
            message += bytes
        }
        message += [0, 0, 16, 0, 1]
        return message
    }

    /// The TXT values in a reply to query `id`; nil for a reply that is not one.
    static func parseTXT(_ reply: [UInt8], id: UInt16) -> [String]? {
        guard reply.count >= 12, reply[0] == UInt8(id >> 8), reply[1] == UInt8(id & 0xFF), reply[2] & 0x80 != 0 else { return nil }
        let questions = Int(reply[4]) << 8 | Int(reply[5])
        let answers = Int(reply[6]) << 8 | Int(reply[7])
        var offset = 12
        for _ in 0..<questions {
            guard let end = skipName(reply, at: offset), end + 4 <= reply.count else { return nil }
            offset = end + 4
        }
        var values: [String] = []
        for _ in 0..<answers {
            guard let end = skipName(reply, at: offset), end + 10 <= reply.count else { return nil }
            let type = Int(reply[end]) << 8 | Int(reply[end + 1])
            let length = Int(reply[end + 8]) << 8 | Int(reply[end + 9])
            let data = end + 10
            guard data + length <= reply.count else { return nil }
            if type == 16 {
                var text: [UInt8] = []
                var position = data
                while position < data + length {
                    let count = Int(reply[position])
                    guard position + 1 + count <= data + length else { return nil }
                    text += reply[(position + 1)..<(position + 1 + count)]
                    position += 1 + count
                }
                values.append(String(decoding: text, as: UTF8.self))
            }
            offset = data + length
        }
        return values
    }

    /// The offset just past a (possibly compressed) name.
    private static func skipName(_ message: [UInt8], at start: Int) -> Int? {
        var offset = start
        while offset < message.count {
            let length = message[offset]
            if length == 0 { return offset + 1 }
            if length & 0xC0 == 0xC0 { return offset + 2 <= message.count ? offset + 2 : nil }
            offset += 1 + Int(length)
        }
        return nil
    }

    private static func exchange(_ query: [UInt8], with server: DNSServerAddress, timeout: Double) -> [UInt8]? {
        var hints = addrinfo()
        hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(server.host, String(server.port), &hints, &result) == 0, let info = result else { return nil }
        defer { freeaddrinfo(result) }
        let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        guard connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0,
              query.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == query.count else { return nil }
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, Int32(timeout * 1000)) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        return count > 0 ? Array(buffer[0..<count]) : nil
    }
}

/// A DNS server to check at: `--dns-server HOST[:PORT]` (an IP address; `[v6]:port` for
/// IPv6), or the first `nameserver` of /etc/resolv.conf.
public struct DNSServerAddress: Sendable, Equatable, Codable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(parsing text: String) throws {
        var host = text, port = 53
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if rest.hasPrefix(":") { port = Int(rest.dropFirst()) ?? -1 }
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
            host = String(text[..<colon])
            port = Int(text[text.index(after: colon)...]) ?? -1
        }
        guard IPAddressText.bytes(host) != nil, (1...65535).contains(port) else {
            throw MailTLSError("--dns-server \(text)", "is not an IP address with an optional port", remedy: "give e.g. 192.0.2.53 or [2001:db8::53]:53 (a name server of the zone is best)")
        }
        self.host = host
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// The system's resolver, from /etc/resolv.conf.
    static func system() -> DNSServerAddress? {
        guard let text = try? String(contentsOfFile: "/etc/resolv.conf", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if words.count >= 2, words[0] == "nameserver", let address = try? DNSServerAddress(parsing: String(words[1])) {
                return address
            }
        }
        return nil
    }
}
