import Foundation
import Testing

/// A real Postfix on 127.0.0.1, started from the private unpacked copy `scripts/test` makes
/// (Debian's `postfix` package conflicts with `sendmail-bin`, so it is never installed:
/// `apt-get download postfix` and `dpkg-deb -x` into `PostfixServer.root`). Each server has
/// its own main.cf, master.cf, queue and data directories under a `SafeDirectory`; its TLS
/// lines are what `mailtls config postfix --apply` writes. The master runs in the foreground
/// (`master -s`, what `postfix start-fg` runs) and is stopped by its PID; it takes its
/// children (smtpd, postlogd, …) down with it.
final class PostfixServer {
    /// Where scripts/test unpacks the package (MAILTLS_POSTFIX_ROOT overrides it).
    static let root = ProcessInfo.processInfo.environment["MAILTLS_POSTFIX_ROOT"] ?? "/var/lib/mailtls-tests/postfix-root"
    static var libraries: String { root + "/usr/lib/postfix" }
    static var daemons: String { root + "/usr/lib/postfix/sbin" }
    static var master: String { daemons + "/master" }
    static var finger: String { root + "/usr/sbin/posttls-finger" }

    /// The unpacked binaries and the `postfix` user and `postdrop` group they run as.
    static var isInstalled: Bool {
        FileManager.default.isExecutableFile(atPath: master) && FileManager.default.isExecutableFile(atPath: daemons + "/smtpd")
            && FileManager.default.isExecutableFile(atPath: finger) && getpwnam("postfix") != nil && getgrnam("postdrop") != nil
    }

    /// Suites run when Postfix is there, and under scripts/test (MAILTLS_REQUIRE_MTA=1) always,
    /// so a missing Postfix fails them instead of skipping them.
    static var shouldRun: Bool { isInstalled || ProcessInfo.processInfo.environment["MAILTLS_REQUIRE_MTA"] == "1" }

    let directory: String
    let port: UInt16
    let configDirectory: String
    var mainCF: String { configDirectory + "/main.cf" }
    var logFile: String { directory + "/postfix.log" }
    private var pid: pid_t = 0

