import Foundation
import Testing
@testable import MailTLS

/// `mailtls serve` against real clients: `openssl s_client -starttls smtp` and swaks, with
/// messages stored in a maildir under a Sendmail-style Received header; --require-tls,
/// --ask-client-cert; many sessions at once and silent clients.
@Suite("serve vs real clients")
struct ServeRealClientTests {
    static let swaks = ["/usr/bin/swaks", "/usr/local/bin/swaks"].first { FileManager.default.isExecutableFile(atPath: $0) }
    /// The swaks tests run when swaks is there, and under scripts/test (MAILTLS_REQUIRE_MTA=1)
    /// always, so a missing swaks fails them there (`swaks(_:_:)` requires it) instead of
    /// passing; elsewhere they are reported as skipped, like the real-MTA suites.
    static var swaksTestsRun: Bool { swaks != nil || ProcessInfo.processInfo.environment["MAILTLS_REQUIRE_MTA"] == "1" }

    static func swaks(_ port: Int, _ extra: [String]) throws -> RunResult {
        try run(try #require(swaks, "swaks is not installed (apt-get install swaks libnet-ssleay-perl)"),
                ["--server", "127.0.0.1:\(port)", "--from", "sender@example.org", "--to", "rcpt@example.org",
                 "--helo", "client.example.org", "--timeout", "10"] + extra)
    }

    /// `cipher=X bits=N verify=V` from the one stored message's Received header.
    static func storedTLSComment(_ maildir: String) throws -> (header: String, body: String) {
        let files = try FileManager.default.contentsOfDirectory(atPath: maildir).filter { $0.hasSuffix(".eml") }
        try #require(files.count == 1, "one message stored, found \(files)")
        let text = try String(contentsOfFile: maildir + "/" + files[0], encoding: .utf8)
        return (text.components(separatedBy: "\r\n\r\n").first ?? text, text)
    }

    @Test("openssl s_client -starttls smtp completes (TLS 1.3 and, forced, TLS 1.2); the session log agrees")
    func opensslClient() throws {
        let work = TempDirectory("serve-real")
        let serve = try ServeProcess(["--dir", try ProbeCertificates.path("good"), "--hostname", "mail.example.org"], in: work.path)
        defer { serve.stop() }
        let client = try OpenSSL.run(["s_client", "-starttls", "smtp", "-connect", "127.0.0.1:\(serve.port)", "-brief",
                                      "-CAfile", try ProbeCertificates.path("root.pem"), "-verify_hostname", "mail.example.org"], input: "QUIT\r\n")
        let text = client.stdout + client.stderr
        #expect(text.contains("CONNECTION ESTABLISHED"), "\(text)")
        #expect(text.contains("Protocol version: TLSv1.3"), "\(text)")
        #expect(text.contains("Verification: OK"), "\(text)")

        let tls12 = try OpenSSL.run(["s_client", "-starttls", "smtp", "-connect", "127.0.0.1:\(serve.port)", "-brief", "-tls1_2"], input: "QUIT\r\n")
        let text12 = tls12.stdout + tls12.stderr
        #expect(text12.contains("CONNECTION ESTABLISHED"), "\(text12)")
        #expect(text12.contains("Protocol version: TLSv1.2"), "\(text12)")
        let cipher = text12.components(separatedBy: "\n").first { $0.hasPrefix("Ciphersuite: ") }.map { String($0.dropFirst("Ciphersuite: ".count)) }
        #expect(cipher != nil, "\(text12)")
        if let cipher {
            #expect(serve.waitForLog("TLSv1.2 \(cipher)"), "serve should log the cipher openssl negotiated (\(cipher)): \(serve.log)")
        }
    }

