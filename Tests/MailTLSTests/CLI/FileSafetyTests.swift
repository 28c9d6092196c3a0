import Foundation
import Testing

/// What `rsa`, `csr` and `self` do to the files already there: never replace without
/// --force, keep dated backups with --force, modes from the first byte, and nothing
/// half-written when the directory is read-only or the disk is full.
@Suite("CLI: file safety")
struct CLIFileSafetyTests {
    /// A writing command, the file it writes, and that file's mode.
    struct Writer: Sendable, CustomTestStringConvertible {
        var arguments: [String]
        var target: String
        var mode: Int
        /// Files that must exist first (csr and self use the existing key).
        var needsKey: Bool
        var testDescription: String { arguments[0] }
    }

    static let writers: [Writer] = [
        Writer(arguments: ["rsa", "--algorithm", "ed25519"], target: "host.key", mode: 0o600, needsKey: false),
        Writer(arguments: ["csr", "--subject", "/CN=mail.example.org"], target: "host.csr", mode: 0o644, needsKey: true),
        Writer(arguments: ["self", "--subject", "/CN=mail.example.org"], target: "host.cert", mode: 0o644, needsKey: true),
    ]

    let material = CLIMaterial.shared

    /// A directory holding host.key (when needed) and an existing target with `text`.
    func directory(for writer: Writer, existing text: String, mode: Int) throws -> TempDirectory {
        let dir = TempDirectory("safety")
        if writer.needsKey { try dir.write("host.key", material.key); chmod(dir.file("host.key"), 0o600) }
        if writer.target != "host.key" || !writer.needsKey {
            try dir.write(writer.target, text)
            chmod(dir.file(writer.target), mode_t(mode))
        }
        return dir
    }

    func oldText(for writer: Writer) -> String {
        switch writer.target {
        case "host.key": material.otherKey
        case "host.csr": material.request
        default: material.certificate
        }
    }

    // MARK: never replaced silently

    @Test("an existing file is never replaced without --force", arguments: CLIFileSafetyTests.writers)
    func refusesToOverwrite(_ writer: Writer) throws {
        let dir = try directory(for: writer, existing: oldText(for: writer), mode: writer.mode)
        let result = try expectFailureChangesNothing(writer.arguments, in: dir, mentions: [writer.target])
        #expect(result.stderr.contains("--force"), "the remedy names --force: \(result.stderr)")
    }

    @Test("an existing empty file, directory or dangling link is not replaced either", arguments: CLIFileSafetyTests.writers)
    func refusesToOverwriteOddThings(_ writer: Writer) throws {
        for odd in ["empty", "directory", "dangling link"] {
            let dir = TempDirectory("safety-odd")
            if writer.needsKey { try dir.write("host.key", material.key) }
            switch odd {
            case "empty": try dir.write(writer.target, "")
            case "directory": try FileManager.default.createDirectory(atPath: dir.file(writer.target), withIntermediateDirectories: false)
            default: try FileManager.default.createSymbolicLink(atPath: dir.file(writer.target), withDestinationPath: dir.file("nowhere"))
            }
            try expectFailureChangesNothing(writer.arguments, in: dir, mentions: [writer.target])
            #expect(!dir.exists("nowhere"), "a dangling link was followed")
        }
    }

    @Test("csr and self refuse before making a key when their target exists", arguments: ["csr", "self"])
    func refusesBeforeMakingKey(_ command: String) throws {
        let dir = TempDirectory("safety-nokey")
        try dir.write(command == "csr" ? "host.csr" : "host.cert", command == "csr" ? material.request : material.certificate)
        try expectFailureChangesNothing([command, "--subject", "/CN=mail.example.org"], in: dir,
                                        mentions: [command == "csr" ? "host.csr" : "host.cert"])
        #expect(!dir.exists("host.key"))
    }

    // MARK: --force keeps a dated backup

