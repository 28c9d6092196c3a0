import Foundation
import Testing
@testable import MailTLS

/// `mta-sts policy`'s file and record, `change`'s steps and `check`'s judgement, without the network.
@Suite("MTA-STS publication")
struct STSPublicationTests {
    static let policy = STSPolicy(mode: .testing, maxAge: 604_800, mx: ["mx1.example.org", "*.mx.example.org"])

    @Test("the file is CRLF lines in RFC 8461 order, parses back to the same policy, and its id is its SHA-256 as openssl computes it")
    func fileAndID() throws {
        let publication = STSPublication(domain: "example.org.", policy: Self.policy)
        let text = "version: STSv1\r\nmode: testing\r\nmx: mx1.example.org\r\nmx: *.mx.example.org\r\nmax_age: 604800\r\n"
        #expect(publication.bytes == Array(text.utf8))
        #expect(STSPolicyParser.read(publication.bytes, source: "f").policy == Self.policy)
        #expect(STSPolicyParser.read(publication.bytes, source: "f").findings.isEmpty)

        let dir = TempDirectory()
        try dir.write("mta-sts.txt", text)
        let digest = try OpenSSL.run(["dgst", "-sha256", "-r", "mta-sts.txt"], in: dir.path)
        #expect(publication.id == String(digest.stdout.prefix(32)))
        #expect(STSPublication.isContentID(publication.id))

        var other = Self.policy
        other.maxAge = 604_801
        #expect(STSPublication(domain: "example.org", policy: other).id != publication.id)
        #expect(STSPublication(domain: "example.net", policy: Self.policy).id == publication.id, "the id depends on the bytes only")
    }

    @Test("the printed TXT record parses back with STSRecord and names the right owner and policy host")
    func record() throws {
        let publication = STSPublication(domain: "Example.org.", policy: Self.policy)
        #expect(publication.recordLine() == "_mta-sts.Example.org. 3600 IN TXT \"v=STSv1; id=\(publication.id)\"")
        let reading = STSRecord.read([[publication.recordText]], name: publication.recordName)
        #expect(reading.record?.id == publication.id)
        #expect(reading.findings.isEmpty)
        #expect(publication.url == "https://mta-sts.example.org/.well-known/mta-sts.txt")
    }

    @Test("the file: written once, unchanged when equal, a different one replaced only with force (and kept)")
    func fileWrites() throws {
        let dir = TempDirectory()
        let path = dir.file("mta-sts.txt")
        let first = STSPublication(domain: "example.org", policy: Self.policy)
        #expect(try STSPolicyFile.write(first, to: path, force: false) == .written)
        #expect(try STSPolicyFile.write(first, to: path, force: false) == .unchanged)
        var changed = Self.policy
        changed.mode = .enforce
        let second = STSPublication(domain: "example.org", policy: changed)
        #expect(throws: MailTLSError.self) { try STSPolicyFile.write(second, to: path, force: false) }
        #expect(try FileReading.bytes(of: path) == first.bytes)
        guard case .replaced(let backup?) = try STSPolicyFile.write(second, to: path, force: true) else {
            Issue.record("no backup kept")
            return
        }
        #expect(try FileReading.bytes(of: backup) == first.bytes)
        #expect(try STSPolicyFile.read(path).id == second.id)
        expectNoTempFiles(dir.path)

        let invalid = STSPublication(domain: "example.org", policy: STSPolicy(mode: .enforce, maxAge: 604_800, mx: []))
        #expect(throws: MailTLSError.self) { try STSPolicyFile.write(invalid, to: dir.file("empty.txt"), force: false) }
        #expect(!FileReading.exists(dir.file("empty.txt")))
    }

    @Test("mx patterns against the MX hosts: *. covers exactly one label; uncovered is an error under enforce, a warning under testing")
    func coverage() {
        let policy = STSPolicy(mode: .enforce, maxAge: 604_800, mx: ["*.example.org", "old.example.net"])
        #expect(STSMXCoverage.uncovered(policy, mxHosts: ["mx1.example.org.", "a.b.example.org", "example.org"]) == ["a.b.example.org", "example.org"])
        let enforce = STSMXCoverage.findings(policy, mxHosts: ["mx1.example.org", "mx.example.com"], domain: "example.org", subject: "f")
        #expect(enforce.filter { $0.severity == .error }.map(\.message).allSatisfy { $0.contains("mx.example.com") })
        #expect(enforce.filter { $0.severity == .error }.count == 1)
        #expect(enforce.contains { $0.severity == .warning && $0.message.hasPrefix("mx old.example.net covers none") })
        var testing = policy
        testing.mode = .testing
        #expect(ExitStatus.of(STSMXCoverage.findings(testing, mxHosts: ["mx.example.com"], domain: "example.org", subject: "f")) == 3)
        #expect(ExitStatus.of(STSMXCoverage.findings(policy, mxHosts: ["mx1.example.org", "old.example.net"], domain: "example.org", subject: "f")) == 0)
    }

