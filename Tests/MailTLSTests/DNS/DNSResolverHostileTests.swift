import Foundation
import Synchronization
@testable import MailTLS
import Testing

/// DNSResolver (glibc's res_nsend underneath) against a scripted UDP server on loopback:
/// the right reply comes back whole (SERVFAIL too), and every hostile reply ends in a clear
/// DNSLookupError within the timeout, never a crash or a hang.
@Suite("DNS resolver against a scripted server")
struct DNSResolverHostileTests {
    typealias F = DNSFixture

    /// One try of one second: a lookup that gets nothing gives up after about a second.
    static func resolver(_ server: ScriptedDNSServer, dnssec: Bool = true) -> DNSResolver {
        DNSResolver(nameserver: server.address, timeout: 1, tries: 1, dnssec: dnssec)
    }

    /// Runs one lookup of `mx.example.org A` against a server answering with `reply`, and
    /// returns the result and how long it took.
    static func lookup(dnssec: Bool = true, _ reply: @escaping @Sendable ([UInt8]) -> [UInt8]?) async throws -> (Result<DNSAnswer, DNSLookupError>, Duration) {
        let server = try await ScriptedDNSServer(reply: reply)
        let resolver = resolver(server, dnssec: dnssec)
        let start = ContinuousClock.now
        let result: Result<DNSAnswer, DNSLookupError>
        do {
            result = .success(try await resolver.lookup(name: "mx.example.org", type: .a))
        } catch let error as DNSLookupError {
            result = .failure(error)
        }
        let elapsed = ContinuousClock.now - start
        await server.close()
        return (result, elapsed)
    }

    @Test("a good reply comes back with its records, flags and the query's EDNS DO bit seen by the server")
    func goodReply() async throws {
        let sawDO = Mutex(false)
        let (result, _) = try await Self.lookup { query in
            let message = try? DNSMessage(parsing: query)
            sawDO.withLock { $0 = message?.edns?.dnssecOK == true && message?.header.recursionDesired == true }
            return ScriptedDNSServer.reply(to: query, flags: 0x81A0, answers: [F.record(F.question, 1, [192, 0, 2, 25])],
                                           additionals: [F.opt()])
        }
        let answer = try result.get()
        #expect(answer.addresses == ["192.0.2.25"] && answer.rcode == .noError && answer.authenticated)
        #expect(sawDO.withLock { $0 })
        // Without DNSSEC the query has no DO, and the AD bit is not trusted (glibc clears it).
        let sawPlain = Mutex(true)
        let (plain, _) = try await Self.lookup(dnssec: false) { query in
            sawPlain.withLock { $0 = (try? DNSMessage(parsing: query))?.edns?.dnssecOK ?? false }
            return ScriptedDNSServer.reply(to: query, flags: 0x81A0, answers: [F.record(F.question, 1, [192, 0, 2, 25])])
        }
        #expect(try plain.get().addresses == ["192.0.2.25"])
        #expect(try !plain.get().authenticated)
        #expect(!sawPlain.withLock { $0 })
    }

    @Test("SERVFAIL, NXDOMAIN and REFUSED come back as replies, not errors")
    func failuresAreReplies() async throws {
        for (flags, code) in [(UInt16(0x8182), DNSAnswer.ResponseCode.servFail), (0x8183, .nxDomain), (0x8185, .refused)] {
            let (result, _) = try await Self.lookup { ScriptedDNSServer.reply(to: $0, flags: flags, additionals: [F.opt(options: [(15, F.u16(6))])]) }
            let answer = try result.get()
            #expect(answer.rcode == code && answer.records.isEmpty)
            #expect(answer.extendedError?.infoCode == 6)
        }
    }

    /// pebble-challtestsrv answers a name it has no record for like this: NOERROR, no
    /// records, neither AA nor RA, no OPT. glibc drops such a reply as a useless referral
    /// (and with dig's `pfcode` set, loops on it forever): it must come back as NODATA, fast.
    @Test("an empty reply without AA, RA or OPT comes back as NODATA, without spinning")
    func emptyNonRecursiveReply() async throws {
        let (result, elapsed) = try await Self.lookup { ScriptedDNSServer.reply(to: $0, flags: 0x8000) }
        let answer = try result.get()
        #expect(answer.isNoData && !answer.reply.message.header.recursionAvailable)
        #expect(answer.reply.bytes.count == answer.reply.message.wireLength)
        #expect(elapsed < .seconds(6), "took \(elapsed)")
    }

