import Foundation
import Testing
@testable import MailTLS

/// A hostile (or merely broken) SMTP server for one connection: raw POSIX sockets on a
/// background thread, bound to 127.0.0.1 (or ::1) port 0, running a script against the
/// client. Every read has a deadline and the thread gives up after `lifetime`, so a script
/// can never hang the test run.
final class ScriptedServer: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let finished = DispatchSemaphore(value: 0)

    init(ipv6: Bool = false, lifetime: Double = 20, _ script: @escaping @Sendable (ScriptedPeer) -> Void) throws {
        let fd = socket(ipv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket failed") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var bound: Int32
        if ipv6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_addr = in6addr_loopback
            bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        }
        guard bound == 0, listen(fd, 16) == 0 else { close(fd); throw HarnessError("bind/listen failed: \(String(cString: strerror(errno)))") }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        let portBE: UInt16 = withUnsafePointer(to: &storage) {
            ipv6 ? $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_port }
                 : $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_port }
        }
        port = Int(UInt16(bigEndian: portBE))
        listener = fd
        let finished = self.finished
        let box = self.box
        let deadline = Date().addingTimeInterval(lifetime)
        Thread.detachNewThread {
            defer { finished.signal() }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, Int32(lifetime * 1000)) > 0 else { return }
            let client = accept(fd, nil, nil)
            guard client >= 0 else { return }
            let accepted = Date()
            let peer = ScriptedPeer(fd: client, deadline: deadline)
            script(peer)
            // The script is done: half-close and wait for the client to hang up, timing the
            // whole session on this thread (immune to a busy test runner's task pool).
            shutdown(client, Int32(SHUT_WR))
            peer.waitForClose(max: max(0, deadline.timeIntervalSinceNow))
            box.seconds = Date().timeIntervalSince(accepted)
            close(client)
        }
    }

    private final class SecondsBox: @unchecked Sendable { var seconds: Double? }
    private let box = SecondsBox()

    /// Seconds from accepting the client until it hung up (after the script); read after `stop()`.
    var sessionSeconds: Double? { box.seconds }

    private let lock = NSLock()
    private var stopped = false

    /// Closes the listener and waits (bounded) for the script to end. Idempotent: the
    /// descriptor is closed once, so a reused number of another test is never touched.
    func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        shutdown(listener, Int32(SHUT_RDWR))
        _ = finished.wait(timeout: .now() + 5)
        close(listener)
    }

    deinit { stop() }
}

/// The client's side of a scripted session, as the script sees it.
final class ScriptedPeer: @unchecked Sendable {
    let fd: Int32
    let deadline: Date
    private var pending = LineBuffer()

    init(fd: Int32, deadline: Date) {
        self.fd = fd
        self.deadline = deadline
    }

    /// Sends raw text (add the CRLFs yourself). False once the client is gone.
    @discardableResult
    func send(_ text: String) -> Bool { send(bytes: Array(text.utf8)) }

    @discardableResult
    func send(bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Foundation.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }

    /// Waits up to `timeout` for bytes; nil when the client closed or nothing came.
    func receive(timeout: Double = 5) -> [UInt8]? {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let limit = min(timeout, max(0, deadline.timeIntervalSinceNow))
        guard poll(&poller, 1, Int32(limit * 1000)) > 0 else { return nil }
        var chunk = [UInt8](repeating: 0, count: 16_384)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        return count > 0 ? Array(chunk[0..<count]) : nil
    }

    /// The next line from the client without its CRLF; nil on close or timeout.
    func line(timeout: Double = 5) -> String? {
        let end = Date().addingTimeInterval(timeout)
        while true {
            if let line = pending.takeLine() { return line }
            guard end.timeIntervalSinceNow > 0, let more = receive(timeout: end.timeIntervalSinceNow) else { return nil }
            pending.bytes += more
        }
    }

    /// Greets with `greeting` and answers the EHLO with `capabilities`; true when an EHLO came.
    @discardableResult
    func greetAndEHLO(_ capabilities: [String] = ["PIPELINING", "STARTTLS"], greeting: String = "220 hostile.example ESMTP ready\r\n") -> Bool {
        send(greeting)
        guard let ehlo = line(), ehlo.uppercased().hasPrefix("EHLO ") else { return false }
        let lines = ["hostile.example Hello"] + capabilities
        send(lines.enumerated().map { "250\($0.offset == lines.count - 1 ? " " : "-")\($0.element)\r\n" }.joined())
        return true
    }

