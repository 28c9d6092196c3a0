import Foundation
import Testing

// Helpers for the CLI suites (bad input, file safety, promote): they run the real `mailtls`
// executable and check what it printed and what it left on disk.

/// The exit status the project's conventions (ARCHITECTURE.md, "Exit codes") give a usage
/// error: a bad option value that ArgumentParser itself rejects.
let usageErrorStatus: Int32 = 2

/// Everything in a directory tree, compared exactly: names, types, modes, the full bytes of
/// every file and the target of every link. Unlike a hash it shows what differs.
struct DirectoryState: Equatable, CustomStringConvertible {
    enum Entry: Equatable {
        case file(bytes: [UInt8], mode: Int)
        case directory(mode: Int)
        case link(target: String)
        case other(mode: Int)

        var summary: String {
            switch self {
            case .file(let bytes, let mode): "file \(bytes.count) bytes mode \(String(mode, radix: 8))"
            case .directory(let mode): "directory mode \(String(mode, radix: 8))"
            case .link(let target): "link -> \(target)"
            case .other(let mode): "special mode \(String(mode, radix: 8))"
            }
        }
    }

    var entries: [String: Entry]

    /// Reads `root` recursively (without following links).
    static func of(_ root: String) -> DirectoryState {
        var entries: [String: Entry] = [:]
        func walk(_ relative: String) {
            let full = relative.isEmpty ? root : root + "/" + relative
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: full) else { return }
            for name in names {
                let rel = relative.isEmpty ? name : relative + "/" + name
                let path = root + "/" + rel
                var info = stat()
                guard lstat(path, &info) == 0 else { continue }
                let mode = Int(info.st_mode & 0o7777)
                switch info.st_mode & S_IFMT {
                case S_IFREG:
                    let bytes = FileManager.default.contents(atPath: path).map { Array($0) } ?? []
                    entries[rel] = .file(bytes: bytes, mode: mode)
                case S_IFDIR:
                    entries[rel] = .directory(mode: mode)
                    walk(rel)
                case S_IFLNK:
                    entries[rel] = .link(target: (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?")
                default:
                    entries[rel] = .other(mode: mode)
                }
            }
        }
        walk("")
        return DirectoryState(entries: entries)
    }

    var names: [String] { entries.keys.sorted() }

    /// The same state without some names (e.g. promote's lock file).
    func ignoring(_ ignored: Set<String>) -> DirectoryState {
        DirectoryState(entries: entries.filter { !ignored.contains($0.key) })
    }

    /// One line per name that was added, removed or changed between `self` (before) and `after`.
    func differences(to after: DirectoryState) -> [String] {
        var lines: [String] = []
        for name in Set(entries.keys).union(after.entries.keys).sorted() {
            switch (entries[name], after.entries[name]) {
            case (nil, let new?): lines.append("added \(name): \(new.summary)")
            case (let old?, nil): lines.append("removed \(name): \(old.summary)")
            case (let old?, let new?) where old != new: lines.append("changed \(name): \(old.summary) -> \(new.summary)")
            default: break
            }
        }
        return lines
    }

    var description: String { names.map { "\($0): \(entries[$0]!.summary)" }.joined(separator: "\n") }
}

/// The name promote gives its advisory lock; a lock file left behind is not a changed file.
let promoteLockName = ".mailtls.lock"

extension RunResult {
    /// The non-empty lines written to stderr.
    var errorLines: [String] { stderr.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) }
    var outputLines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) }
    var transcript: String { "status \(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }
}

/// Checks mailtls's failure contract: exit status 1, exactly one line on stderr of the form
/// `mailtls: <file or option>: <problem> (<remedy>)`, mentioning each of `mentions`.
func expectOneLineError(_ result: RunResult, mentions: [String], status: Int32 = 1,
                        sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(result.status == status, "expected exit \(status)\n\(result.transcript)", sourceLocation: sourceLocation)
    let lines = result.errorLines
    #expect(lines.count == 1, "expected exactly one line on stderr\n\(result.transcript)", sourceLocation: sourceLocation)
    guard let line = lines.last else { return }
    #expect(line.hasPrefix("mailtls: "), "error line must start with 'mailtls: ': \(line)", sourceLocation: sourceLocation)
    #expect(line.contains(" (") && line.hasSuffix(")"), "error line must end with a remedy in parentheses: \(line)",
            sourceLocation: sourceLocation)
    for mention in mentions {
        #expect(line.contains(mention), "error line should name \(mention): \(line)", sourceLocation: sourceLocation)
    }
}

