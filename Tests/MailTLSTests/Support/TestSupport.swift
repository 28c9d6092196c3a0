import Foundation
import Testing
import MailTLS

/// A fresh directory under the system temp dir, removed when the test ends.
final class TempDirectory {
    let path: String

    init(_ label: String = "mailtls") {
        let template = NSTemporaryDirectory() + "\(label)-XXXXXX"
        var bytes = Array(template.utf8CString)
        guard let made = mkdtemp(&bytes) else { fatalError("mkdtemp failed") }
        path = String(cString: made)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func write(_ name: String, _ text: String) throws {
        try text.write(toFile: file(name), atomically: false, encoding: .utf8)
    }

    func write(_ name: String, bytes: [UInt8]) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: file(name)))
    }

    func read(_ name: String) throws -> String {
        try String(contentsOfFile: file(name), encoding: .utf8)
    }

    func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: file(name))))
    }

    func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: file(name)) }

    /// The permission bits of a file (e.g. 0o600).
    func mode(_ name: String) -> Int {
        var info = stat()
        guard stat(file(name), &info) == 0 else { return -1 }
        return Int(info.st_mode & 0o7777)
    }

    /// Names in the directory, sorted.
    func listing() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    }

    /// Names in a subdirectory, sorted.
    func listing(of relative: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: file(relative))) ?? []).sorted()
    }

    /// A digest of every name and its bytes (or link target): compare before and after
    /// a failing command to prove nothing changed.
    func snapshot() -> [String: String] {
        var result: [String: String] = [:]
        for name in listing() {
            let full = file(name)
            if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: full) {
                result[name] = "link:" + target
            } else if let data = FileManager.default.contents(atPath: full) {
                result[name] = "\(data.count):\(Hex.lower(DigestAlgorithm.sha256.digest(Array(data)))):\(mode(name))"
            } else {
                result[name] = "dir"
            }
        }
        return result
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// The result of running a program.
struct RunResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs a program with arguments, optionally in a directory and with input.
@discardableResult
func run(_ executable: String, _ arguments: [String], in directory: String? = nil, input: String? = nil,
         environment: [String: String]? = nil) throws -> RunResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    if let environment { process.environment = environment }
    let out = Pipe(), err = Pipe(), inPipe = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = inPipe
    try process.run()
    if let input { inPipe.fileHandleForWriting.write(Data(input.utf8)) }
    try inPipe.fileHandleForWriting.close()
    // Read both pipes fully before waiting, so a chatty child cannot block on a full pipe.
    final class Box: @unchecked Sendable { var data = Data() }
    let outBox = Box()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async { outBox.data = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    let outData = outBox.data
    process.waitUntilExit()
    return RunResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                     stderr: String(decoding: errData, as: UTF8.self))
}

/// The `openssl` CLI, our oracle.
enum OpenSSL {
    static let path: String = ["/usr/bin/openssl", "/usr/local/bin/openssl", "/bin/openssl"]
        .first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/usr/bin/openssl"

    @discardableResult
    static func run(_ arguments: [String], in directory: String? = nil, input: String? = nil) throws -> RunResult {
        try MailTLSTests.run(path, arguments, in: directory, input: input)
    }

    /// Runs openssl and fails the test (with its stderr) if it exits non-zero.
    @discardableResult
    static func expectSuccess(_ arguments: [String], in directory: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let result = try run(arguments, in: directory)
        #expect(result.status == 0, "openssl \(arguments.joined(separator: " ")) failed: \(result.stderr)", sourceLocation: sourceLocation)
        return result.stdout
    }
}

/// The built `mailtls` executable, beside the test bundle in the build directory.
enum MailTLSBinary {
    static let path: String = {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("mailtls").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("mailtls").path
    }()

    @discardableResult
    static func run(_ arguments: [String], in directory: String? = nil, input: String? = nil) throws -> RunResult {
        try MailTLSTests.run(path, arguments, in: directory, input: input)
    }

    /// Runs mailtls as user nobody (root ignores permission bits, so tests of unreadable files
    /// and read-only directories need another user). `directory` must be one nobody can enter.
    @discardableResult
    static func runAsNobody(_ arguments: [String], in directory: String? = nil, input: String? = nil) throws -> RunResult {
        try MailTLSTests.run(Nobody.setpriv, ["--reuid=\(Nobody.uid)", "--regid=\(Nobody.gid)", "--clear-groups", try pathForOtherUsers.get()] + arguments,
                             in: directory, input: input)
    }