    /// Reads lines until `command` (e.g. STARTTLS); true when it came.
    func expect(_ command: String) -> Bool {
        while let line = line() {
            if line.uppercased().hasPrefix(command) { return true }
        }
        return false
    }

    /// Waits until the client hangs up (or `max` seconds pass), discarding what it sends.
    /// Returns the seconds waited.
    @discardableResult
    func waitForClose(max: Double = 15) -> Double {
        let start = Date()
        while Date().timeIntervalSince(start) < max {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 200) >= 0 else { break }
            if poller.revents != 0 {
                var chunk = [UInt8](repeating: 0, count: 4096)
                let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if count <= 0 { break }
            }
        }
        return Date().timeIntervalSince(start)
    }
}

/// Whether the loopback interface has IPv6 (`::1` can be bound).
enum LoopbackIPv6 {
    static let available: Bool = {
        let fd = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_addr = in6addr_loopback
        return withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } } == 0
    }()
}

/// Certificates made once per test run by `Fixtures/smtp/make_certs.py` (python3
/// cryptography): a root, an intermediate, and one certs directory per case (see the script).
enum ProbeCertificates {
    struct Failure: Error, CustomStringConvertible { var description: String }

    static let directory: Result<String, Failure> = {
        let out = NSTemporaryDirectory() + "mailtls-probe-certs-\(getpid())"
        if FileManager.default.fileExists(atPath: out + "/selfsigned/host.cert") { return .success(out) }
        // Removed when the test process exits (the path is rebuilt from the PID, no capture).
        atexit { try? FileManager.default.removeItem(atPath: NSTemporaryDirectory() + "mailtls-probe-certs-\(getpid())") }
        let script = Fixtures.path("smtp/make_certs.py")
        var errors: [String] = []
        for python in ["/usr/bin/python3", "/usr/local/bin/python3", "/usr/bin/env"] {
            guard FileManager.default.isExecutableFile(atPath: python) else { continue }
            let arguments = python == "/usr/bin/env" ? ["python3", script, out] : [script, out]
            guard let result = try? run(python, arguments) else { continue }
            if result.status == 0 { return .success(out) }
            errors.append("\(python): \(result.stderr)")
        }
        return .failure(Failure(description: "make_certs.py failed: \(errors.joined(separator: "; "))"))
    }()

    static func path(_ relative: String) throws -> String {
        try directory.get() + "/" + relative
    }
}

/// `SMTPTestServer` in this process on a certs directory, on a free port.
func startServer(_ certs: String, listen: String = "127.0.0.1", requireTLS: Bool = false, askClientCertificate: Bool = false,
                 maildir: String? = nil, idleTimeout: Double = 30,
                 log: @escaping @Sendable (ServeSessionLog) -> Void = { _ in }) async throws -> SMTPTestServer {
    let options = ServeOptions(hostName: "mail.example.org", requireTLS: requireTLS, askClientCertificate: askClientCertificate,
                               maildir: maildir, idleTimeout: idleTimeout)
    return try await SMTPTestServer.start(layout: CertsLayout(directory: certs), options: options, listen: listen, port: 0, log: log)
}

/// Expects every SMTP phase of the probe (greeting, ehlo, starttls, handshake, …) to have
/// ended within its deadline, `timeout`, plus a second for a busy event-loop thread. The
/// phases are timed by the probe on its event loop, so unlike a wall clock around the whole
/// probe they are not inflated by a busy test task pool: a deadline that did not fire shows.
/// `connect` (the rest of the total) and `total` include that waiting and are left out.
func expectPhasesWithinDeadline(_ report: ProbeReport, timeout: Double, _ label: String = "",
                                sourceLocation: SourceLocation = #_sourceLocation) {
    let phases = report.timings.filter { $0.key != "connect" && $0.key != "total" }
    for (phase, milliseconds) in phases {
        #expect(milliseconds <= (timeout + 1) * 1000, "\(label) \(phase) took \(milliseconds) ms, its deadline is \(timeout) s",
                sourceLocation: sourceLocation)
    }
}

