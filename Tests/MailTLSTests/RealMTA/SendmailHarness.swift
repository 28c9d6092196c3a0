import Foundation
import Testing

/// A real Sendmail on 127.0.0.1, configured from a .mc like an admin's, started in the
/// foreground (`-bD`) and stopped by its PID. FACTS.md has the details of running it here.
final class SendmailServer {
    static let binary = "/usr/sbin/sendmail"
    static let cfMacros = "/usr/share/sendmail/cf/m4/cf.m4"
    static var isInstalled: Bool {
        FileManager.default.isExecutableFile(atPath: binary) && FileManager.default.fileExists(atPath: cfMacros)
    }

    let directory: String
    let port: UInt16
    let mcPath: String
    /// The daemon's PID; it is started with posix_spawn and reaped with waitpid, not with
    /// Foundation's Process, whose child monitoring left later children unreaped here.
    private var pid: pid_t = 0

    /// Writes `DIR/test.mc` pointing at the TLS files in `certs` (absolute paths).
    /// With `tls: false` the .mc has no TLS defines (for `mailtls config --apply` to add).
    init(directory: String, certs: String, tls: Bool = true, extraDefines: [String] = []) throws {
        self.directory = directory
        self.port = try FreePort.find()
        self.mcPath = directory + "/test.mc"
        try FileManager.default.createDirectory(atPath: directory + "/queue", withIntermediateDirectories: true)
        let tlsDefines = """
        define(`confCACERT_PATH', `\(certs)/CA')dnl
        define(`confCACERT', `\(certs)/cacert.pem')dnl
        define(`confSERVER_CERT', `\(certs)/host.cert')dnl
        define(`confSERVER_KEY', `\(certs)/host.key')dnl
        define(`confCLIENT_CERT', `\(certs)/host.cert')dnl
        define(`confCLIENT_KEY', `\(certs)/host.key')dnl
        """
        let mc = """
        divert(-1)
        include(`\(Self.cfMacros)')
        OSTYPE(`linux')dnl
        \(tls ? tlsDefines : "")
        define(`QUEUE_DIR', `\(directory)/queue')dnl
        define(`confPID_FILE', `\(directory)/sendmail.pid')dnl
        \(extraDefines.joined(separator: "\n"))
        FEATURE(`no_default_msa')dnl
        DAEMON_OPTIONS(`Port=\(port), Addr=127.0.0.1, Name=MTA')dnl
        MAILER(`local')dnl
        MAILER(`smtp')dnl

        """
        try mc.write(toFile: mcPath, atomically: true, encoding: .utf8)
        try rebuild()
    }

    /// Makes test.cf from test.mc with m4, as `m4 sendmail.mc > sendmail.cf` does.
    func rebuild() throws {
        let m4 = try run("/usr/bin/m4", [mcPath])
        guard m4.status == 0 else { throw HarnessError("m4 failed: \(m4.stderr)") }
        try m4.stdout.write(toFile: directory + "/test.cf", atomically: true, encoding: .utf8)
    }

    /// Starts sendmail and waits until it accepts connections.
    func start() throws {
        guard let child = spawnDaemon([Self.binary, "-bD", "-C", directory + "/test.cf"]) else { throw HarnessError("cannot start sendmail") }
        pid = child
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if SMTPClient.canConnect(port: port) { return }
            usleep(100_000)
        }
        stop()
        throw HarnessError("sendmail did not listen on port \(port) within 30 s")
    }

    /// Stops the daemon by its PID: SIGTERM, then SIGKILL after 10 s.
    func stop() {
        stopDaemon(&pid, grace: 10)
    }

    deinit { stop() }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A free TCP port on 127.0.0.1 (bind to 0, read it back, release it).
enum FreePort {
    static func find() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0 else { throw HarnessError("bind failed") }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return UInt16(bigEndian: address.sin_port)
    }
}

/// Just enough SMTP to ask a server what it offers: wait for the whole greeting (Sendmail
/// rejects clients that talk first), send EHLO, read the reply.
enum SMTPClient {
    static func canConnect(port: UInt16) -> Bool {
        guard let fd = connectTo(port: port) else { return false }
        close(fd)
        return true
    }

    /// The EHLO reply lines, e.g. ["250-vm.localdomain Hello …", "250-STARTTLS", …].
    static func ehlo(port: UInt16, name: String = "client.example") throws -> [String] {
        guard let fd = connectTo(port: port) else { throw HarnessError("cannot connect to port \(port)") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = LineBuffer(fd: fd)
        _ = try buffer.reply()
        let command = Array("EHLO \(name)\r\n".utf8)
        _ = command.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        let reply = try buffer.reply()
        let quit = Array("QUIT\r\n".utf8)
        _ = quit.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        return reply
    }

    static func offersSTARTTLS(port: UInt16) throws -> Bool {
        try ehlo(port: port).contains { $0.dropFirst(4).uppercased().hasPrefix("STARTTLS") }
    }

    private static func connectTo(port: UInt16) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if result != 0 { close(fd); return nil }
        return fd
    }

    /// Reads CRLF lines; a reply ends at a line whose fourth character is a space.
    struct LineBuffer {
        let fd: Int32
        var pending: [UInt8] = []

        mutating func line() throws -> String {
            while true {
                if let newline = pending.firstIndex(of: 0x0A) {
                    let line = String(decoding: pending[..<newline], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                    pending.removeSubrange(...newline)
                    return line
                }
                var chunk = [UInt8](repeating: 0, count: 4096)
                let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                guard count > 0 else { throw HarnessError("connection closed or timed out") }
                pending += chunk[0..<count]
            }
        }

        mutating func reply() throws -> [String] {
            var lines: [String] = []
            while true {
                let line = try line()
                lines.append(line)
                if line.count < 4 || Array(line)[3] == " " { return lines }
            }
        }
    }
}

/// A directory Sendmail accepts for TLS files: owned by root, on a path only root can write
/// (/tmp is world-writable, so Sendmail would refuse files under it).
enum SafeDirectory {
    static let parent = "/var/lib/mailtls-tests"

    static func make() throws -> String {
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        chmod(parent, 0o755)
        var template = Array((parent + "/run-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw HarnessError("mkdtemp failed") }
        let path = String(cString: made)
        chmod(path, 0o755)
        return path
    }
}