/// Runs mailtls in `dir`, expects the one-line failure naming `mentions`, and that the
/// directory tree (every byte, mode and name) is exactly as before: no temp file, no
/// half-written file, no backup.
@discardableResult
func expectFailureChangesNothing(_ arguments: [String], in dir: TempDirectory, mentions: [String], status: Int32 = 1,
                                 input: String? = nil, ignoring: Set<String> = [], asNobody: Bool = false,
                                 sourceLocation: SourceLocation = #_sourceLocation) throws -> RunResult {
    try expectFailureChangesNothing(arguments, at: dir.path, mentions: mentions, status: status, input: input,
                                    ignoring: ignoring, asNobody: asNobody, sourceLocation: sourceLocation)
}

/// `expectFailureChangesNothing` for any directory `path` (a mount point, say); `asNobody`
/// runs mailtls as user nobody (`MailTLSBinary.runAsNobody`).
@discardableResult
func expectFailureChangesNothing(_ arguments: [String], at path: String, mentions: [String], status: Int32 = 1,
                                 input: String? = nil, ignoring: Set<String> = [], asNobody: Bool = false,
                                 sourceLocation: SourceLocation = #_sourceLocation) throws -> RunResult {
    let before = DirectoryState.of(path)
    let result = asNobody ? try MailTLSBinary.runAsNobody(arguments, in: path, input: input)
                          : try MailTLSBinary.run(arguments, in: path, input: input)
    expectOneLineError(result, mentions: mentions, status: status, sourceLocation: sourceLocation)
    let after = DirectoryState.of(path)
    let changes = before.differences(to: after.ignoring(ignoring))
    #expect(changes.isEmpty, "mailtls \(arguments.joined(separator: " ")) changed the directory:\n\(changes.joined(separator: "\n"))",
            sourceLocation: sourceLocation)
    expectNoTempFiles(path, sourceLocation: sourceLocation)
    return result
}

/// Asserts that no `.NAME.tmp-*` file (AtomicFile's temp names) is left anywhere under `path`.
func expectNoTempFiles(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let leftovers = DirectoryState.of(path).names.filter { name in
        let base = name.split(separator: "/").last.map(String.init) ?? name
        return base.hasPrefix(".") && base.contains(".tmp-")
    }
    #expect(leftovers.isEmpty, "temp files left behind: \(leftovers)", sourceLocation: sourceLocation)
}

/// Runs mailtls and expects success, recording its output on failure.
@discardableResult
func mailtls(_ arguments: [String], in dir: TempDirectory, input: String? = nil,
             sourceLocation: SourceLocation = #_sourceLocation) throws -> RunResult {
    let result = try MailTLSBinary.run(arguments, in: dir.path, input: input)
    #expect(result.status == 0, "mailtls \(arguments.joined(separator: " ")) failed\n\(result.transcript)",
            sourceLocation: sourceLocation)
    return result
}

/// Quotes a word for /bin/sh.
func shellQuoted(_ word: String) -> String {
    "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
}

/// Runs mailtls through /bin/sh with a given umask.
func mailtlsWithUmask(_ umask: String, _ arguments: [String], in dir: TempDirectory) throws -> RunResult {
    let command = "umask \(umask); exec " + ([MailTLSBinary.path] + arguments).map(shellQuoted).joined(separator: " ")
    return try run("/bin/sh", ["-c", command], in: dir.path)
}

