import Foundation
import Testing
@testable import MailTLS

/// `Prober.probe` against servers that misbehave, one behaviour per case: each ends with the
/// right verdict, a reason that says what happened, and within a bounded time (the probe's
/// limit is per phase, 2 s here; the whole probe must end well inside 3 × that).
@Suite("probe vs hostile servers")
struct ProbeHostileServerTests {
    static let timeout = 2.0
    static let bound = 3 * timeout

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var verdict: ProbeVerdict
        /// Words the reason must contain (case-insensitive).
        var reason: [String]
        var script: @Sendable (ScriptedPeer) -> Void
        var testDescription: String { name }
    }

    /// TLS alert record: fatal (2), handshake_failure (40).
    static let alert: [UInt8] = [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]

    static let cases: [Case] = [
        Case(name: "no STARTTLS offered", verdict: .none, reason: ["does not offer STARTTLS"]) { peer in
            peer.greetAndEHLO(["PIPELINING", "8BITMIME"])
            peer.waitForClose(max: 5)
        },
        Case(name: "454 to STARTTLS", verdict: .temp, reason: ["454"]) { peer in
            guard peer.greetAndEHLO(), peer.expect("STARTTLS") else { return }
            peer.send("454 4.7.0 TLS not available due to temporary reason\r\n")
            peer.waitForClose(max: 5)
        },
        Case(name: "421 greeting", verdict: .temp, reason: ["421"]) { peer in
            peer.send("421 4.3.2 hostile.example service not available\r\n")
            peer.waitForClose(max: 5)
        },
        Case(name: "554 greeting", verdict: .protocol, reason: ["554"]) { peer in
            peer.send("554 5.3.2 no SMTP service here\r\n")
            peer.waitForClose(max: 5)
        },
        Case(name: "502 to STARTTLS", verdict: .protocol, reason: ["502"]) { peer in
            guard peer.greetAndEHLO(), peer.expect("STARTTLS") else { return }
            peer.send("502 5.5.1 command not implemented\r\n")
            peer.waitForClose(max: 5)
        },
        Case(name: "EHLO refused", verdict: .protocol, reason: ["EHLO", "550"]) { peer in
            peer.send("220 hostile.example ESMTP\r\n")
            _ = peer.line()
            peer.send("550 5.7.1 go away\r\n")
            peer.waitForClose(max: 5)
        },
        Case(name: "greeting never comes", verdict: .temp, reason: ["timed out", "greeting"]) { peer in
            peer.waitForClose(max: 10)
        },
        Case(name: "one byte a second", verdict: .temp, reason: ["timed out"]) { peer in
            for byte in Array("220 slow.example ESMTP\r\n".utf8) {
                guard peer.send(bytes: [byte]) else { return }
                Thread.sleep(forTimeInterval: 1)
            }
        },
        Case(name: "one byte a second after the EHLO", verdict: .temp, reason: ["timed out", "ehlo"]) { peer in
            peer.send("220 slow.example ESMTP\r\n")
            _ = peer.line()
            for byte in Array("250-slow.example\r\n250 STARTTLS\r\n".utf8) {
                guard peer.send(bytes: [byte]) else { return }
                Thread.sleep(forTimeInterval: 1)
            }
        },
        Case(name: "over-long greeting line (5000 bytes)", verdict: .protocol, reason: ["line over"]) { peer in
            peer.send("220 " + String(repeating: "a", count: 5000) + "\r\n")
            peer.waitForClose(max: 5)
        },
        Case(name: "over-long EHLO reply line", verdict: .protocol, reason: ["line over", "ehlo"]) { peer in
            peer.send("220 hostile.example ESMTP\r\n")
            _ = peer.line()
            peer.send("250-" + String(repeating: "X", count: 10_000) + "\r\n250 STARTTLS\r\n")
            peer.waitForClose(max: 5)
        },
        Case(name: "endless line", verdict: .protocol, reason: ["line over"]) { peer in
            guard peer.send("220 ") else { return }
            let chunk = String(repeating: "z", count: 1024)
            for _ in 0..<100_000 { guard peer.send(chunk) else { return } }
        },
        Case(name: "endless multi-line reply", verdict: .protocol, reason: ["lines"]) { peer in
            for _ in 0..<100_000 { guard peer.send("220-more\r\n") else { return } }
        },
        Case(name: "HTTP server", verdict: .protocol, reason: ["not SMTP", "HTTP/1.1"]) { peer in
            peer.send("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            peer.waitForClose(max: 5)
        },
        Case(name: "SSH server", verdict: .protocol, reason: ["not SMTP", "SSH-2.0"]) { peer in
            peer.send("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")
            peer.waitForClose(max: 5)
        },
        Case(name: "binary garbage", verdict: .protocol, reason: ["not SMTP"]) { peer in
            peer.send(bytes: (0..<600).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) } + [0x0A])
            peer.waitForClose(max: 5)
        },
        Case(name: "reply code changes inside a multi-line reply", verdict: .protocol, reason: ["not SMTP"]) { peer in
            peer.send("220-hostile.example\r\n250 ok\r\n")
            peer.waitForClose(max: 5)
        },
        Case(name: "plaintext after 220 to STARTTLS (injection)", verdict: .protocol, reason: ["injection"]) { peer in
            guard peer.greetAndEHLO(), peer.expect("STARTTLS") else { return }
            peer.send("220 2.0.0 Ready to start TLS\r\n250-injected.example\r\n250 AUTH PLAIN\r\n")
            peer.waitForClose(max: 5)
        },
        Case(name: "closed before the greeting", verdict: .protocol, reason: ["closed", "greeting"]) { _ in },
        Case(name: "closed inside a multi-line greeting", verdict: .protocol, reason: ["closed", "greeting"]) { peer in
            peer.send("220-hostile.example first line\r\n220-second")
        },
        Case(name: "closed after EHLO", verdict: .protocol, reason: ["closed", "ehlo"]) { peer in
            peer.send("220 hostile.example ESMTP\r\n")
            _ = peer.line()
        },
        Case(name: "closed after STARTTLS", verdict: .protocol, reason: ["closed", "starttls"]) { peer in
            guard peer.greetAndEHLO() else { return }
            _ = peer.expect("STARTTLS")
        },
        Case(name: "closed after 220 to STARTTLS", verdict: .protocol, reason: ["handshake"]) { peer in
            guard peer.greetAndEHLO(), peer.expect("STARTTLS") else { return }
            peer.send("220 2.0.0 Ready to start TLS\r\n")
            _ = peer.receive() // the ClientHello
        },
        Case(name: "TLS alert instead of a ServerHello", verdict: .protocol, reason: ["TLS", "handshake", "alert"]) { peer in
            guard peer.greetAndEHLO(), peer.expect("STARTTLS") else { return }
            peer.send("220 2.0.0 Ready to start TLS\r\n")
            _ = peer.receive()
            peer.send(bytes: ProbeHostileServerTests.alert)
            peer.waitForClose(max: 5)
        },
        Case(name: "SMTP text instead of a ServerHello", verdict: .protocol, reason: ["TLS", "handshake"]) { peer in
            guard peer.greetAndEHLO(), peer.expect("STARTTLS") else { return }
            peer.send("220 2.0.0 Ready to start TLS\r\n")
            _ = peer.receive()
            peer.send("250 OK this is not TLS at all\r\n")
            peer.waitForClose(max: 5)
        },
        Case(name: "handshake stalls", verdict: .temp, reason: ["timed out", "handshake"]) { peer in
            guard peer.greetAndEHLO(), peer.expect("STARTTLS") else { return }
            peer.send("220 2.0.0 Ready to start TLS\r\n")
            peer.waitForClose(max: 10)
        },
        Case(name: "handshake stalls after half a ServerHello", verdict: .temp, reason: ["timed out", "handshake"]) { peer in
            guard peer.greetAndEHLO(), peer.expect("STARTTLS") else { return }
            peer.send("220 2.0.0 Ready to start TLS\r\n")
            _ = peer.receive()
            peer.send(bytes: [0x16, 0x03, 0x03, 0x00, 0x7A, 0x02, 0x00, 0x00, 0x76, 0x03, 0x03])
            peer.waitForClose(max: 10)
        },
    ]

    @Test("verdict, reason and bounded time", arguments: cases)
    func hostile(_ testCase: Case) async throws {
        let server = try ScriptedServer(testCase.script)
        defer { server.stop() }
        let report = await Prober.probe(ProbeOptions(host: "127.0.0.1", port: server.port, timeout: Self.timeout))
        #expect(report.verdict == testCase.verdict, "\(testCase.name): \(report.verdict.rawValue) — \(report.reason)")
        for word in testCase.reason {
            #expect(report.reason.localizedCaseInsensitiveContains(word), "\(testCase.name): reason \"\(report.reason)\" should mention \(word)")
        }
        server.stop()
        // Bounded: the client hung up within 3 × its per-phase limit, timed on the server's
        // thread, and each phase ended by its deadline, timed on the probe's event loop (a
        // wall clock here would also count waiting for a busy test task pool).
        let session = try #require(server.sessionSeconds, "\(testCase.name): the client never connected or never hung up")
        #expect(session < Self.bound, "\(testCase.name): the client stayed \(session) s")
        expectPhasesWithinDeadline(report, timeout: Self.timeout, testCase.name)
        #expect(report.reason.count < 600, "the reason is one line, not the server's flood: \(report.reason.count) characters")
        #expect(!report.reason.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }, "control characters in the reason: \(report.reason.debugDescription)")
    }

    @Test("terminal escapes and control bytes from the server never reach the reason")
    func controlBytes() async throws {
        let server = try ScriptedServer { peer in
            peer.send("\u{1B}]0;owned\u{07}\u{1B}[2J\r\u{08}220 looks fine\r\n")
            peer.waitForClose(max: 5)
        }
        defer { server.stop() }
        let report = await Prober.probe(ProbeOptions(host: "127.0.0.1", port: server.port, timeout: Self.timeout))
        #expect(report.verdict == .protocol, "\(report.reason)")
        #expect(!report.reason.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }, "\(report.reason.debugDescription)")
    }

    @Test("control bytes inside a well-formed greeting are not passed to the terminal by the text output")
    func controlBytesInBanner() throws {
        let server = try ScriptedServer { peer in
            peer.send("220 evil.example \u{1B}]0;owned\u{07}\u{1B}[31mRED\r\n")
            if let ehlo = peer.line(), ehlo.hasPrefix("EHLO") { peer.send("250-evil.example\r\n250 \u{1B}[2JSIZE\r\n") }
            peer.waitForClose(max: 5)
        }
        defer { server.stop() }
        let result = try MailTLSBinary.run(["probe", "127.0.0.1:\(server.port)", "--timeout", "2"])
        #expect(result.stdout.contains("evil.example"), "\(result.stdout)")
        #expect(result.stdout.contains("verdict: NONE"), "\(result.stdout)")
        #expect(!result.stdout.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 }, "raw escapes printed: \(result.stdout.debugDescription)")
    }

    @Test("connection refused is TEMP")
    func refused() async throws {
        let port = Int(try FreePort.find())
        let report = await Prober.probe(ProbeOptions(host: "127.0.0.1", port: port, timeout: Self.timeout))
        #expect(report.verdict == .temp, "\(report.reason)")
        #expect(report.reason.contains("cannot connect: connection refused"), "\(report.reason)")
    }

    /// Bounded too: a lookup that hung would end at the connect timeout, "timed out connecting".
    @Test("a DNS name that does not resolve is TEMP")
    func unresolvable() async throws {
        let report = await Prober.probe(ProbeOptions(host: "no-such-host.invalid", port: 25, timeout: Self.timeout))
        #expect(report.verdict == .temp, "\(report.reason)")
        #expect(report.reason.contains("does not resolve"), "\(report.reason)")
    }

    @Test("a hostile server on ::1 is handled like on 127.0.0.1", .enabled(if: LoopbackIPv6.available))
    func ipv6Hostile() async throws {
        let server = try ScriptedServer(ipv6: true) { peer in
            guard peer.greetAndEHLO(), peer.expect("STARTTLS") else { return }
            peer.send("454 4.7.0 not now\r\n")
            peer.waitForClose(max: 5)
        }
        defer { server.stop() }
        let report = await Prober.probe(ProbeOptions(host: "::1", port: server.port, timeout: Self.timeout))
        #expect(report.verdict == .temp, "\(report.reason)")
        #expect(report.banner.first?.contains("hostile.example") == true)
        server.stop()
        #expect((server.sessionSeconds ?? 99) < Self.bound)
        expectPhasesWithinDeadline(report, timeout: Self.timeout)
    }

    @Test("the probe never pipelines: it sends EHLO only after the whole multi-line greeting, and STARTTLS alone")
    func strictDialogue() async throws {
        final class Seen: @unchecked Sendable { var lines: [String] = []; var early = false }
        let seen = Seen()
        let server = try ScriptedServer { peer in
            peer.send("220-hostile.example first\r\n")
            // Anything the client says before the greeting ends is pipelining into the greeting.
            if let early = peer.receive(timeout: 0.5), !early.isEmpty { seen.early = true }
            peer.send("220 hostile.example ESMTP\r\n")
            while let line = peer.line(timeout: 3) {
                seen.lines.append(line)
                if line.hasPrefix("EHLO") { peer.send("250-hostile.example\r\n250 PIPELINING\r\n") }
                if line == "QUIT" { peer.send("221 bye\r\n"); break }
            }
        }
        defer { server.stop() }
        let report = await Prober.probe(ProbeOptions(host: "127.0.0.1", port: server.port, ehloName: "probe.example", timeout: Self.timeout))
        server.stop()
        #expect(report.verdict == .none, "\(report.reason)")
        #expect(!seen.early, "the client talked before the greeting ended")
        #expect(seen.lines.first == "EHLO probe.example", "\(seen.lines)")
        #expect(report.banner == ["hostile.example first", "hostile.example ESMTP"])
        #expect(report.capabilitiesBefore == ["PIPELINING"])
    }
}
