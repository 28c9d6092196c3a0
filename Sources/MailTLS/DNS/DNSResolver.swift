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
    /// twice as long as the one before.
    public var timeout: Int
    /// How many times each server is asked (glibc's `retry`).
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
        state.pointee.retrans = Int32(timeout)
        state.pointee.retry = Int32(tries)

        var query = [UInt8](repeating: 0, count: 512)
        let length = query.withUnsafeMutableBufferPointer {
            cresolv_mkquery(state, name.description, Int32(type.rawValue), $0.baseAddress, Int32($0.count))
        }
        guard length >= 12 else { throw failure(.invalidName) }
        query.removeSubrange(Int(length)...)
        Self.addEDNS(to: &query, dnssec: dnssec)

        var answer = [UInt8](repeating: 0, count: 65_536)
        let received = query.withUnsafeBufferPointer { sent in
            answer.withUnsafeMutableBufferPointer {
                cresolv_send(state, sent.baseAddress, Int32(sent.count), $0.baseAddress, Int32($0.count))
            }
        }
        guard received >= 0 else {
            let code = errno
            if code == ETIMEDOUT || code == 0 || code == EAGAIN {
                throw failure(.noReply)
            }
            throw failure(.sendFailed(String(cString: strerror(code))))
        }
        answer.removeSubrange(min(Int(received), answer.count)...)
        let reply: DNSReply
        do {
            reply = try DNSReply(bytes: answer)
        } catch let error as DNSWireError {
            throw failure(.unparsable(error))
        }
        let header = reply.message.header
        guard header.isResponse else { throw failure(.mismatched("is a query, not a reply")) }
        guard header.id == UInt16(query[0]) << 8 | UInt16(query[1]) else {
            throw failure(.mismatched("has ID \(header.id), not the query's"))
        }
        guard reply.message.questions.count == 1, reply.message.questions[0].name == name,
              reply.message.questions[0].type == type else {
            throw failure(.mismatched("is about another question"))
        }
        return reply
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
