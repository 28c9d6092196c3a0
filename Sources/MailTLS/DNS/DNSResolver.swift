import CResolv
import Foundation
import NIOPosix

/// Asks a DNS resolver, through glibc's own resolver (res_ninit, res_nmkquery, res_nsend), and
/// trusts its AD bit: the model Postfix and RFC 7672 use (a local validating resolver).
///
/// res_nsend, unlike res_nquery, hands back NXDOMAIN, NODATA and SERVFAIL replies whole, so a
/// caller can tell "no such name" from "validation failed". Each lookup has its own resolver
/// state (no global `_res`) and runs on NIO's thread pool: res_nsend blocks, and must never
/// block the caller's executor or an event loop.
public struct DNSResolver: Sendable, CustomStringConvertible {
    /// The server to ask; nil: the name servers of /etc/resolv.conf. Set on the resolver
    /// state after res_ninit: /etc/resolv.conf is never touched.
    public var nameserver: DNSServerAddress?
    /// Seconds to wait for the first try's reply (glibc's `retrans`); each further try waits
    /// twice as long as the one before. A try that gets any reply is not repeated.
    public var timeout: Int
    /// How many times the server is asked when it stays silent.
    public var tries: Int
    /// Ask with DO and trust the reply's AD bit (RES_USE_DNSSEC | RES_TRUSTAD). Off for a
    /// server that only needs to show a record (ACME's dns-01 wait).
    public var dnssec: Bool

    public init(nameserver: DNSServerAddress? = nil, timeout: Int = 2, tries: Int = 2, dnssec: Bool = true) {
        self.nameserver = nameserver
        self.timeout = max(1, timeout)
        self.tries = max(1, min(tries, 5))
        self.dnssec = dnssec
    }

    /// The longest one lookup can wait for a server that never answers, in seconds.
    public var worstCaseSeconds: Int { timeout * ((1 << tries) - 1) }

    /// The address asked: the override, or the first name server of /etc/resolv.conf (glibc
    /// asks 127.0.0.1 when there is none).
    public var serverAddress: DNSServerAddress? {
        nameserver ?? DNSServerAddress.system() ?? (try? DNSServerAddress(parsing: "127.0.0.1"))
    }

    /// `resolver 192.0.2.53:53`, or `system resolver 127.0.0.53:53`: how errors name it.
    public var description: String {
        if let nameserver { return "resolver \(nameserver)" }
        return "system resolver" + (serverAddress.map { " \($0)" } ?? "")
    }

    /// Sends one query for `name` (absolute, no search list) and `type`, class IN, and returns
    /// the reply as it is. Throws ``DNSLookupError`` when there is no reply in time or the
    /// reply is not one to this question.
    public func query(name: String, type: DNSRecordType) async throws -> DNSReply {
        let question = try questionName(name, type)
        return try await NIOThreadPool.singleton.runIfActive { try self.exchange(question, type) }
    }

    /// ``query(name:type:)``, read as a ``DNSAnswer``.
    public func lookup(name: String, type: DNSRecordType) async throws -> DNSAnswer {
        let question = try questionName(name, type)
        return DNSAnswer(name: question, type: type, reply: try await query(name: name, type: type))
    }

    private func questionName(_ name: String, _ type: DNSRecordType) throws -> DNSName {
        do {
            return try DNSName(name)
        } catch {
            throw DNSLookupError(.invalidName, resolver: description, name: name, type: type)
        }
    }