    /// Writes DIR/postfix/main.cf (paths into the unpacked root, 127.0.0.1 only, no local
    /// delivery maps) and a master.cf with one smtpd on 127.0.0.1:<free port> plus the
    /// services smtpd talks to. With `certs`, `mailtls config postfix --dir certs --apply`
    /// adds the TLS settings; `extra` lines go last (later settings win in main.cf).
    init(directory: String, certs: String?, extra: [String] = []) throws {
        guard Self.isInstalled else {
            throw HarnessError("Postfix is not unpacked in \(Self.root) or the postfix user/postdrop group is missing (scripts/test sets both up)")
        }
        self.directory = directory
        self.port = try FreePort.find()
        self.configDirectory = directory + "/postfix"
        let queue = directory + "/queue", data = directory + "/data"
        for path in [configDirectory, queue + "/pid", queue + "/private", queue + "/public", data] {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        // The layout `postfix check` would make (postfix-files): private and data owned by the
        // mail owner, public group postdrop.
        let owner = getpwnam("postfix")!.pointee.pw_uid, group = getgrnam("postdrop")!.pointee.gr_gid
        chown(queue + "/private", owner, gid_t.max); chmod(queue + "/private", 0o700)
        chown(queue + "/public", owner, group); chmod(queue + "/public", 0o710)
        chown(data, owner, gid_t.max); chmod(data, 0o700)

        let main = """
        compatibility_level = 3.6
        config_directory = \(configDirectory)
        daemon_directory = \(Self.daemons)
        command_directory = \(Self.root)/usr/sbin
        meta_directory = \(Self.root)/etc/postfix
        shlib_directory = \(Self.libraries)
        queue_directory = \(queue)
        data_directory = \(data)
        import_environment = MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ LANG=C LD_LIBRARY_PATH=\(Self.libraries)
        maillog_file = \(logFile)
        inet_interfaces = 127.0.0.1
        inet_protocols = ipv4
        myhostname = mail.example.org
        mydestination =
        alias_maps =
        alias_database =
        local_recipient_maps =
        smtpd_tls_loglevel = 1

        """
        try main.write(toFile: mainCF, atomically: true, encoding: .utf8)
        let services = """
        127.0.0.1:\(port) inet n - n - - smtpd
        postlog   unix-dgram n - n - 1 postlogd
        proxymap  unix - - n - - proxymap
        anvil     unix - - n - 1 anvil
        tlsmgr    unix - - n 1000? 1 tlsmgr

        """
        try services.write(toFile: configDirectory + "/master.cf", atomically: true, encoding: .utf8)
        if let certs {
            let applied = try MailTLSBinary.run(["config", "postfix", "--dir", certs, "--apply", mainCF])
            guard applied.status == 0 else { throw HarnessError("mailtls config postfix --apply failed: \(applied.stderr)") }
        }
        if !extra.isEmpty {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: mainCF))
            handle.seekToEndOfFile()
            handle.write(Data((extra.joined(separator: "\n") + "\n").utf8))
            try handle.close()
        }
    }

    /// Postfix re-reads a configuration file until its modification time is a few seconds old
    /// (it may still be being written), which costs each program about 2 s on a file written
    /// just now; a minute back is old enough.
    static func backdate(_ path: String) {
        var times = [timeval(tv_sec: time(nil) - 60, tv_usec: 0), timeval(tv_sec: time(nil) - 60, tv_usec: 0)]
        utimes(path, &times)
    }

    /// Starts the master and waits until its smtpd port accepts connections.
    func start() throws {
        Self.backdate(mainCF)
        Self.backdate(configDirectory + "/master.cf")
        guard let child = spawnDaemon(["/usr/bin/env", "-i", "LD_LIBRARY_PATH=\(Self.libraries)", Self.master, "-c", configDirectory, "-s"],
                                      stdout: directory + "/master.out", stderr: directory + "/master.err") else {
            throw HarnessError("cannot start the Postfix master")
        }
        pid = child
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            var status: Int32 = 0
            if waitpid(child, &status, WNOHANG) == child {
                pid = 0
                throw HarnessError("the Postfix master exited: \(log)")
            }
            if SMTPClient.canConnect(port: port) { return }
            usleep(100_000)
        }
        stop()
        throw HarnessError("Postfix did not listen on port \(port) within 30 s: \(log)")
    }

    /// Postfix's own log (maillog_file) and what the master printed.
    var log: String {
        ((try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "") + ((try? String(contentsOfFile: directory + "/master.out", encoding: .utf8)) ?? "")
            + ((try? String(contentsOfFile: directory + "/master.err", encoding: .utf8)) ?? "")
    }

    /// SIGTERM to the master, which signals its process group (the children) and exits. The
    /// smtpd children share the master's listening socket, so this also waits until the port
    /// refuses connections: a restart on the same port must not reach a dying smtpd.
    func stop() {
        guard pid > 0 else { return }
        stopDaemon(&pid, grace: 10)
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, SMTPClient.canConnect(port: port) { usleep(50_000) }
    }

    /// Whether smtpd's EHLO reply offers STARTTLS; a failure carries Postfix's log.
    func offersSTARTTLS() throws -> Bool {
        do { return try SMTPClient.offersSTARTTLS(port: port) } catch { throw HarnessError("EHLO to Postfix on port \(port): \(error); log: \(log)") }
    }

    deinit { stop() }

    /// `posttls-finger` from the same unpacked root, against 127.0.0.1:`port`, with a minimal
    /// main.cf of its own in `directory` (it reads one, like every Postfix program). Its log
    /// (stderr) and the chain it prints with -C (stdout) are returned together. A 60 s cap
    /// keeps a hung handshake from hanging the test run.
    static func finger(port: Int, _ options: [String], match: [String] = [], in directory: String) throws -> RunResult {
        guard isInstalled else { throw HarnessError("posttls-finger is not unpacked in \(root) (scripts/test does it)") }
        let config = directory + "/finger"
        try FileManager.default.createDirectory(atPath: config, withIntermediateDirectories: true)
        let main = """
        compatibility_level = 3.6
        daemon_directory = \(daemons)
        command_directory = \(root)/usr/sbin
        meta_directory = \(root)/etc/postfix
        shlib_directory = \(libraries)

        """
        try main.write(toFile: config + "/main.cf", atomically: true, encoding: .utf8)
        backdate(config + "/main.cf")
        let result = try run("/usr/bin/timeout", ["60", finger, "-t", "10", "-T", "10"] + options + ["[127.0.0.1]:\(port)"] + match,
                             environment: ["MAIL_CONFIG": config, "LD_LIBRARY_PATH": libraries, "PATH": "/usr/bin:/bin"])
        return RunResult(status: result.status, stdout: result.stdout + result.stderr, stderr: result.stderr)
    }
}