/// A fresh temp directory holding fixtures made with the `openssl` CLI.
enum Material {
    /// A quick key (EC P-256, PKCS#8), written with openssl.
    static func ecKey(_ name: String, in dir: TempDirectory) throws {
        try OpenSSL.expectSuccess(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", name], in: dir.path)
    }

    /// A self-signed certificate for `key` made with openssl.
    static func certificate(_ name: String, key: String, subject: String = "/CN=mail.example.org", days: Int = 30,
                            in dir: TempDirectory) throws {
        try OpenSSL.expectSuccess(["req", "-new", "-x509", "-key", key, "-subj", subject, "-days", "\(days)", "-out", name], in: dir.path)
    }

    /// A certificate request for `key` made with openssl.
    static func request(_ name: String, key: String, subject: String = "/CN=mail.example.org", in dir: TempDirectory) throws {
        try OpenSSL.expectSuccess(["req", "-new", "-key", key, "-subj", subject, "-out", name], in: dir.path)
    }

    /// A self-signed certificate for the PEM key `key` valid from `notBefore` to `notAfter`
    /// (seconds relative to now), built with python3's `cryptography` (openssl 3.0's `x509`
    /// and `req` cannot set arbitrary validity dates).
    static func certificate(_ name: String, key: String, notBefore: Int, notAfter: Int, in dir: TempDirectory) throws {
        let script = """
        import sys, datetime
        from cryptography import x509
        from cryptography.x509.oid import NameOID
        from cryptography.hazmat.primitives import hashes, serialization
        key = serialization.load_pem_private_key(open(sys.argv[1], 'rb').read(), password=None)
        now = datetime.datetime.now(datetime.timezone.utc)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'mail.example.org')])
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now + datetime.timedelta(seconds=int(sys.argv[3])))
                .not_valid_after(now + datetime.timedelta(seconds=int(sys.argv[4])))
                .add_extension(x509.SubjectAlternativeName([x509.DNSName('mail.example.org')]), critical=False)
                .sign(key, hashes.SHA256()))
        open(sys.argv[2], 'wb').write(cert.public_bytes(serialization.Encoding.PEM))
        """
        let result = try run("/usr/bin/env", ["python3", "-c", script, key, name, "\(notBefore)", "\(notAfter)"], in: dir.path)
        #expect(result.status == 0, "python3 cryptography failed: \(result.stderr)")
    }

    /// Bytes that are neither PEM nor DER (no 0x30 first byte, no BEGIN line).
    static func garbage(count: Int = 700) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
        bytes[0] = 0xFF
        return bytes
    }

    /// Random bytes that begin like a DER SEQUENCE (0x30 0x82 len len), then nonsense.
    static func fakeDER(count: Int = 700) -> [UInt8] {
        var bytes = garbage(count: count)
        bytes[0] = 0x30; bytes[1] = 0x82; bytes[2] = UInt8((count - 4) >> 8); bytes[3] = UInt8((count - 4) & 0xFF)
        return bytes
    }
}

/// Ways a PEM file is damaged in transit: each returns the damaged text.
enum Damage: String, CaseIterable, CustomTestStringConvertible {
    /// Cut in the middle of the BEGIN line.
    case cutInBeginLine
    /// Cut after the first base64 line.
    case cutAfterFirstLine
    /// Cut in the middle of the body, mid-line.
    case cutMidBody
    /// Everything but the END line.
    case cutBeforeEndLine
    /// Cut in the middle of the END line.
    case cutInEndLine
    /// Body lines removed from the middle, BEGIN and END lines intact.
    case middleLinesMissing
    /// Body shortened by one base64 line at the end, END line intact.
    case lastBodyLineMissing

    var testDescription: String { rawValue }

    func apply(to pem: String) -> String {
        let lines = pem.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty }
        let begin = lines.first!, end = lines.last!, body = Array(lines.dropFirst().dropLast())
        func join(_ parts: [String]) -> String { parts.joined(separator: "\n") + "\n" }
        switch self {
        case .cutInBeginLine: return String(begin.prefix(15))
        case .cutAfterFirstLine: return join([begin, body[0]])
        case .cutMidBody:
            let text = join([begin] + body)
            return String(text.prefix(text.count / 2))
        case .cutBeforeEndLine: return join([begin] + body)
        case .cutInEndLine: return join([begin] + body) + String(end.prefix(12))
        case .middleLinesMissing:
            let keep = body.count / 3
            return join([begin] + body.prefix(keep) + body.suffix(keep) + [end])
        case .lastBodyLineMissing:
            return join([begin] + body.dropLast(2) + [body.last!] + [end])
        }
    }
}

/// PEM texts made once with the `openssl` CLI and shared by the CLI tests.
enum CLIMaterial {
    struct Texts: Sendable {
        var key = "", certificate = "", request = ""
        var otherKey = "", otherRequest = "", otherCertificate = ""
        var encryptedPKCS8Key = "", encryptedTraditionalKey = ""
    }