    @Test("hostile replies: no reply, wrong ID, cut short, compression loop, truncated without TCP")
    func hostileReplies() async throws {
        let deadline = Duration.seconds(6)
        let cases: [(String, @Sendable ([UInt8]) -> [UInt8]?, (DNSLookupError.Kind) -> Bool)] = [
            ("nothing", { _ in nil }, { $0 == .noReply }),
            ("wrong ID", { ScriptedDNSServer.reply(to: $0, idOffset: 1, answers: [F.record(F.question, 1, [1, 2, 3, 4])]) }, { $0 == .noReply }),
            ("cut short", { ScriptedDNSServer.reply(to: $0, answers: [Array(F.record(F.question, 1, [1, 2, 3, 4]).prefix(8))]) },
             { if case .unparsable = $0 { true } else { false } }),
            ("two answers counted, one sent", { ScriptedDNSServer.reply(to: $0, answers: [F.record(F.question, 1, [1, 2, 3, 4])], answerCount: 2) },
             { if case .unparsable = $0 { true } else { false } }),
            ("compression loop", { query in
                // The answer's owner is a pointer to itself (offset 12 + question + 4).
                let owner = UInt8(query.count - 11)
                return ScriptedDNSServer.reply(to: query, answers: [F.record([0xC0, owner], 1, [1, 2, 3, 4])])
            }, { if case .unparsable(let error) = $0 { error.problem.contains("loop") } else { false } }),
            ("TC set, no TCP", { ScriptedDNSServer.reply(to: $0, flags: 0x8380) }, { _ in true }),
        ]
        for (name, reply, expected) in cases {
            let (result, elapsed) = try await Self.lookup(reply)
            switch result {
            case .success(let answer):
                Issue.record("\(name): an answer: \(answer.rcode) \(answer.records)")
            case .failure(let error):
                #expect(expected(error.kind), "\(name): \(error)")
                #expect(error.description.hasPrefix("resolver 127.0.0.1:"), "\(name): \(error)")
                #expect(error.description.contains("mx.example.org."), "\(name): \(error)")
                #expect(!error.description.contains("\n"))
            }
            #expect(elapsed < deadline, "\(name): took \(elapsed)")
        }
    }

    @Test("64 KiB of answers in one datagram: read whole, quickly")
    func sixtyFourKiB() async throws {
        let record = F.record(F.question, 1, [192, 0, 2, 1])
        let count = (65_507 - 12 - 16 - 4) / record.count   // the largest UDP payload over IPv4
        let (result, elapsed) = try await Self.lookup { ScriptedDNSServer.reply(to: $0, answers: Array(repeating: record, count: count)) }
        #expect(try result.get().records.count == count)
        #expect(elapsed < .seconds(6))
    }

    @Test("the validation probe: no AD on the root's SOA means 'does not validate'")
    func probeOfNonValidatingResolver() async throws {
        let soa = F.name("ns.test") + F.name("hostmaster.test") + F.u32(1) + F.u32(3600) + F.u32(600) + F.u32(86400) + F.u32(300)
        let server = try await ScriptedDNSServer { ScriptedDNSServer.reply(to: $0, answers: [F.record([0xC0, 12], 6, soa)]) }
        let probe = try await Self.resolver(server).probeValidation()
        await server.close()
        #expect(!probe.validates && probe.onLoopback == true)
        #expect(probe.answer.records.map(\.presentation) == ["SOA ns.test. hostmaster.test. 1 3600 600 86400 300"])
        #expect(probe.findings.map(\.severity) == [.error])
        #expect(probe.findings[0].message.hasPrefix("this resolver does not validate DNSSEC; DANE cannot be judged"))
        // Off loopback: a warning as well (no server needed to judge the address).
        let remote = DNSValidationProbe(resolver: "resolver 192.0.2.53:53", validates: true, onLoopback: false, answer: probe.answer)
        #expect(remote.findings.map(\.severity) == [.ok, .warning])
    }

    @Test("an IPv6 name server (glibc keeps those apart) is asked at its port", .enabled(if: Self.hasIPv6Loopback))
    func ipv6Nameserver() async throws {
        let server = try await ScriptedDNSServer(host: "::1") { ScriptedDNSServer.reply(to: $0, answers: [F.record(F.question, 1, [192, 0, 2, 6])]) }
        let answer = try await Self.resolver(server).lookup(name: "mx.example.org", type: .a)
        await server.close()
        #expect(answer.addresses == ["192.0.2.6"])
    }

    static var hasIPv6Loopback: Bool {
        ((try? String(contentsOfFile: "/proc/net/if_inet6", encoding: .utf8)) ?? "").contains("00000000000000000000000000000001")
    }

    @Test("a name that cannot be asked is an error naming it")
    func invalidName() async throws {
        let resolver = DNSResolver(nameserver: try DNSServerAddress(parsing: "127.0.0.1:9"), timeout: 1, tries: 1)
        let error = await #expect(throws: DNSLookupError.self) { try await resolver.lookup(name: "a..example", type: .a) }
        #expect(error?.kind == .invalidName && error?.description.contains("a..example") == true)
    }
}
