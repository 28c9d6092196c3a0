import Foundation
import Testing
@testable import MailTLS

/// Runs a writing command over and over, SIGKILLing it at a random moment of its life, and
/// lets the caller check the directory after each round. While the loop runs, a watcher
/// thread polls the modes of every file whose name says "key" (temp files and backups
/// included): none may ever be readable by group or others.
///
/// `ca sign` has its own loop in `Authority/CACrashTests.swift`.
final class KillLoop: @unchecked Sendable {
    /// Rounds per command: MAILTLS_KILL_ROUNDS, else 50.
    static let rounds = Int(ProcessInfo.processInfo.environment["MAILTLS_KILL_ROUNDS"] ?? "") ?? 50

    let directory: String
    private let lock = NSLock()
    private var exposed: [String] = []
    private var watching = false
    private var polls = 0
    private var thread: Thread?

    init(watching directory: String) { self.directory = directory }

    /// Polls modes under `directory` (recursively, without following links) until `stop()`.
    func start() {
        watching = true
        let thread = Thread { [self] in
            while lock.withLock({ watching }) {
                for path in Self.files(under: directory) where (path as NSString).lastPathComponent.contains("key") {
                    var info = stat()
                    if lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_mode & 0o077 != 0 {
                        lock.withLock { exposed.append("\(path) mode \(String(info.st_mode & 0o7777, radix: 8))") }
                    }
                }
                lock.withLock { polls += 1 }
            }
        }
        self.thread = thread
        thread.start()
    }

    /// Stops the watcher; returns the exposures seen and the number of polls.
    func stop() -> (exposed: [String], polls: Int) {
        lock.withLock { watching = false }
        while thread?.isFinished == false { usleep(1000) }
        return lock.withLock { (exposed, polls) }
    }

    static func files(under root: String) -> [String] {
        var result: [String] = []
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: root) else { return [] }
        for name in names {
            let path = root + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            if (info.st_mode & S_IFMT) == S_IFDIR { result += files(under: path) } else { result.append(path) }
        }
        return result
    }

    struct Counts: CustomStringConvertible {
        var rounds = 0, completed = 0, killed = 0, failed = 0
        var description: String { "\(rounds) runs, \(completed) completed, \(killed) killed, \(failed) refused" }
    }

    /// Runs `arguments` in `cwd` `rounds` times. Round 0 always completes (it measures how long
    /// a run takes); after that every fourth run completes and the others are killed at a
    /// uniformly random moment within 1.2 times that duration.
    func loop(_ arguments: [String], in cwd: String, rounds: Int = KillLoop.rounds,
              before: (Int) throws -> Void = { _ in },
              after: (Int, _ killed: Bool, _ status: Int32) throws -> Void) throws -> Counts {
        try loop({ _ in arguments }, in: cwd, rounds: rounds, before: before, after: after)
    }

    /// `loop` with arguments that change from round to round.
    func loop(_ arguments: (Int) -> [String], in cwd: String, rounds: Int = KillLoop.rounds,
              before: (Int) throws -> Void = { _ in },
              after: (Int, _ killed: Bool, _ status: Int32) throws -> Void) throws -> Counts {
        var counts = Counts()
        var duration: UInt32 = 100_000
        for round in 0..<rounds {
            try before(round)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: MailTLSBinary.path)
            process.arguments = arguments(round)
            process.currentDirectoryURL = URL(fileURLWithPath: cwd)
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            let started = DispatchTime.now()
            try process.run()
            if round > 0 && round % 4 != 3 {
                usleep(UInt32.random(in: 0...(duration + duration / 5)))
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            }
            process.waitUntilExit()
            if round == 0 {
                duration = UInt32(min(5_000_000, (DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1000))
            }
            let killed = process.terminationReason == .uncaughtSignal
            counts.rounds += 1
            // Exit 3 is success with warnings (rehash of fixtures that hold expired CA certificates).
            if killed { counts.killed += 1 } else if [0, 3].contains(process.terminationStatus) { counts.completed += 1 } else { counts.failed += 1 }
            try after(round, killed, process.terminationStatus)
        }
        return counts
    }
}