    static let shared: Texts = {
        let dir = TempDirectory("mailtls-material")
        func openssl(_ arguments: [String]) {
            let result = try? OpenSSL.run(arguments, in: dir.path)
            precondition(result?.status == 0, "openssl \(arguments) failed: \(result?.stderr ?? "")")
        }
        openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "a.key"])
        openssl(["req", "-new", "-x509", "-key", "a.key", "-subj", "/CN=mail.example.org", "-days", "30", "-out", "a.cert"])
        openssl(["req", "-new", "-key", "a.key", "-subj", "/CN=mail.example.org", "-out", "a.csr"])
        openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "b.key"])
        openssl(["req", "-new", "-key", "b.key", "-subj", "/CN=other.example.org", "-out", "b.csr"])
        openssl(["req", "-new", "-x509", "-key", "b.key", "-subj", "/CN=other.example.org", "-days", "30", "-out", "b.cert"])
        openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-aes256", "-pass", "pass:x", "-out", "enc8.key"])
        openssl(["genrsa", "-aes128", "-traditional", "-passout", "pass:x", "-out", "enc1.key", "2048"])
        func text(_ name: String) -> String { (try? dir.read(name)) ?? "" }
        return Texts(key: text("a.key"), certificate: text("a.cert"), request: text("a.csr"),
                   otherKey: text("b.key"), otherRequest: text("b.csr"), otherCertificate: text("b.cert"),
                   encryptedPKCS8Key: text("enc8.key"), encryptedTraditionalKey: text("enc1.key"))
    }()
}

/// A file that is there but is not what it should be (or is not there at all).
enum BadContent: Sendable, CustomTestStringConvertible {
    case missing
    case empty
    case whitespaceOnly
    case damaged(Damage)
    case binaryGarbage
    /// Random bytes that start like a DER SEQUENCE.
    case fakeDER
    /// The good object's DER, cut in half.
    case truncatedDER
    /// A directory where the file belongs.
    case directory

    /// Every kind of damage.
    static let all: [BadContent] = [.missing, .empty, .whitespaceOnly, .binaryGarbage, .fakeDER, .truncatedDER, .directory]
        + Damage.allCases.map { .damaged($0) }
    /// Every kind of damage to a file that is there.
    static let present: [BadContent] = all.filter { if case .missing = $0 { false } else { true } }

    var testDescription: String {
        switch self {
        case .damaged(let damage): "truncated: \(damage.rawValue)"
        default: "\(self)"
        }
    }

    /// Puts the bad version of `good` (a PEM text) at `name`.
    func make(_ name: String, in dir: TempDirectory, from good: String) throws {
        switch self {
        case .missing: break
        case .empty: try dir.write(name, "")
        case .whitespaceOnly: try dir.write(name, " \n\t\n   \n")
        case .damaged(let damage): try dir.write(name, damage.apply(to: good))
        case .binaryGarbage: try dir.write(name, bytes: Material.garbage())
        case .fakeDER: try dir.write(name, bytes: Material.fakeDER())
        case .truncatedDER:
            let der = Array(BadContent.der(of: good))
            try dir.write(name, bytes: Array(der.prefix(der.count / 2)))
        case .directory:
            try FileManager.default.createDirectory(atPath: dir.file(name), withIntermediateDirectories: false)
            try dir.write(name + "/inside", "x")
        }
    }

    /// The DER bytes of the first PEM block in `pem`.
    static func der(of pem: String) -> Data {
        let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        return Data(base64Encoded: body) ?? Data()
    }
}

/// Mounting a tmpfs, for the read-only and disk-full cases. Needs root (or CAP_SYS_ADMIN).
final class TmpfsMount {
    let directory: TempDirectory
    var path: String { directory.path }
    private var mounted = false

    /// Whether this machine lets the tests mount a tmpfs.
    static let available: Bool = {
        guard geteuid() == 0, FileManager.default.isExecutableFile(atPath: "/bin/mount") else { return false }
        guard let probe = try? TmpfsMount(size: "16k") else { return false }
        probe.unmount()
        return true
    }()

    init(size: String) throws {
        directory = TempDirectory("mailtls-tmpfs")
        let result = try run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(size),mode=0755", "tmpfs", directory.path])
        guard result.status == 0 else { throw MailTLSTestError("mount failed: \(result.stderr)") }
        mounted = true
    }

    func remountReadOnly() throws {
        let result = try run("/bin/mount", ["-o", "remount,ro", path])
        guard result.status == 0 else { throw MailTLSTestError("remount ro failed: \(result.stderr)") }
    }

    /// Fills the file system: writes `name` until there is no space left.
    func fill(_ name: String = "filler") {
        let fd = open(path + "/" + name, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { return }
        let block = [UInt8](repeating: 0x41, count: 1024)
        while block.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 {}
        // Partial pages: keep going byte by byte until the write fails.
        while block.withUnsafeBytes({ write(fd, $0.baseAddress, 1) }) > 0 {}
        close(fd)
    }

    func unmount() {
        guard mounted else { return }
        _ = try? run("/bin/umount", [path])
        mounted = false
    }

    deinit { unmount() }
}

struct MailTLSTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