    @Test("swaks --tls delivers; --maildir stores it under a Received header with version, cipher, bits, verify", .enabled(if: swaksTestsRun))
    func swaksDelivers() throws {
        let work = TempDirectory("serve-real")
        let maildir = work.file("mail")
        let serve = try ServeProcess(["--dir", try ProbeCertificates.path("good"), "--hostname", "mail.example.org", "--maildir", maildir], in: work.path)
        defer { serve.stop() }
        let sent = try Self.swaks(serve.port, ["--tls", "--header", "Subject: probe test", "--body", "hello over TLS"])
        #expect(sent.status == 0, "\(sent.stdout)\(sent.stderr)")
        let (header, body) = try Self.storedTLSComment(maildir)
        #expect(header.hasPrefix("Received: from client.example.org ([127.0.0.1])"), "\(header)")
        #expect(header.contains("with ESMTPS"), "\(header)")
        #expect(header.contains("for <rcpt@example.org>"), "\(header)")
        #expect(body.contains("hello over TLS"))
        #expect(header.range(of: #"\(version=TLSv1\.3 cipher=TLS_[A-Z0-9_]+ bits=(128|256) verify=NOT\)"#, options: .regularExpression) != nil, "\(header)")
        // swaks says which cipher it got: "TLS started with cipher TLSv1.3:TLS_AES_256_GCM_SHA384:256".
        let said = (sent.stdout + sent.stderr).range(of: #"TLS started with cipher [^\n]+"#, options: .regularExpression).map { String((sent.stdout + sent.stderr)[$0]) }
        if let said, let parts = said.split(separator: " ").last?.split(separator: ":"), parts.count == 3 {
            #expect(header.contains("version=\(parts[0]) cipher=\(parts[1]) bits=\(parts[2])"), "swaks: \(said); stored: \(header)")
        } else {
            Issue.record("swaks did not report its cipher: \(sent.stdout)")
        }
        #expect(serve.waitForLog("messages=1"), "\(serve.log)")
    }

    @Test("without TLS the message is stored as ESMTP with no TLS comment", .enabled(if: swaksTestsRun))
    func plainDelivery() throws {
        let work = TempDirectory("serve-real")
        let maildir = work.file("mail")
        let serve = try ServeProcess(["--dir", try ProbeCertificates.path("good"), "--maildir", maildir], in: work.path)
        defer { serve.stop() }
        let sent = try Self.swaks(serve.port, [])
        #expect(sent.status == 0, "\(sent.stdout)")
        let (header, _) = try Self.storedTLSComment(maildir)
        #expect(header.contains("with ESMTP ") && !header.contains("version="), "\(header)")
    }

    @Test("--require-tls: 530 to MAIL before STARTTLS, accepted after")
    func requireTLS() throws {
        let work = TempDirectory("serve-real")
        let serve = try ServeProcess(["--dir", try ProbeCertificates.path("good"), "--require-tls"], in: work.path)
        defer { serve.stop() }
        let dialogue = try rawDialogue(port: serve.port, ["EHLO client.example.org", "MAIL FROM:<a@example.org>", "QUIT"])
        #expect(dialogue.contains { $0.hasPrefix("530") }, "\(dialogue)")
    }

    @Test("--require-tls with swaks: refused in plaintext with 530, delivered over TLS", .enabled(if: swaksTestsRun))
    func requireTLSSwaks() throws {
        let work = TempDirectory("serve-real")
        let serve = try ServeProcess(["--dir", try ProbeCertificates.path("good"), "--require-tls"], in: work.path)
        defer { serve.stop() }
        let plain = try Self.swaks(serve.port, [])
        #expect(plain.status != 0, "\(plain.stdout)")
        #expect(plain.stdout.contains("530"), "\(plain.stdout)")
        let tls = try Self.swaks(serve.port, ["--tls"])
        #expect(tls.status == 0, "\(tls.stdout)")
    }

    @Test("commands pipelined after STARTTLS in plaintext are discarded, never answered (RFC 3207)")
    func serveDiscardsInjection() throws {
        let work = TempDirectory("serve-real")
        let serve = try ServeProcess(["--dir", try ProbeCertificates.path("good")], in: work.path)
        defer { serve.stop() }
        let client = try RawClient(port: serve.port)
        #expect(client.readLine(timeout: 3)?.hasPrefix("220") == true)
        client.send("EHLO client.example.org\r\n")
        while let line = client.readLine(timeout: 3), !line.hasPrefix("250 ") {}
        client.send("STARTTLS\r\nNOOP\r\nMAIL FROM:<injected@example.org>\r\n")
        #expect(client.readLine(timeout: 3)?.hasPrefix("220") == true)
        // Whatever comes next must be TLS (or nothing), not a plaintext 250 to the injected NOOP.
        let next = client.readLine(timeout: 1)
        #expect(next == nil || !(next!.hasPrefix("250")), "answered an injected command: \(next ?? "")")
    }

    @Test("--ask-client-cert: verify=OK for a client certificate from the trusted CA, FAIL for a foreign one, NO without", .enabled(if: swaksTestsRun))
    func clientCertificates() throws {
        let work = TempDirectory("serve-real")
        for (label, certificate, expected) in [("same CA", "client", "OK"), ("foreign CA", "foreign-client", "FAIL"), ("none", nil, "NO")] {
            let maildir = work.file("mail-\(expected)")
            let serve = try ServeProcess(["--dir", try ProbeCertificates.path("good"), "--ask-client-cert", "--maildir", maildir], in: work.path)
            defer { serve.stop() }
            var extra = ["--tls"]
            if let certificate {
                extra += ["--tls-cert", try ProbeCertificates.path("\(certificate)/client.cert"), "--tls-key", try ProbeCertificates.path("\(certificate)/client.key")]
            }
            let sent = try Self.swaks(serve.port, extra)
            #expect(sent.status == 0, "\(label): \(sent.stdout)\(sent.stderr)")
            let (header, _) = try Self.storedTLSComment(maildir)
            #expect(header.contains("verify=\(expected))"), "\(label): \(header)")
            #expect(serve.waitForLog("verify=\(expected)"), "\(label): \(serve.log)")
        }
    }

    @Test("many sessions at once and a silent client: nobody waits for the silent one, which is dropped when idle")
    func concurrencyAndIdle() async throws {
        let server = try await startServer(try ProbeCertificates.path("good"), idleTimeout: 1)
        // A silent client: reads the greeting, then says nothing.
        let silent = try RawClient(port: server.port)
        let greeting = silent.readLine(timeout: 3)
        #expect(greeting?.hasPrefix("220 ") == true, "\(greeting ?? "nil")")
        // A client that sends a line without end.
        let flooder = try RawClient(port: server.port)
        _ = flooder.readLine(timeout: 3)
        flooder.send(String(repeating: "A", count: 5000))

        let trust = ProbeOptions.Trust.file(try ProbeCertificates.path("root.pem"))
        let reports = await withTaskGroup(of: ProbeReport.self) { group in
            for _ in 0..<40 {
                group.addTask { await Prober.probe(ProbeOptions(host: "127.0.0.1", port: server.port, serverName: "mail.example.org", trust: trust, timeout: 10)) }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(reports.count == 40)
        // A server blocked by the silent client would make the probes time out (not OK).
        #expect(reports.allSatisfy { $0.verdict == .ok }, "\(reports.filter { $0.verdict != .ok }.map(\.reason))")

        #expect(flooder.readLine(timeout: 3)?.hasPrefix("500") == true, "an over-long line is refused")
        let idleStart = Date()
        var lines: [String] = []
        while let line = silent.readLine(timeout: 4) { lines.append(line) }
        #expect(lines.contains { $0.hasPrefix("421") }, "the idle client is told why: \(lines)")
        #expect(Date().timeIntervalSince(idleStart) < 4, "and dropped")
        await server.stop()
    }

    @Test("a line over the DATA cap is refused with 552 at the end of the message, and the session goes on")
    func longLineInData() async throws {
        let server = try await startServer(try ProbeCertificates.path("good"))
        let client = try RawClient(port: server.port)
        #expect(client.readLine(timeout: 3)?.hasPrefix("220") == true)
        client.send("EHLO client.example.org\r\n")
        while let line = client.readLine(timeout: 3), !line.hasPrefix("250 ") {}
        for command in ["MAIL FROM:<a@example.org>", "RCPT TO:<b@example.org>", "DATA"] {
            client.send(command + "\r\n")
            _ = client.readLine(timeout: 3)
        }
        let chunk = String(repeating: "A", count: 16 * 1024)
        for _ in 0..<(4 * SMTPLineDecoder.maxDataLine / chunk.count) { client.send(chunk) }
        client.send("\r\n.\r\n")
        let reply = client.readLine(timeout: 10)
        #expect(reply?.hasPrefix("552 ") == true, "\(reply ?? "no reply")")
        client.send("QUIT\r\n")
        #expect(client.readLine(timeout: 3)?.hasPrefix("221") == true)
        await server.stop()
    }

    /// Sends each command after reading the reply to the previous (greeting first); returns every reply line.
    func rawDialogue(port: Int, _ commands: [String]) throws -> [String] {
        let client = try RawClient(port: port)
        var lines: [String] = []
        func reply() {
            while let line = client.readLine(timeout: 3) {
                lines.append(line)
                if line.count < 4 || Array(line)[3] == " " { return }
            }
        }
        reply()
        for command in commands {
            client.send(command + "\r\n")
            reply()
        }
        return lines
    }
}

/// A plain TCP client with deadlines on every read.
final class RawClient {
    let fd: Int32
    private var pending = LineBuffer()

    init(port: Int, host: String = "127.0.0.1") throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr(host)
        address.sin_port = UInt16(port).bigEndian
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { close(fd); throw HarnessError("cannot connect to \(port)") }
    }

    func send(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Foundation.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    func readLine(timeout: Double) -> String? {
        let end = Date().addingTimeInterval(timeout)
        while true {
            if let line = pending.takeLine() { return line }
            let left = end.timeIntervalSinceNow
            guard left > 0 else { return nil }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, Int32(left * 1000)) > 0 else { return nil }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return nil }
            pending.bytes += chunk[0..<count]
        }
    }

    deinit { close(fd) }
}
