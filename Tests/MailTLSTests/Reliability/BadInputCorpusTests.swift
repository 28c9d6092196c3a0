import Foundation
import Testing
@testable import MailTLS

/// One file of the generated bad-input corpus (`scripts/make-bad-inputs`, listed in
/// `Fixtures/bad-inputs/MANIFEST.tsv`) and the roles in which every command must refuse it.
struct CorpusFile: Sendable, CustomTestStringConvertible {
    var name: String
    var klass: String
    /// nil: refused in every role.
    var roles: Set<String>?

    var path: String { Fixtures.path("bad-inputs/" + name) }
    var testDescription: String { name }
    func isBad(as role: String) -> Bool { roles?.contains(role) ?? true }

    static let all: [CorpusFile] = {
        let text = (try? String(contentsOfFile: Fixtures.path("bad-inputs/MANIFEST.tsv"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { line in
            let fields = line.split(separator: "\t").map(String.init)
            guard fields.count == 3 else { return nil }
            return CorpusFile(name: fields[0], klass: fields[1],
                              roles: fields[2] == "*" ? nil : Set(fields[2].split(separator: ",").map(String.init)))
        }
    }()
}

/// A command that reads a file, and how to put a (bad) file in its way.
struct FileReader: Sendable, CustomTestStringConvertible {
    /// What the file must be for this command: material, cert, csr, key, mbox, config.
    var role: String
    var testDescription: String
    /// Sets up `dir` with `bytes` (or, with `special`, the path of a special file) where the
    /// command reads it; returns the arguments and the name the error line must mention.
    var prepare: @Sendable (_ dir: TempDirectory, _ badPath: String) throws -> (arguments: [String], mention: String)

    /// Copies `source` (a path) to `name` in `dir` (or links to it when it is not a regular file,
    /// so FIFOs, /dev/zero, directories and loops stay what they are).
    static func place(_ source: String, as name: String, in dir: TempDirectory) throws {
        var info = stat()
        if lstat(source, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG {
            try FileManager.default.copyItem(atPath: source, toPath: dir.file(name))
        } else {
            try FileManager.default.createSymbolicLink(atPath: dir.file(name), withDestinationPath: source)
        }
    }

    static let material = CLIMaterial.shared

    /// A CA made once and copied into each test directory.
    static let caTemplate: String = {
        let dir = NSTemporaryDirectory() + "mailtls-corpus-ca-\(getpid())"
        if !FileManager.default.fileExists(atPath: dir + "/ca") {
            try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let layout = CALayout(directory: dir + "/ca")
            _ = try? CAInit.run(layout, options: .init(subject: try! SubjectParser.parse("/CN=Corpus CA"),
                                                       key: KeyOptions(algorithm: .ecdsaP256)))
        }
        return dir + "/ca"
    }()

    static func withCA(_ dir: TempDirectory) throws {
        try FileManager.default.copyItem(atPath: caTemplate, toPath: dir.file("ca"))
        // CAInit (in this process) leaves its lock file; a command run may remove it.
        unlink(dir.file("ca/.mailtls.lock"))
    }

    static let all: [FileReader] = [
        FileReader(role: "material", testDescription: "show FILE") { dir, bad in
            try place(bad, as: "in.pem", in: dir); return (["show", "in.pem"], "in.pem")
        },
        FileReader(role: "material", testDescription: "fingerprint FILE") { dir, bad in
            try place(bad, as: "in.pem", in: dir); return (["fingerprint", "in.pem"], "in.pem")
        },
        FileReader(role: "material", testDescription: "show --dir (host.cert)") { dir, bad in
            try place(bad, as: "host.cert", in: dir); return (["show", "--dir", "."], "host.cert")
        },
        FileReader(role: "material", testDescription: "tlsa FILE") { dir, bad in
            try place(bad, as: "in.pem", in: dir); return (["tlsa", "in.pem", "--host", "mail.example.org"], "in.pem")
        },
        FileReader(role: "cert", testDescription: "hash FILE") { dir, bad in
            try place(bad, as: "in.pem", in: dir); return (["hash", "in.pem"], "in.pem")
        },
        FileReader(role: "cert", testDescription: "bundle check FILE") { dir, bad in
            try place(bad, as: "in.pem", in: dir); return (["bundle", "check", "in.pem"], "in.pem")
        },
        FileReader(role: "cert", testDescription: "bundle split FILE") { dir, bad in
            try place(bad, as: "in.pem", in: dir)
            try FileManager.default.createDirectory(atPath: dir.file("CA"), withIntermediateDirectories: false)
            return (["bundle", "split", "in.pem", "--into", "CA"], "in.pem")
        },
        FileReader(role: "cert", testDescription: "bundle add FILE") { dir, bad in
            try place(bad, as: "in.pem", in: dir)
            try FileManager.default.createDirectory(atPath: dir.file("CA"), withIntermediateDirectories: false)
            return (["bundle", "add", "in.pem", "--to", "CA"], "in.pem")
        },
        FileReader(role: "cert", testDescription: "promote (new.cert)") { dir, bad in
            try dir.write("host.key", material.key)
            try dir.write("host.cert", material.certificate)
            try dir.write("new.key", material.key)
            try place(bad, as: "new.cert", in: dir)
            return (["promote"], "new.cert")
        },
        FileReader(role: "cert", testDescription: "ca revoke FILE") { dir, bad in
            try withCA(dir)
            try place(bad, as: "in.pem", in: dir)
            return (["ca", "revoke", "in.pem", "--dir", "ca"], "in.pem")
        },
        FileReader(role: "csr", testDescription: "self --csr FILE") { dir, bad in
            try dir.write("host.key", material.key)
            try place(bad, as: "in.csr", in: dir)
            return (["self", "--csr", "in.csr", "--batch"], "in.csr")
        },
        FileReader(role: "csr", testDescription: "ca sign FILE") { dir, bad in
            try withCA(dir)
            try place(bad, as: "in.csr", in: dir)
            return (["ca", "sign", "in.csr", "--dir", "ca", "--yes", "--out", "out.cert"], "in.csr")
        },
        FileReader(role: "key", testDescription: "csr (existing host.key)") { dir, bad in
            try place(bad, as: "host.key", in: dir)
            return (["csr", "--subject", "/CN=mail.example.org", "--batch"], "host.key")
        },
        FileReader(role: "key", testDescription: "self (existing host.key)") { dir, bad in
            try place(bad, as: "host.key", in: dir)
            return (["self", "--subject", "/CN=mail.example.org", "--batch"], "host.key")
        },
        FileReader(role: "key", testDescription: "promote (new.key)") { dir, bad in
            try dir.write("host.key", material.key)
            try dir.write("host.cert", material.certificate)
            try dir.write("new.cert", material.certificate)
            try place(bad, as: "new.key", in: dir)
            return (["promote"], "new.key")
        },
        FileReader(role: "mbox", testDescription: "headers FILE") { dir, bad in
            try place(bad, as: "in.eml", in: dir); return (["headers", "in.eml"], "in.eml")
        },
        FileReader(role: "config", testDescription: "check --config FILE") { dir, bad in
            try place(bad, as: "mta.conf", in: dir); return (["check", "--config", "mta.conf"], "mta.conf")
        },
    ]
}

/// The suites of issue 8 (fuzz regressions, bad-input corpus, kill loops, concurrency), under one
/// name so `swift test --filter Reliability` runs them all.
@Suite("Reliability") enum Reliability {}

extension Reliability {
    /// Every file-reading command over every file of the bad-input corpus, and over the special
    /// files that are made at test time (huge, FIFO, /dev/zero, directory, symlink loop,
    /// unreadable): exit 1, one `mailtls: ` line naming the file, no crash or stack trace, nothing
    /// changed on disk, and less than 10 s each.
    @Suite("Reliability: bad-input corpus through every reading command")
    struct BadInputCorpusTests {
        /// The lock file a refused run may leave (it is not a changed file).
        static let ignored: Set<String> = [".mailtls.lock", "ca/.mailtls.lock", "CA/.mailtls.lock"]

        /// `asNobody`: the command runs as user nobody, owner of the test directory (root reads
        /// a mode-000 file anyway, so the unreadable case means something only for another user).
        /// `saying`: words the error line must hold (why the file was refused).
        static func expectRefused(_ reader: FileReader, bad: String, label: String, asNobody: Bool = false, saying: String? = nil,
                                  sourceLocation: SourceLocation = #_sourceLocation) throws {
            let dir = TempDirectory("corpus")
            let (arguments, mention) = try reader.prepare(dir, bad)
            if asNobody { Nobody.own(dir.path) }
            let start = Date()
            let result = try expectFailureChangesNothing(arguments, in: dir, mentions: [mention], ignoring: ignored, asNobody: asNobody,
                                                         sourceLocation: sourceLocation)
            let seconds = Date().timeIntervalSince(start)
            if let saying {
                #expect(result.stderr.contains(saying), "\(reader.testDescription) on \(label): \(result.transcript)",
                        sourceLocation: sourceLocation)
            }
            #expect(seconds < 10, "\(reader.testDescription) on \(label) took \(seconds) s", sourceLocation: sourceLocation)
            for marker in ["Fatal error", "Stack dump", "Current stack trace", "#0 0x", "SIGSEGV", "Illegal instruction"] {
                #expect(!result.stderr.contains(marker), "\(reader.testDescription) on \(label) crashed:\n\(result.transcript)",
                        sourceLocation: sourceLocation)
            }
        }

        @Test("the corpus was generated and lists its files")
        func corpusPresent() {
            #expect(CorpusFile.all.count >= 60)
            for file in CorpusFile.all {
                #expect(FileManager.default.fileExists(atPath: file.path), "\(file.name) is in MANIFEST.tsv but not on disk")
            }
            let classes = Set(CorpusFile.all.map(\.klass))
            #expect(classes.isSuperset(of: ["empty", "truncated", "garbage", "wrong-label", "wrong-content", "der-for-pem", "pem-for-der"]))
        }

        @Test("every corpus file is refused", arguments: FileReader.all)
        func corpus(_ reader: FileReader) throws {
            var checked = 0
            for file in CorpusFile.all where file.isBad(as: reader.role) {
                try Self.expectRefused(reader, bad: file.path, label: file.name)
                checked += 1
            }
            #expect(checked > 0)
        }

        enum Special: String, CaseIterable, Sendable {
            case huge100MB = "100 MB file"
            case devZero = "/dev/zero"
            case fifo = "FIFO"
            case directory = "directory"
            case symlinkLoop = "symlink loop"
            case unreadable = "unreadable file"
        }

        /// Makes the special file in `scratch` and returns its path.
        static func make(_ special: Special, in scratch: TempDirectory) throws -> String {
            switch special {
            case .huge100MB:
                // Sparse: 100 MB that cost no disk. The readers cap files at 64 MiB.
                let fd = open(scratch.file("huge.pem"), O_CREAT | O_WRONLY, 0o644)
                defer { close(fd) }
                #expect(ftruncate(fd, 100 * 1024 * 1024) == 0)
                return scratch.file("huge.pem")
            case .devZero:
                return "/dev/zero"
            case .fifo:
                #expect(mkfifo(scratch.file("fifo.pem"), 0o644) == 0)
                return scratch.file("fifo.pem")
            case .directory:
                try FileManager.default.createDirectory(atPath: scratch.file("dir.pem"), withIntermediateDirectories: false)
                return scratch.file("dir.pem")
            case .symlinkLoop:
                try FileManager.default.createSymbolicLink(atPath: scratch.file("loop-a.pem"), withDestinationPath: scratch.file("loop-b.pem"))
                try FileManager.default.createSymbolicLink(atPath: scratch.file("loop-b.pem"), withDestinationPath: scratch.file("loop-a.pem"))
                return scratch.file("loop-a.pem")
            case .unreadable:
                try scratch.write("unreadable.pem", CLIMaterial.shared.certificate)
                chmod(scratch.file("unreadable.pem"), 0)
                return scratch.file("unreadable.pem")
            }
        }

        @Test("huge, FIFO, /dev/zero, directory, symlink loop and unreadable files are refused quickly",
              arguments: FileReader.all)
        func specialFiles(_ reader: FileReader) throws {
            for special in Special.allCases {
                // root reads a mode-000 file anyway: as root (CI), that case runs as user nobody.
                let asNobody = special == .unreadable && geteuid() == 0
                if asNobody && !Nobody.canSwitch {
                    Issue.record("the unreadable-file case needs \(Nobody.setpriv) to run as user nobody")
                    continue
                }
                let scratch = TempDirectory("corpus-special")
                let path = try Self.make(special, in: scratch)
                // The error says why, except for check --config, which refuses mta.conf by its
                // name (no .mc, .cf or main.cf) before it opens it.
                let saying = special == .unreadable && reader.role != "config" ? "Permission denied" : nil
                try Self.expectRefused(reader, bad: path, label: special.rawValue, asNobody: asNobody, saying: saying)
            }
        }

        @Test("rehash of a directory holding a FIFO, a loop and a huge file neither hangs nor follows them")
        func rehashSpecialEntries() throws {
            let dir = TempDirectory("corpus-rehash")
            try dir.write("good.pem", CLIMaterial.shared.certificate)
            for special in [Special.fifo, .symlinkLoop, .huge100MB] { _ = try Self.make(special, in: dir) }
            let start = Date()
            let result = try MailTLSBinary.run(["rehash", "."], in: dir.path)
            #expect(Date().timeIntervalSince(start) < 10)
            // The huge file and the loop are errors (exit 1, each named); the FIFO is not a regular
            // file and is passed over.
            #expect(result.status == 1, "\(result.transcript)")
            #expect(result.stderr.contains("huge.pem") && result.stderr.contains("loop-a.pem"), "\(result.transcript)")
            #expect(!result.stderr.contains("Fatal error"), "\(result.transcript)")
            #expect(dir.listing().contains { $0.hasSuffix(".0") }, "the good certificate still gets its link: \(dir.listing())")
        }
    }
}