    @Test("policy defaults: testing, one week, the MX hosts; given patterns checked; a failed lookup needs --mx")
    func draft() throws {
        let (made, remarks) = try STSPolicyDraft.make(domain: "example.org", patterns: [], mode: STSPolicyDraft.defaultMode,
                                                      maxAge: STSPolicyDraft.defaultMaxAge, mxHosts: .success(["mx1.example.org.", "mx2.example.org"]))
        #expect(made.policy == STSPolicy(mode: .testing, maxAge: 604_800, mx: ["mx1.example.org", "mx2.example.org"]))
        #expect(remarks.isEmpty)
        let (_, uncovered) = try STSPolicyDraft.make(domain: "example.org", patterns: ["mx1.example.org"], mode: .enforce, maxAge: 604_800,
                                                     mxHosts: .success(["mx1.example.org", "mx2.example.org"]))
        #expect(uncovered.map(\.message).contains { $0.contains("mx2.example.org is covered by no mx pattern") })
        let failure = MailTLSError("127.0.0.1", "no answer")
        #expect(throws: MailTLSError.self) {
            try STSPolicyDraft.make(domain: "example.org", patterns: [], mode: .testing, maxAge: 604_800, mxHosts: .failure(failure))
        }
        let (_, unchecked) = try STSPolicyDraft.make(domain: "example.org", patterns: ["mx.example.org"], mode: .testing, maxAge: 604_800, mxHosts: .failure(failure))
        #expect(unchecked.count == 1 && unchecked[0].severity == .warning)
        #expect(throws: MailTLSError.self) {
            try STSPolicyDraft.make(domain: "example.org", patterns: ["mx.example.org"], mode: .testing, maxAge: 31_557_601, mxHosts: .success([]))
        }
        #expect(throws: MailTLSError.self) {
            try STSPolicyDraft.make(domain: "example.org", patterns: ["mx..example.org"], mode: .testing, maxAge: 604_800, mxHosts: .success([]))
        }
    }

    /// Contents of a policy file as if written at `modified`.
    static func contents(_ policy: STSPolicy, modified: Date) -> STSPolicyFile.Contents {
        let bytes = STSPublication(domain: "example.org", policy: policy).bytes
        return STSPolicyFile.Contents(path: "mta-sts.txt", bytes: bytes, reading: STSPolicyParser.read(bytes, source: "mta-sts.txt"), modified: modified)
    }

    @Test("an MX change: widen (old ∪ new), wait the old max_age, move the MX records, then narrow")
    func mxChange() throws {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let old = STSPolicy(mode: .enforce, maxAge: 86_400 * 7, mx: ["mx1.example.org"])
        func step(_ policy: STSPolicy, modified: Date, now: Date, mx: [String]?) throws -> STSChange.Step {
            try STSChange.next(.init(domain: "example.org", current: Self.contents(policy, modified: modified),
                                     add: ["mx2.example.org"], remove: ["mx1.example.org"], mxHosts: mx, now: now))
        }
        let widened = STSPolicy(mode: .enforce, maxAge: 86_400 * 7, mx: ["mx1.example.org", "mx2.example.org"])
        #expect(try step(old, modified: start.addingTimeInterval(-86_400 * 30), now: start, mx: ["mx1.example.org"])
                == .widen(STSPublication(domain: "example.org", policy: widened), waitUntil: start.addingTimeInterval(86_400 * 7)))
        let day3 = start.addingTimeInterval(86_400 * 3)
        #expect(try step(widened, modified: start, now: day3, mx: ["mx1.example.org"]) == .waiting(until: start.addingTimeInterval(86_400 * 7)))
        let day8 = start.addingTimeInterval(86_400 * 8)
        #expect(try step(widened, modified: start, now: day8, mx: ["mx1.example.org"]) == .moveMX(add: ["mx2.example.org"], remove: ["mx1.example.org"]))
        let narrowed = STSPolicy(mode: .enforce, maxAge: 86_400 * 7, mx: ["mx2.example.org"])
        #expect(try step(widened, modified: start, now: day8, mx: ["mx2.example.org"]) == .narrow(STSPublication(domain: "example.org", policy: narrowed)))
        #expect(try step(narrowed, modified: day8, now: day8, mx: ["mx2.example.org"]) == .nothing)
        #expect(throws: MailTLSError.self) { try step(widened, modified: start, now: day8, mx: nil) }
    }

    @Test("testing → enforce is one step, refused while an MX host is uncovered")
    func modeChange() throws {
        let testing = STSPolicy(mode: .testing, maxAge: 604_800, mx: ["mx1.example.org"])
        func step(mx: [String]?) throws -> STSChange.Step {
            try STSChange.next(.init(domain: "example.org", current: Self.contents(testing, modified: Date()), mode: .enforce, mxHosts: mx))
        }
        var enforce = testing
        enforce.mode = .enforce
        #expect(try step(mx: ["mx1.example.org"]) == .mode(STSPublication(domain: "example.org", policy: enforce)))
        #expect(throws: MailTLSError.self) { try step(mx: ["mx1.example.org", "mx9.example.org"]) }
    }

    @Test("check's judgement: a stale content id, a date id, a file not yet published, an id bumped before the upload")
    func comparison() {
        let served = STSPublication(domain: "example.org", policy: Self.policy)
        var edited = Self.policy
        edited.mx.append("mx3.example.org")
        let file = Self.contents(edited, modified: Date())
        let url = served.url
        func findings(id: String, file: STSPolicyFile.Contents? = nil) -> [Finding] {
            STSPublicationComparison.findings(.init(domain: "example.org", id: id, url: url, served: served.bytes), file: file)
        }
        #expect(ExitStatus.of(findings(id: served.id)) == 0)
        let stale = findings(id: STSPublication.id(of: Array("old".utf8)))
        #expect(stale.contains { $0.severity == .error && $0.message.contains("is stale") && $0.fix?.contains("id=\(served.id)") == true })
        #expect(ExitStatus.of(findings(id: "20260101")) == 3)
        let unpublished = findings(id: served.id, file: file)
        #expect(unpublished.contains { $0.severity == .warning && $0.subject == "mta-sts.txt" && $0.fix?.contains("id=\(file.id)") == true })
        let early = findings(id: file.id, file: file)
        #expect(early.contains { $0.severity == .error && $0.message.contains("already announces the file's id") })
        #expect(ExitStatus.of(findings(id: served.id, file: Self.contents(Self.policy, modified: Date()))) == 0)

        #expect(STSPublicationComparison.maxAgeFindings(STSPolicy(mode: .enforce, maxAge: 86_400, mx: ["a.b"]), subject: "f").count == 1)
        #expect(STSPublicationComparison.maxAgeFindings(STSPolicy(mode: .testing, maxAge: 86_400, mx: ["a.b"]), subject: "f").isEmpty)
        let now = Date()
        #expect(STSPublicationComparison.certificateFindings(host: "h", notValidAfter: now.addingTimeInterval(86_400 * 10), now: now)[0].severity == .warning)
        #expect(STSPublicationComparison.certificateFindings(host: "h", notValidAfter: now.addingTimeInterval(86_400 * 60), now: now)[0].severity == .ok)
    }

    @Test("usage errors exit 2 with one line, before any lookup or write")
    func usageErrors() throws {
        let dir = TempDirectory()
        for arguments in [["mta-sts", "change", "--domain", "example.org"],
                          ["mta-sts", "policy", "--domain", "example.org", "--max-age", "31557601"],
                          ["mta-sts", "policy", "--domain", "example.org", "--mx", "mx..example.org"],
                          ["mta-sts", "change", "--domain", "example.org", "--add-mx", "bad_name.example.org"]] {
            let result = try MailTLSBinary.run(arguments, in: dir.path)
            #expect(result.status == 2, "\(arguments): \(result.status) \(result.stderr)")
            #expect(result.stderr.hasPrefix("mailtls: ") && result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
        }
        #expect(DirectoryState.of(dir.path).names.isEmpty)
    }
}