    /// The blocking exchange, on a thread of the pool: one resolver state, set up, used, closed.
    func exchange(_ name: DNSName, _ type: DNSRecordType) throws -> DNSReply {
        func failure(_ kind: DNSLookupError.Kind) -> DNSLookupError {
            DNSLookupError(kind, resolver: description, name: name.description, type: type)
        }
        guard let state = cresolv_open() else { throw failure(.resolverUnavailable) }
        defer { cresolv_close(state) }
        if let nameserver {
            guard cresolv_set_nameserver(state, nameserver.host, UInt16(nameserver.port)) == 0 else {
                throw failure(.resolverUnavailable)
            }
        }
        // Search lists off: the name is absolute. TRUSTAD: since glibc 2.31 the AD bit is
        // cleared in replies unless it is set. EDNS0/DNSSEC: glibc adds OPT only in
        // res_nquery; the query below carries its own.
        var options = UInt(state.pointee.options)
        options &= ~UInt(RES_DEFNAMES | RES_DNSRCH)
        options |= UInt(RES_USE_EDNS0)
        if dnssec { options |= UInt(RES_USE_DNSSEC) | UInt(RES_TRUSTAD) } else { options &= ~UInt(RES_TRUSTAD) }
        state.pointee.options = options

        var query = [UInt8](repeating: 0, count: 512)
        let length = query.withUnsafeMutableBufferPointer {
            cresolv_mkquery(state, name.description, Int32(type.rawValue), $0.baseAddress, Int32($0.count))
        }
        guard length >= 12 else { throw failure(.invalidName) }
        query.removeSubrange(Int(length)...)
        Self.addEDNS(to: &query, dnssec: dnssec)

        // The tries are ours, not glibc's: glibc would also repeat a query whose SERVFAIL it
        // dropped, and a validating resolver's second SERVFAIL (from its cache) says less
        // (extended error 6 instead of 7, "Signature Expired"). Only silence is retried.
        let id = UInt16(query[0]) << 8 | UInt16(query[1])
        var answer: [UInt8] = []
        var received: Int32 = -1
        for attempt in 0..<tries {
            state.pointee.retrans = Int32(timeout << attempt)
            state.pointee.retry = 1
            answer = [UInt8](repeating: 0, count: 65_536)
            received = query.withUnsafeBufferPointer { sent in
                answer.withUnsafeMutableBufferPointer {
                    cresolv_send(state, sent.baseAddress, Int32(sent.count), $0.baseAddress, Int32($0.count))
                }
            }
            if received >= 0 { break }
            let code = errno
            // glibc drops SERVFAIL, REFUSED, NOTIMP and empty non-recursive NOERROR replies
            // and fails; the reply is still in the buffer (which started as zeros).
            if let dropped = Self.droppedReply(in: answer, id: id, name: name, type: type) { return dropped }
            guard code == ETIMEDOUT || code == 0 || code == EAGAIN else {
                throw failure(.sendFailed(String(cString: strerror(code))))
            }
        }
        guard received >= 0 else { throw failure(.noReply) }
        answer.removeSubrange(min(Int(received), answer.count)...)
        let reply: DNSReply
        do {
            reply = try DNSReply(bytes: answer)
        } catch let error as DNSWireError {
            throw failure(.unparsable(error))
        }
        if let mismatch = Self.mismatch(reply.message, id: id, name: name, type: type) { throw failure(.mismatched(mismatch)) }
        return reply
    }

    /// Why `message` is not the reply to query `id` for `name`/`type`, or nil when it is.
    static func mismatch(_ message: DNSMessage, id: UInt16, name: DNSName, type: DNSRecordType) -> String? {
        guard message.header.isResponse else { return "is a query, not a reply" }
        guard message.header.id == id else { return "has ID \(message.header.id), not the query's" }
        guard message.questions.count == 1, message.questions[0].name == name, message.questions[0].type == type else {
            return "is about another question"
        }
        return nil
    }

    /// A reply to this very query that res_nsend received but did not pass on (see
    /// cresolv_send), cut to the length its records take; nil when the buffer holds none,
    /// or only a truncated one (TC: glibc went on to TCP, and that failed).
    static func droppedReply(in buffer: [UInt8], id: UInt16, name: DNSName, type: DNSRecordType) -> DNSReply? {
        guard buffer.count >= 12, buffer[2] & 0x80 != 0, buffer[2] & 0x02 == 0,
              let message = try? DNSMessage(parsing: Array(buffer.prefix(DNSMessage.maximumSize))),
              mismatch(message, id: id, name: name, type: type) == nil else { return nil }
        return try? DNSReply(bytes: Array(buffer.prefix(message.wireLength)))
    }

    /// Appends an OPT pseudo-record (RFC 6891 §6.1.2): UDP payload 1232 (the DNS flag day
    /// 2020 size, which avoids fragmentation), DO set when `dnssec`; sets AD in the query
    /// (RFC 6840 §5.7: ask for the AD bit) and counts the record in ARCOUNT.
    static func addEDNS(to query: inout [UInt8], dnssec: Bool) {
        query += [0, 0, 41, 0x04, 0xD0, 0, 0, dnssec ? 0x80 : 0, 0, 0, 0]
        if dnssec { query[3] |= 0x20 }
        let additional = (UInt16(query[10]) << 8 | UInt16(query[11])) &+ 1
        query[10] = UInt8(additional >> 8)
        query[11] = UInt8(additional & 0xFF)
    }
}