/// Writes a key file created with mode 0600 (never readable by others, not even for a moment,
/// so the mode watcher sees only what mailtls does).
func writeKey(_ path: String, _ bytes: [UInt8]) throws {
    unlink(path)
    let fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0o600)
    guard fd >= 0 else { throw CocoaError(.fileWriteUnknown) }
    defer { close(fd) }
    guard bytes.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == bytes.count else { throw CocoaError(.fileWriteUnknown) }
}

/// Material made once with openssl: two key/certificate pairs for the same name.
enum KillMaterial {
    struct Pair: Sendable { var key: [UInt8]; var cert: [UInt8] }
    static let pairs: [Pair] = {
        let dir = TempDirectory("kill-material")
        var result: [Pair] = []
        for name in ["a", "b"] {
            let made = try? OpenSSL.run(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                         "-keyout", "\(name).key", "-out", "\(name).cert", "-days", "30",
                                         "-subj", "/CN=mail.example.org", "-addext", "subjectAltName=DNS:mail.example.org"],
                                        in: dir.path)
            precondition(made?.status == 0, "openssl failed: \(made?.stderr ?? "")")
            result.append(Pair(key: (try? dir.bytes("\(name).key")) ?? [], cert: (try? dir.bytes("\(name).cert")) ?? []))
        }
        return result
    }()
}

extension Reliability {
    @Suite("Reliability: writing commands killed with SIGKILL at random moments", .serialized)
    struct KillLoopTests {
        /// Files that must never be partial: each is either `old` or a complete object that parses.
        static func expectWhole(_ dir: TempDirectory, _ name: String, old: [UInt8]?, round: Int,
                                sourceLocation: SourceLocation = #_sourceLocation) {
            guard let bytes = try? dir.bytes(name) else {
                #expect(old == nil, "round \(round): \(name) disappeared", sourceLocation: sourceLocation)
                return
            }
            if bytes == old { return }
            #expect(!bytes.isEmpty, "round \(round): \(name) is empty", sourceLocation: sourceLocation)
            #expect((try? MaterialFile.parse(bytes, path: name)) != nil, "round \(round): \(name) is partial (\(bytes.count) bytes)",
                    sourceLocation: sourceLocation)
        }

        /// No temp file a later run could take for a real file; and a locked run sweeps them.
        static func expectTempFilesSwept(_ directory: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let lock = try DirectoryLock(directory)
            lock.release()
            let leftovers = KillLoop.files(under: directory).filter { ($0 as NSString).lastPathComponent.contains(".tmp-") }
            #expect(leftovers.isEmpty, "a locked run left temp files: \(leftovers)", sourceLocation: sourceLocation)
        }

        static func report(_ command: String, _ counts: KillLoop.Counts, _ watch: (exposed: [String], polls: Int),
                           sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(watch.exposed.isEmpty, "\(command): a key file was group/world readable: \(Array(watch.exposed.prefix(5)))",
                    sourceLocation: sourceLocation)
            #expect(counts.killed > 0, "\(command): no run was killed", sourceLocation: sourceLocation)
            #expect(counts.completed > 0, "\(command): no run completed", sourceLocation: sourceLocation)
            print("kill loop: mailtls \(command): \(counts), \(watch.polls) mode polls, \(watch.exposed.count) exposures")
        }