    @Test("--force keeps the old file as NAME.<UTC time>, same bytes and mode", arguments: CLIFileSafetyTests.writers)
    func forceKeepsBackup(_ writer: Writer) throws {
        // An unusual old mode (0640, a key readable by the MTA's group) must survive in the backup.
        let oldMode = writer.target == "host.key" ? 0o640 : 0o444
        let dir = try directory(for: writer, existing: oldText(for: writer), mode: oldMode)
        let old = try dir.bytes(writer.target)
        let started = Date()
        let result = try mailtls(writer.arguments + ["--force"], in: dir)
        let finished = Date()
        let backups = dir.listing().filter { $0.hasPrefix(writer.target + ".") }
        try #require(backups.count == 1, "one backup expected: \(dir.listing())")
        let backup = backups[0]
        let stamp = String(backup.dropFirst(writer.target.count + 1))
        #expect(stamp.wholeMatch(of: /\d{8}T\d{6}Z/) != nil, "backup stamp \(stamp) is not YYYYMMDDTHHMMSSZ")
        if let date = Self.date(fromStamp: stamp) {
            #expect(date >= started.addingTimeInterval(-1) && date <= finished.addingTimeInterval(1),
                    "stamp \(stamp) is not the current UTC time")
        }
        #expect(try dir.bytes(backup) == old, "the backup holds the old bytes")
        #expect(dir.mode(backup) == oldMode, "the backup keeps the old mode")
        #expect(try dir.bytes(writer.target) != old, "the file was replaced")
        #expect(dir.mode(writer.target) == writer.mode)
        #expect(result.stdout.contains(backup), "the output names the backup: \(result.stdout)")
        expectNoTempFiles(dir.path)
    }

    @Test("a backup never overwrites an earlier one from the same second", arguments: CLIFileSafetyTests.writers)
    func backupDoesNotOverwriteEarlierBackup(_ writer: Writer) throws {
        let dir = try directory(for: writer, existing: oldText(for: writer), mode: writer.mode)
        let old = try dir.bytes(writer.target)
        // Earlier backups for every second the run could fall in.
        var decoys: [String: String] = [:]
        for offset in -2...30 {
            let name = writer.target + "." + Self.stamp(Date().addingTimeInterval(TimeInterval(offset)))
            decoys[name] = "earlier backup \(offset)\n"
            try dir.write(name, decoys[name]!)
        }
        try mailtls(writer.arguments + ["--force"], in: dir)
        for (name, text) in decoys {
            #expect(try dir.read(name) == text, "\(name) was overwritten")
        }
        let made = dir.listing().filter { $0.hasPrefix(writer.target + ".") && decoys[$0] == nil }
        try #require(made.count == 1, "one new backup expected: \(made)")
        #expect(made[0].hasSuffix(".1"), "the new backup gets .1 beside the earlier one: \(made[0])")
        #expect(try dir.bytes(made[0]) == old)
    }

    @Test("two --force runs in the same second keep both backups (.1)")
    func twoForceRunsSameSecond() throws {
        var sameSecond = false
        for _ in 0..<6 where !sameSecond {
            let dir = TempDirectory("safety-twice")
            try mailtls(["rsa", "--algorithm", "ed25519"], in: dir)
            let first = try dir.bytes("host.key")
            try mailtls(["rsa", "--algorithm", "ed25519", "--force"], in: dir)
            let second = try dir.bytes("host.key")
            try mailtls(["rsa", "--algorithm", "ed25519", "--force"], in: dir)
            let backups = dir.listing().filter { $0.hasPrefix("host.key.") }
            #expect(backups.count == 2, "\(backups)")
            guard backups.count == 2 else { return }
            let plain = backups.first { !$0.hasSuffix(".1") }, numbered = backups.first { $0.hasSuffix(".1") }
            if let plain, let numbered {
                sameSecond = true
                #expect(numbered == plain + ".1")
                #expect(try dir.bytes(plain) == first)
                #expect(try dir.bytes(numbered) == second)
                #expect(dir.mode(plain) == 0o600 && dir.mode(numbered) == 0o600)
            }
            // Otherwise the runs straddled a second; try again.
        }
        #expect(sameSecond, "never managed two runs within one second")
    }

    // MARK: modes

    @Test("new keys are 0600 and requests and certificates 0644, whatever the umask", arguments: ["000", "022", "077"])
    func modesUnderUmask(_ umask: String) throws {
        let dir = TempDirectory("safety-umask")
        func check(_ arguments: [String], _ expected: [String: Int]) throws {
            let result = try mailtlsWithUmask(umask, arguments, in: dir)
            #expect(result.status == 0, "\(result.transcript)")
            for (name, mode) in expected {
                #expect(dir.mode(name) == mode, "umask \(umask): \(name) is \(String(dir.mode(name), radix: 8)), want \(String(mode, radix: 8))")
            }
        }
        try check(["rsa", "--algorithm", "ed25519"], ["host.key": 0o600])
        try check(["rsa", "--algorithm", "ed25519", "--force"], ["host.key": 0o600])
        try check(["csr", "--file", "a", "--algorithm", "ecdsa-p256", "--subject", "/CN=x"], ["a.key": 0o600, "a.csr": 0o644])
        try check(["self", "--file", "b", "--algorithm", "ecdsa-p256", "--subject", "/CN=x"], ["b.key": 0o600, "b.cert": 0o644])
        try check(["self", "--file", "b", "--force", "--subject", "/CN=x"], ["b.key": 0o600, "b.cert": 0o644])
        try check(["csr", "--file", "c", "--subject", "/CN=x"], ["c.key": 0o600, "c.csr": 0o644])
        expectNoTempFiles(dir.path)
    }

    @Test("--force replaces a too-open key with a 0600 one")
    func forceTightensKeyMode() throws {
        let dir = TempDirectory("safety-open")
        try dir.write("host.key", material.key)
        chmod(dir.file("host.key"), 0o666)
        try mailtls(["rsa", "--algorithm", "ed25519", "--force"], in: dir)
        #expect(dir.mode("host.key") == 0o600)
    }

    // MARK: racing writers

    @Test("several rsa runs at once: exactly one makes the key, the others refuse, no temp file is left")
    func racingWriters() throws {
        let dir = TempDirectory("safety-race")
        var processes: [Process] = []
        for _ in 0..<6 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: MailTLSBinary.path)
            process.arguments = ["rsa", "--algorithm", "ed25519", "--dir", dir.path]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            processes.append(process)
        }
        for process in processes { try process.run() }
        for process in processes { process.waitUntilExit() }
        let statuses = processes.map(\.terminationStatus)
        #expect(statuses.filter { $0 == 0 }.count == 1, "exactly one run wins: \(statuses)")
        #expect(statuses.allSatisfy { $0 == 0 || $0 == 1 }, "\(statuses)")
        #expect(dir.listing() == ["host.key"], "\(dir.listing())")
        #expect(dir.mode("host.key") == 0o600)
        try OpenSSL.expectSuccess(["pkey", "-in", "host.key", "-noout"], in: dir.path)
    }

    // MARK: links

    @Test("a key path that is a symbolic link is never written through")
    func symlinkNotFollowed() throws {
        let dir = TempDirectory("safety-link")
        let outside = TempDirectory("safety-outside")
        try outside.write("precious", "do not touch\n")
        try FileManager.default.createSymbolicLink(atPath: dir.file("host.key"), withDestinationPath: outside.file("precious"))
        try expectFailureChangesNothing(["rsa", "--algorithm", "ed25519"], in: dir, mentions: ["host.key"])
        try mailtls(["rsa", "--algorithm", "ed25519", "--force"], in: dir)
        #expect(try outside.read("precious") == "do not touch\n", "the link's target was written")
        expectNoTempFiles(dir.path)
    }

    // MARK: unwritable directory and full disk

    @Test("a directory mailtls may not write in: one-line error, nothing changed",
          .enabled(if: UnwritableDirectory.possible, "needs non-root (chmod 0555) or root with mount (read-only tmpfs)"))
    func unwritableDirectory() throws {
        let place = try UnwritableDirectory { path in
            let dir = ["--dir", path]
            _ = try MailTLSBinary.run(["rsa", "--file", "have", "--algorithm", "ed25519"] + dir)
            _ = try MailTLSBinary.run(["self", "--file", "have", "--subject", "/CN=x"] + dir)
        }
        defer { place.release() }
        let dir = ["--dir", place.path]
        #expect(FileManager.default.fileExists(atPath: place.path + "/have.cert"), "set-up failed")
        // place.path is absolute, so every message naming a file in it contains it.
        try expectFailureChangesNothing(["rsa", "--algorithm", "ed25519"] + dir, at: place.path, mentions: [place.path])
        try expectFailureChangesNothing(["csr", "--file", "have", "--subject", "/CN=x"] + dir, at: place.path, mentions: [place.path])
        try expectFailureChangesNothing(["self", "--file", "have", "--force", "--subject", "/CN=x"] + dir, at: place.path, mentions: [place.path])
        try expectFailureChangesNothing(["rsa", "--file", "have", "--force", "--algorithm", "ed25519"] + dir, at: place.path, mentions: [place.path])
        try expectFailureChangesNothing(["self", "--subject", "/CN=x"] + dir, at: place.path, mentions: [place.path])
    }

    @Test("a full disk: one-line error naming the path and the lack of space, no partial file",
          .enabled(if: TmpfsMount.available, "needs root and mount to make a small tmpfs"))
    func diskFull() throws {
        let disk = try TmpfsMount(size: "64k")
        defer { disk.unmount() }
        let dir = ["--dir", disk.path]
        _ = try mailtls(["self", "--file", "have", "--subject", "/CN=x"] + dir, in: disk.directory)
        disk.fill()
        // (--force on a full disk: see diskFullWithForce.)
        for arguments in [["rsa"], ["csr", "--file", "have", "--subject", "/CN=x"],
                          ["self", "--subject", "/CN=x", "--algorithm", "ed25519"]] {
            let result = try expectFailureChangesNothing(arguments + dir, at: disk.path, mentions: [disk.path])
            #expect(result.stderr.lowercased().contains("space"), "says there is no space: \(result.stderr)")
        }
    }

    @Test("a full disk during --force keeps no stray backup",
          .enabled(if: TmpfsMount.available, "needs root and mount to make a small tmpfs"))
    func diskFullWithForce() throws {
        let disk = try TmpfsMount(size: "64k")
        defer { disk.unmount() }
        let dir = ["--dir", disk.path]
        _ = try mailtls(["self", "--subject", "/CN=x"] + dir, in: disk.directory)
        disk.fill()
        for arguments in [["self", "--force", "--subject", "/CN=x"], ["rsa", "--force"]] {
            let result = try expectFailureChangesNothing(arguments + dir, at: disk.path, mentions: [disk.path])
            #expect(result.stderr.lowercased().contains("space"), "says there is no space: \(result.stderr)")
        }
    }

    // MARK: helpers

    static func stamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }

    static func date(fromStamp stamp: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.date(from: stamp)
    }
}

/// A directory mailtls cannot write in: 0555 when not root; for root (whom permissions do
/// not stop) a tmpfs remounted read-only.
final class UnwritableDirectory {
    static var possible: Bool { geteuid() != 0 || TmpfsMount.available }

    let path: String
    private var mount: TmpfsMount?
    private var temp: TempDirectory?

    /// Makes the directory, lets `populate` put files into it, then makes it unwritable.
    init(populate: (String) throws -> Void) throws {
        if geteuid() != 0 {
            let dir = TempDirectory("unwritable")
            try populate(dir.path)
            chmod(dir.path, 0o555)
            temp = dir
            path = dir.path
        } else {
            let disk = try TmpfsMount(size: "1m")
            try populate(disk.path)
            try disk.remountReadOnly()
            mount = disk
            path = disk.path
        }
    }

    func release() {
        if let temp { chmod(temp.path, 0o755) }
        mount?.unmount()
    }

    deinit { release() }
}