/// `mailtls serve` as a real process (posix_spawn with a clean signal mask, like
/// `SendmailServer`), its stdout in a file; the port is read from its "listening on" line.
final class ServeProcess {
    let port: Int
    let output: String
    private var pid: pid_t = 0

    init(_ arguments: [String], in directory: String) throws {
        output = directory + "/serve-\(UInt32.random(in: 0...UInt32.max)).log"
        guard let child = spawnDaemon([MailTLSBinary.path, "serve", "--port", "0"] + arguments, stdout: output, stderr: output + ".err") else {
            throw HarnessError("cannot start mailtls serve")
        }
        pid = child
        let deadline = Date().addingTimeInterval(15)
        var found: Int?
        while Date() < deadline, found == nil {
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            if let range = text.range(of: #"listening on \S+:(\d+)"#, options: .regularExpression) {
                found = Int(text[range].split(separator: ":").last ?? "")
            } else {
                var status: Int32 = 0
                if waitpid(child, &status, WNOHANG) == child {
                    pid = 0
                    let err = (try? String(contentsOfFile: output + ".err", encoding: .utf8)) ?? ""
                    throw HarnessError("mailtls serve exited: \(err)")
                }
                usleep(50_000)
            }
        }
        guard let found else {
            kill(child, SIGKILL)
            var status: Int32 = 0
            waitpid(child, &status, 0)
            throw HarnessError("mailtls serve did not say where it listens: \((try? String(contentsOfFile: output, encoding: .utf8)) ?? "")")
        }
        port = found
    }

    /// What the server printed so far (one line per session).
    var log: String { (try? String(contentsOfFile: output, encoding: .utf8)) ?? "" }

    /// Waits up to `timeout` for `text` in the log.
    func waitForLog(_ text: String, timeout: Double = 5) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if log.contains(text) { return true }
            usleep(50_000)
        }
        return log.contains(text)
    }

    func stop() {
        stopDaemon(&pid, grace: 2)
    }

    deinit { stop() }
}

/// `openssl s_server` as an SMTPS (TLS-on-connect) peer: it sends what we wrote to its stdin
/// once a client is connected, so a canned "220 / 250 / 221" dialogue answers the probe.
final class OpenSSLTLSServer {
    let port: Int
    private let process = Process()
    private let stdin = Pipe()
    private let outFile: String

    init(cert: String, key: String, chain: String? = nil, script: String, in directory: String) throws {
        port = Int(try FreePort.find())
        outFile = directory + "/s_server-\(port).log"
        guard FileManager.default.createFile(atPath: outFile, contents: nil) else { throw HarnessError("cannot create \(outFile)") }
        process.executableURL = URL(fileURLWithPath: OpenSSL.path)
        process.arguments = ["s_server", "-accept", "127.0.0.1:\(port)", "-cert", cert, "-key", key, "-quiet", "-naccept", "1"]
            + (chain.map { ["-cert_chain", $0] } ?? [])
        process.standardInput = stdin
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: outFile))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        stdin.fileHandleForWriting.write(Data(script.utf8))
        // Wait until it listens, without connecting (a connection would take the canned dialogue).
        // /proc files report size 0: read them to the end, not by their size.
        let deadline = Date().addingTimeInterval(15)
        let needle = String(format: "0100007F:%04X 00000000:0000 0A", port)
        while Date() < deadline {
            let table = FileHandle(forReadingAtPath: "/proc/net/tcp").map { handle in
                defer { try? handle.close() }
                return String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
            } ?? ""
            if table.contains(needle) { return }
            if !process.isRunning { throw HarnessError("openssl s_server exited: \(log)") }
            usleep(50_000)
        }
        throw HarnessError("openssl s_server did not listen on \(port): \(log)")
    }

    var log: String { (try? String(contentsOfFile: outFile, encoding: .utf8)) ?? "" }

    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit { stop() }
}

/// Bytes read from a socket and not yet handed out as lines: the one line splitter of the
/// test peers that speak SMTP by hand.
struct LineBuffer {
    var bytes: [UInt8] = []

    /// The next whole line without its LF (and CR), or nil until one has arrived.
    mutating func takeLine() -> String? {
        guard let newline = bytes.firstIndex(of: 0x0A) else { return nil }
        var line = Array(bytes[..<newline])
        bytes.removeSubrange(...newline)
        if line.last == 0x0D { line.removeLast() }
        return String(decoding: line, as: UTF8.self)
    }
}