        @Test("rsa --force, csr --force, self --force: each file old or new, never partial, keys never readable",
              arguments: [["rsa", "--force", "--algorithm", "ecdsa-p256"],
                          ["rsa", "--force"],
                          ["csr", "--force", "--subject", "/CN=mail.example.org", "--batch"],
                          ["self", "--force", "--subject", "/CN=mail.example.org", "--batch"]])
        func makeCommands(_ arguments: [String]) throws {
            let dir = TempDirectory("kill-make")
            let pair = KillMaterial.pairs[0]
            try dir.write("host.key", bytes: pair.key)
            chmod(dir.file("host.key"), 0o600)
            try dir.write("host.cert", bytes: pair.cert)
            let target = ["rsa": "host.key", "csr": "host.csr", "self": "host.cert"][arguments[0]]!
            if arguments[0] == "csr" { try mailtls(["csr", "--subject", "/CN=mail.example.org", "--batch"], in: dir) }
            let watcher = KillLoop(watching: dir.path)
            watcher.start()
            var old = try? dir.bytes(target)
            let counts = try watcher.loop(arguments, in: dir.path, before: { _ in old = try? dir.bytes(target) }) { round, _, _ in
                Self.expectWhole(dir, target, old: old, round: round)
                if target == "host.key" { #expect(dir.mode("host.key") == 0o600, "round \(round): host.key mode \(dir.mode("host.key"))") }
                // The key and the certificate the other commands read are never damaged.
                Self.expectWhole(dir, "host.key", old: pair.key, round: round)
                // Dated backups are whole copies of an earlier version.
                for name in dir.listing() where name.hasPrefix(target + ".") {
                    Self.expectWhole(dir, name, old: nil, round: round)
                }
                // A temp file left by a killed run is not taken for the real file.
                let show = try MailTLSBinary.run(["show", target], in: dir.path)
                #expect(show.status == 0, "round \(round): \(show.transcript)")
            }
            Self.report(arguments.joined(separator: " "), counts, watcher.stop())
            try Self.expectTempFilesSwept(dir.path)
        }

        @Test("promote: host.key and host.cert each old or new; a mixed pair is finished by the next promote")
        func promote() throws {
            let dir = TempDirectory("kill-promote")
            let (a, b) = (KillMaterial.pairs[0], KillMaterial.pairs[1])
            let watcher = KillLoop(watching: dir.path)
            watcher.start()
            var mixed = 0
            let counts = try watcher.loop(["promote"], in: dir.path, before: { _ in
                for name in dir.listing() { try FileManager.default.removeItem(atPath: dir.file(name)) }
                try writeKey(dir.file("host.key"), a.key)
                try dir.write("host.cert", bytes: a.cert)
                try writeKey(dir.file("new.key"), b.key)
                try dir.write("new.cert", bytes: b.cert)
            }) { round, killed, status in
                let key = try dir.bytes("host.key"), cert = try dir.bytes("host.cert")
                #expect(key == a.key || key == b.key, "round \(round): host.key is neither version")
                #expect(cert == a.cert || cert == b.cert, "round \(round): host.cert is neither version")
                if !killed { #expect(status == 0 && key == b.key && cert == b.cert, "round \(round): promote finished with \(status)") }
                if (key == b.key) != (cert == b.cert) {
                    // Killed between the two renames: the pair does not match until promote runs again.
                    mixed += 1
                    let again = try MailTLSBinary.run(["promote"], in: dir.path)
                    #expect(again.status == 0, "round \(round): promote after a kill: \(again.transcript)")
                    #expect(try dir.bytes("host.key") == b.key && dir.bytes("host.cert") == b.cert,
                            "round \(round): the second promote did not finish the pair")
                }
                for name in dir.listing() where name.hasPrefix("host.") || name.hasPrefix("new.") {
                    #expect(try !dir.bytes(name).isEmpty, "round \(round): \(name) is empty")
                }
            }
            Self.report("promote", counts, watcher.stop())
            print("kill loop: mailtls promote: \(mixed) kills left host.key and host.cert from different versions (the next promote finished them)")
        }

        /// A CA directory of 40 certificates from the subject-hash fixtures.
        static func trustDirectory(_ dir: TempDirectory, _ name: String = "CA") throws -> String {
            let ca = dir.file(name)
            try FileManager.default.createDirectory(atPath: ca, withIntermediateDirectories: true)
            let source = Fixtures.path("subject-hash/cabundle")
            for file in try FileManager.default.contentsOfDirectory(atPath: source).sorted().prefix(40) {
                try FileManager.default.copyItem(atPath: source + "/" + file, toPath: ca + "/" + file)
            }
            return ca
        }

        /// Runs rehash to the end; exit 3 (warnings: the fixtures hold expired CA certificates) is success.
    static func rehash(_ ca: String, in dir: TempDirectory, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try MailTLSBinary.run(["rehash", ca], in: dir.path)
        #expect(result.status == 0 || result.status == 3, "\(result.transcript)", sourceLocation: sourceLocation)
    }

    /// Hash links (name → target) in a directory.
        static func links(_ path: String) -> [String: String] {
            var result: [String: String] = [:]
            for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
                if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path + "/" + name) { result[name] = target }
            }
            return result
        }

        @Test("rehash: links always point at whole certificates, never at temp files; the next run ends as a clean run does")
        func rehash() throws {
            let dir = TempDirectory("kill-rehash")
            let ca = try Self.trustDirectory(dir)
            let reference = TempDirectory("kill-rehash-ref")
            let refCA = try Self.trustDirectory(reference)
            try Self.rehash(refCA, in: reference)
            let expected = Self.links(refCA)
            #expect(expected.count >= 40)
            let watcher = KillLoop(watching: dir.path)
            watcher.start()
            let counts = try watcher.loop(["rehash", ca], in: dir.path, before: { round in
                // Half the rounds start with no links, half with a few removed, so there is work.
                for (name, _) in Self.links(ca) where round % 2 == 0 || name.hasPrefix(String(round % 10)) { unlink(ca + "/" + name) }
            }) { round, _, _ in
                for (name, target) in Self.links(ca) {
                    #expect(!target.contains(".tmp-"), "round \(round): \(name) points at a temp file \(target)")
                    #expect(expected[name] == nil || expected[name] == target, "round \(round): \(name) -> \(target), a clean run makes \(expected[name]!)")
                    if !name.hasPrefix(".") {
                        #expect(FileManager.default.fileExists(atPath: ca + "/" + name), "round \(round): \(name) dangles")
                    }
                }
                for name in try FileManager.default.contentsOfDirectory(atPath: ca) where name.hasSuffix(".pem") {
                    #expect((try? MaterialFile.load(ca + "/" + name)) != nil, "round \(round): \(name) damaged")
                }
            }
            try Self.rehash(ca, in: dir)
            #expect(Self.links(ca) == expected, "after the loop one rehash gives what a clean run gives")
            Self.report("rehash", counts, watcher.stop())
            try Self.expectTempFilesSwept(ca)
        }

        @Test("bundle split: every file in the CA directory is a whole certificate; a rerun completes it")
        func bundleSplit() throws {
            let dir = TempDirectory("kill-split")
            var bundle = ""
            let source = Fixtures.path("subject-hash/cabundle")
            for file in try FileManager.default.contentsOfDirectory(atPath: source).sorted().prefix(40) {
                bundle += try String(contentsOfFile: source + "/" + file, encoding: .utf8)
            }
            try dir.write("bundle.pem", bundle)
            let reference = TempDirectory("kill-split-ref")
            try reference.write("bundle.pem", bundle)
            _ = try MailTLSBinary.run(["bundle", "split", "bundle.pem", "--into", "CA"], in: reference.path)
            let expected = reference.listing(of: "CA").filter { !$0.hasPrefix(".") }
            let watcher = KillLoop(watching: dir.path)
            watcher.start()
            let counts = try watcher.loop(["bundle", "split", "bundle.pem", "--into", "CA"], in: dir.path, before: { _ in
                try? FileManager.default.removeItem(atPath: dir.file("CA"))
            }) { round, killed, status in
                for name in dir.listing(of: "CA") where !name.hasPrefix(".") {
                    let path = dir.file("CA/" + name)
                    if (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) != nil { continue }
                    #expect((try? MaterialFile.load(path)) != nil, "round \(round): CA/\(name) is partial")
                }
                if !killed { #expect((status == 0 || status == 3) && dir.listing(of: "CA").filter { !$0.hasPrefix(".") } == expected) }
                else if round % 5 == 1 {
                    // The next run over a half-split directory finishes it.
                    let again = try MailTLSBinary.run(["bundle", "split", "bundle.pem", "--into", "CA"], in: dir.path)
                    #expect(again.status == 0 || again.status == 3, "round \(round): split after a kill: \(again.transcript)")
                    #expect(dir.listing(of: "CA").filter { !$0.hasPrefix(".") } == expected, "round \(round): rerun differs")
                }
            }
            Self.report("bundle split", counts, watcher.stop())
        }

        @Test("config --apply: sendmail.mc is the old or the new version, byte for byte")
        func configApply() throws {
            let dir = TempDirectory("kill-config")
            let certs = dir.file("certs")
            try FileManager.default.createDirectory(atPath: certs, withIntermediateDirectories: false)
            try writeKey(certs + "/host.key", KillMaterial.pairs[0].key)
            try dir.write("certs/host.cert", bytes: KillMaterial.pairs[0].cert)
            let old = Array("""
                divert(-1)dnl
                include(`/usr/share/sendmail/cf/m4/cf.m4')dnl
                VERSIONID(`mailtls kill loop')dnl
                OSTYPE(`debian')dnl
                DOMAIN(`generic')dnl
                define(`confDOMAIN_NAME', `mail.example.org')dnl
                MAILER(`local')dnl
                MAILER(`smtp')dnl

                """.utf8)
            var new: [UInt8]?
            let watcher = KillLoop(watching: dir.path)
            watcher.start()
            let counts = try watcher.loop(["config", "sendmail", "--dir", certs, "--apply", "sendmail.mc"], in: dir.path, before: { _ in
                try dir.write("sendmail.mc", bytes: old)
            }) { round, killed, status in
                let bytes = try dir.bytes("sendmail.mc")
                if round == 0 {
                    #expect(status == 0 && bytes != old, "config --apply changed nothing")
                    new = bytes
                }
                #expect(bytes == old || bytes == new, "round \(round): sendmail.mc is neither version (\(bytes.count) bytes)")
                if !killed { #expect(bytes == new, "round \(round): an uninterrupted run wrote something else") }
            }
            Self.report("config sendmail --apply", counts, watcher.stop())
            try Self.expectTempFilesSwept(dir.path)
        }

        @Test("ca revoke: index and CRL always parse, the CRL never lists what the index does not")
        func caRevoke() throws {
            let dir = TempDirectory("kill-revoke")
            let layout = CALayout(directory: dir.file("ca"))
            _ = try CAInit.run(layout, options: .init(subject: try SubjectParser.parse("/CN=Kill CA"), key: KeyOptions(algorithm: .ecdsaP256)))
            try OpenSSL.expectSuccess(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "r.key",
                                       "-out", "r.csr", "-subj", "/CN=mail.example.org"], in: dir.path)
            let rounds = KillLoop.rounds
            // One request, signed `rounds` times in one transaction-free loop (each its own serial).
            for index in 0..<rounds {
                try mailtls(["ca", "sign", "r.csr", "--dir", "ca", "--yes", "--allow-duplicate", "--out", "c\(index).cert"], in: dir)
            }
            let watcher = KillLoop(watching: dir.path)
            watcher.start()
            var revokedSoFar: Set<String> = []
            let counts = try watcher.loop({ ["ca", "revoke", "c\($0).cert", "--dir", "ca"] }, in: dir.path, rounds: rounds) { round, killed, status in
                if !killed { #expect(status == 0, "round \(round): revoke finished with \(status)") }
                // The index always parses and never loses a revocation.
                let index = try CAIndex.load(layout)
                #expect(index.entries.count == rounds, "round \(round): the index has \(index.entries.count) entries")
                let revoked = Set(index.entries.filter { $0.status == .revoked }.map { CAIndex.normalizedSerial($0.serial) })
                #expect(revoked.isSuperset(of: revokedSoFar), "round \(round): a revocation was lost")
                revokedSoFar = revoked
                // The CRL is whole; it may lag the index by the revocation being made (the next
                // write catches up), but never lists a certificate the index does not call revoked.
                if FileManager.default.fileExists(atPath: layout.crlPath) {
                    let bytes = try dir.bytes("ca/ca.crl")
                    #expect(!bytes.isEmpty && (try? MaterialFile.parse(bytes, path: "ca.crl")) != nil, "round \(round): ca.crl is partial")
                    let listed = try crlSerials(layout.crlPath)
                    #expect(listed.isSubset(of: revoked), "round \(round): the CRL lists \(listed.subtracting(revoked)) the index does not")
                }
            }
            // A revoke killed before it recorded anything is simply not done; the next CRL write
            // lists everything the index holds.
            try mailtls(["ca", "crl", "--dir", "ca"], in: dir)
            #expect(try crlSerials(layout.crlPath) == revokedSoFar)
            Self.report("ca revoke", counts, watcher.stop())
            try Self.expectTempFilesSwept(layout.directory)
        }

        /// The serials a CRL lists, as CAIndex spells them, read with the openssl CLI.
        func crlSerials(_ path: String) throws -> Set<String> {
            let text = try OpenSSL.expectSuccess(["crl", "-in", path, "-noout", "-text"])
            return Set(text.split(separator: "\n").compactMap { line -> String? in
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                guard trimmed.hasPrefix("Serial Number:") else { return nil }
                return CAIndex.normalizedSerial(String(trimmed.dropFirst("Serial Number:".count)).trimmingCharacters(in: .whitespaces))
            })
        }
    }
}