    /// The binary where user nobody can run it: the build's own when every directory above it
    /// lets others through, else a copy in a root-owned 0755 directory (a checkout under
    /// /root, for one, is closed to other users).
    static let pathForOtherUsers: Result<String, HarnessError> = {
        if Nobody.canReach(path) { return .success(path) }
        let parent = "/var/lib/mailtls-tests"
        let directory = parent + "/mailtls-bin-\(getpid())"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            chmod(parent, 0o755)
            chmod(directory, 0o755)
            let copy = directory + "/mailtls"
            try? FileManager.default.removeItem(atPath: copy)
            try FileManager.default.copyItem(atPath: path, toPath: copy)
            chmod(copy, 0o755)
            // Removed when the test process exits (the path is rebuilt from the PID, no capture).
            atexit { try? FileManager.default.removeItem(atPath: "/var/lib/mailtls-tests/mailtls-bin-\(getpid())") }
            return .success(copy)
        } catch {
            return .failure(HarnessError("cannot copy \(path) where user nobody can run it: \(error)"))
        }
    }()
}

/// User nobody, for tests that need a user root's privileges do not apply to.
enum Nobody {
    static let uid: uid_t = 65534
    static let gid: gid_t = 65534
    static let setpriv = "/usr/bin/setpriv"

    /// Tests switch to nobody with setpriv, which only root may do.
    static var canSwitch: Bool { geteuid() == 0 && FileManager.default.isExecutableFile(atPath: setpriv) }

    /// Whether others may search every directory above `path` (and so reach it).
    static func canReach(_ path: String) -> Bool {
        var directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        while true {
            var info = stat()
            guard stat(directory, &info) == 0, info.st_mode & 0o001 != 0 else { return false }
            if directory == "/" { return true }
            directory = URL(fileURLWithPath: directory).deletingLastPathComponent().path
        }
    }

    /// Gives `path` and everything below it to nobody (modes are kept: a 000 file stays
    /// unreadable, by its new owner too).
    static func own(_ path: String) {
        chown(path, uid, gid)
        guard let names = FileManager.default.subpaths(atPath: path) else { return }
        for name in names { lchown(path + "/" + name, uid, gid) }
    }
}

/// The test fixtures folder (copied into the test bundle's resources).
enum Fixtures {
    static func path(_ relative: String) -> String {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures").appendingPathComponent(relative).path
    }
}

/// Stops a daemon a test started, by its PID: SIGTERM, then SIGKILL after `grace` seconds;
/// reaps it and sets `pid` to 0. Stopping an already stopped daemon does nothing.
func stopDaemon(_ pid: inout pid_t, grace: Double = 10) {
    guard pid > 0 else { return }
    kill(pid, SIGTERM)
    var status: Int32 = 0
    let deadline = Date().addingTimeInterval(grace)
    while Date() < deadline {
        if waitpid(pid, &status, WNOHANG) == pid { pid = 0; return }
        usleep(20_000)
    }
    kill(pid, SIGKILL)
    waitpid(pid, &status, 0)
    pid = 0
}

/// Starts a long-running server for a test with posix_spawn: stdin from /dev/null, stdout and
/// stderr to the given files (or /dev/null), and a clean signal mask — the test runner's
/// threads block some signals, a child inherits that mask, and a daemon with SIGTERM blocked
/// only dies by SIGKILL. Returns the PID; stop it with `stopDaemon`.
func spawnDaemon(_ arguments: [String], stdout: String = "/dev/null", stderr: String = "/dev/null") -> pid_t? {
    let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    // Nothing else of the test process: a socket another test has open at this moment (a
    // probe's connection) would otherwise live on in the daemon, and its close would never
    // reach the peer (seen: hostile-server tests waiting for a hang-up that never came).
    // (glibc 2.34's posix_spawn_file_actions_addclosefrom_np; Swift's Glibc module does not
    // export it, so it is looked up by name.)
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32
    if let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") {
        _ = unsafeBitCast(symbol, to: AddCloseFrom.self)(&actions, 3)
    }
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var noSignals = sigset_t()
    sigemptyset(&noSignals)
    var defaults = sigset_t()
    sigemptyset(&defaults)
    sigaddset(&defaults, SIGTERM)
    sigaddset(&defaults, SIGPIPE)
    posix_spawnattr_setsigmask(&attributes, &noSignals)
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    var pid: pid_t = 0
    guard posix_spawn(&pid, arguments[0], &actions, &attributes, argv, environ) == 0 else { return nil }
    return pid
}

/// Runs blocking work (a subprocess and its wait, a server's start-up) on a GCD thread, off
/// Swift's cooperative pool. That pool has one thread per core: a long test that blocks it
/// starves the async tests running beside it, and their time bounds fail for no fault of
/// theirs (seen when the ACME suites, a minute of subprocesses each, met the hostile-server
/// probes on 2 cores). Assertions stay in the test body, on the test's own task.
/// A thread of its own, not a GCD global queue: on Linux those feed the same pool.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.stackSize = 8 << 20
        thread.start()
    }
}
