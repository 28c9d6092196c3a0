import Foundation
import Testing
@testable import MailTLS

/// Where `openssl rehash` is rough, `rehash` is careful: it never overwrites or removes
/// what it did not make, removes every stale link, leaves right links alone, writes
/// nothing when nothing changes, and says what is wrong with files it cannot use.
@Suite struct RehashSafetyTests {
    let c01Hash = "5e24647f"   // c01...c05 share it
    let c06Hash = "7387e3f4"

    func directory(with fixtures: [String]) throws -> TempDirectory {
        let dir = TempDirectory("rehash-safety")
        try TrustFixtures.copy(fixtures.map { Fixtures.path("subject-hash/tricky/\($0).pem") }, into: dir)
        return dir
    }

    @Test func rerunOverUnchangedDirectoryWritesNothing() throws {
        let dir = try directory(with: ["c01", "c02", "c06"])
        let first = try Rehash.run(dir.path, options: TrustFixtures.options, dryRun: false)
        #expect(first.applied && first.plan.count(.create) == 3)
        #expect(dir.exists(".mailtls-rehash.cache"))
        let before = dir.listing().map { TrustFixtures.identity(dir.file($0)) }
        let dirBefore = TrustFixtures.identity(dir.path)
        let second = try Rehash.run(dir.path, options: TrustFixtures.options, dryRun: false)
        #expect(!second.applied && second.plan.changes.isEmpty && second.plan.count(.keep) == 3)
        #expect(dir.listing().map { TrustFixtures.identity(dir.file($0)) } == before)
        #expect(TrustFixtures.identity(dir.path) == dirBefore)
    }

    @Test func directoryRehashedByOpenSSLIsLeftUntouchedWithoutALockFile() throws {
        let dir = try directory(with: ["c01", "c02", "c06", "c07"])
        try OpenSSL.run(["rehash", dir.path])
        let dirBefore = TrustFixtures.identity(dir.path)
        let outcome = try Rehash.run(dir.path, options: TrustFixtures.options, dryRun: false)
        #expect(!outcome.applied)
        #expect(!dir.exists(".mailtls.lock") && !dir.exists(".mailtls-rehash.cache"))
        #expect(TrustFixtures.identity(dir.path) == dirBefore)
    }

    @Test func correctLinksKeepTheirInodesWhenOthersChange() throws {
        let dir = try directory(with: ["c01", "c06"])
        _ = try Rehash.run(dir.path, options: TrustFixtures.options, dryRun: false)
        let kept = TrustFixtures.identity(dir.file("\(c06Hash).0"))
        try FileManager.default.copyItem(atPath: Fixtures.path("subject-hash/tricky/c02.pem"), toPath: dir.file("c02.pem"))
        let outcome = try Rehash.run(dir.path, options: TrustFixtures.options, dryRun: false)
        #expect(outcome.plan.changes == [RehashPlan.Link(action: .create, name: "\(c01Hash).1", target: "c02.pem")])
        #expect(TrustFixtures.identity(dir.file("\(c06Hash).0")) == kept)
    }

    @Test func everyStaleLinkGoesAndTheNumberingClosesUp() throws {
        let dir = try directory(with: ["c01", "c02", "c06"])
        // A link to a removed file, a second link to c01, and c06's link under c01's hash.
        symlink("gone.pem", dir.file("\(c01Hash).0"))
        symlink("c01.pem", dir.file("\(c01Hash).1"))
        symlink("c01.pem", dir.file("\(c01Hash).2"))
        symlink("c06.pem", dir.file("\(c01Hash).3"))
        symlink("gone.pem", dir.file("deadbeef.r0"))
        _ = try Rehash.run(dir.path, options: TrustFixtures.options, dryRun: false)
        #expect(TrustFixtures.links(dir.path) == ["\(c01Hash).0": "c02.pem", "\(c01Hash).1": "c01.pem", "\(c06Hash).0": "c06.pem"])
    }

    @Test func regularFileWhereALinkGoesIsNeverOverwritten() throws {
        let dir = try directory(with: ["c01", "c06"])
        try dir.write("\(c01Hash).0", "an admin's notes, not a link\n")
        let outcome = try Rehash.run(dir.path, options: TrustFixtures.options, dryRun: false)
        #expect(try dir.read("\(c01Hash).0") == "an admin's notes, not a link\n")
        #expect(TrustFixtures.links(dir.path)["\(c01Hash).1"] == "c01.pem")
        #expect(outcome.findings.contains { $0.severity == .warning && ($0.subject ?? "").hasSuffix("\(c01Hash).0") })
        // openssl rehash, for contrast, replaces the file with its link.
        let theirs = try directory(with: ["c01"])
        try theirs.write("\(c01Hash).0", "notes\n")
        try OpenSSL.run(["rehash", theirs.path])
        #expect(TrustFixtures.links(theirs.path)["\(c01Hash).0"] == "c01.pem")
    }

    @Test func foreignSymlinksAreLeftAlone() throws {
        let dir = try directory(with: ["c01", "c06"])
        let outside = Fixtures.path("subject-hash/tricky/c02.pem")
        symlink(outside, dir.file("\(c01Hash).0"))          // hash-named, pointing outside
        symlink("/etc/hostname", dir.file("notes"))          // not hash-named at all
        symlink("../elsewhere/x.pem", dir.file("\(c06Hash).1"))
        _ = try Rehash.run(dir.path, options: TrustFixtures.options, dryRun: false)
        let links = TrustFixtures.links(dir.path)
        #expect(links["\(c01Hash).0"] == outside)
        #expect(links["notes"] == "/etc/hostname")
        #expect(links["\(c06Hash).1"] == "../elsewhere/x.pem")
        #expect(links["\(c01Hash).1"] == "c01.pem")
        #expect(links["\(c06Hash).0"] == "c06.pem")
    }

    @Test func bundleGarbageAndEmptyFilesAreErrorsAndOthersStillLinked() throws {
        let dir = try directory(with: ["c06"])
        try dir.write("bundle.pem", try TrustFixtures.text("subject-hash/tricky/c01.pem") + TrustFixtures.text("subject-hash/tricky/c07.pem"))
        try dir.write("garbage.crt", "this is not a certificate\n")
        try dir.write("empty.pem", "")
        try dir.write("request.pem", "-----BEGIN CERTIFICATE REQUEST-----\nMAA=\n-----END CERTIFICATE REQUEST-----\n")
        let before = try ["bundle.pem", "garbage.crt", "empty.pem"].map { try dir.bytes($0) }
        let outcome = try Rehash.run(dir.path, options: TrustFixtures.options, dryRun: false)
        #expect(TrustFixtures.links(dir.path) == ["\(c06Hash).0": "c06.pem"])
        let errors = outcome.findings.filter { $0.severity == .error }
        #expect(errors.contains { ($0.subject ?? "").hasSuffix("bundle.pem") && $0.message.contains("2 certificates") && ($0.fix ?? "").contains("mailtls bundle split") })
        #expect(errors.contains { ($0.subject ?? "").hasSuffix("garbage.crt") })
        #expect(errors.contains { ($0.subject ?? "").hasSuffix("empty.pem") })
        #expect(errors.contains { ($0.subject ?? "").hasSuffix("request.pem") && $0.message.contains("no certificate") })
        #expect(try ["bundle.pem", "garbage.crt", "empty.pem"].map { try dir.bytes($0) } == before)
        #expect(ExitStatus.of(outcome.findings) == 1)
    }

    @Test func derCertificatesAreLinkedToo() throws {
        let dir = TempDirectory("rehash-der")
        try OpenSSL.expectSuccess(["x509", "-in", Fixtures.path("subject-hash/tricky/c06.pem"), "-outform", "DER", "-out", dir.file("c06.cer")])
        _ = try Rehash.run(dir.path, options: TrustFixtures.options, dryRun: false)
        #expect(TrustFixtures.links(dir.path) == ["\(c06Hash).0": "c06.cer"])
    }

    @Test func dryRunPlansAndWritesNothing() throws {
        let dir = try directory(with: ["c01", "c06"])
        let before = dir.snapshot()
        let outcome = try Rehash.run(dir.path, options: TrustFixtures.options, dryRun: true)
        #expect(!outcome.applied && outcome.plan.count(.create) == 2)
        #expect(dir.snapshot() == before)
    }

    @Test func aSecondRunWaitsForNoOneAndSaysSo() throws {
        let dir = try directory(with: ["c01"])
        let lock = try DirectoryLock(dir.path)
        let result = try MailTLSBinary.run(["rehash", dir.path])
        lock.release()
        #expect(result.status == 1)
        #expect(result.stderr.contains("another mailtls run"))
        #expect(TrustFixtures.links(dir.path).isEmpty)
    }

    @Test(.enabled(if: TrustFixtures.canSwitchUser))
    func unreadableFileIsAnErrorAndTheRestIsLinked() throws {
        let dir = try directory(with: ["c01", "c06"])
        chown(dir.path, 65534, 65534)
        chmod(dir.file("c01.pem"), 0o000)
        let result = try TrustFixtures.runAsNobody(["rehash", dir.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("c01.pem: cannot open it: Permission denied"))
        #expect(TrustFixtures.links(dir.path) == ["\(c06Hash).0": "c06.pem"])
    }

    @Test(.enabled(if: TrustFixtures.canSwitchUser))
    func readOnlyDirectoryFailsCleanlyAndDryRunStillWorks() throws {
        let dir = try directory(with: ["c01", "c06"])
        chmod(dir.path, 0o755)   // readable by nobody, writable only by root
        let before = dir.snapshot()
        let result = try TrustFixtures.runAsNobody(["rehash", dir.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("Permission denied"))
        #expect(dir.snapshot() == before)
        let dry = try TrustFixtures.runAsNobody(["rehash", "--dry-run", dir.path])
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("+ \(c06Hash).0 -> c06.pem"))
        #expect(dir.snapshot() == before)
    }

    @Test func directoryComesFromArgumentsThenSSLCertDirThenDotCA() throws {
        let work = TempDirectory("rehash-default-dir")
        let ca = work.file("CA"), other = work.file("other")
        mkdir(ca, 0o755)
        mkdir(other, 0o755)
        try FileManager.default.copyItem(atPath: Fixtures.path("subject-hash/tricky/c06.pem"), toPath: other + "/c06.pem")
        try FileManager.default.copyItem(atPath: Fixtures.path("subject-hash/tricky/c07.pem"), toPath: ca + "/c07.pem")
        let fromEnv = try run(MailTLSBinary.path, ["rehash"], in: work.path, environment: ["SSL_CERT_DIR": other])
        #expect(fromEnv.status == 0 && TrustFixtures.links(other) == ["\(c06Hash).0": "c06.pem"])
        #expect(TrustFixtures.links(ca).isEmpty)
        let fromCA = try run(MailTLSBinary.path, ["rehash"], in: work.path, environment: [:])
        #expect(fromCA.status == 0 && TrustFixtures.links(ca) == ["3330b0d8.0": "c07.pem"])
        let none = try run(MailTLSBinary.path, ["rehash"], in: other, environment: [:])
        #expect(none.status == 1 && none.stderr.contains("no CA directory given"))
        #expect(try MailTLSBinary.run(["rehash", "--old", "--compat", ca]).status == 2)
    }

    @Test func cliReportsJSONAndExitStatus() throws {
        let dir = try directory(with: ["c06"])
        let result = try MailTLSBinary.run(["rehash", "--json", dir.path])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [[String: Any]]
        #expect(json.first?["created"] as? Int == 1)
        #expect(json.first?["certificates"] as? Int == 1)
        let links = json.first?["links"] as? [[String: Any]]
        #expect(links?.first?["name"] as? String == "\(c06Hash).0")
        #expect(links?.first?["action"] as? String == "create")
        let again = try MailTLSBinary.run(["rehash", dir.path])
        #expect(again.status == 0)
        #expect(again.stdout == "\(dir.path): 1 certificate; made 0 links, kept 1\n")
    }
}

/// The cache that lets an unchanged directory be rehashed without reading a certificate.
@Suite struct RehashCacheTests {
    @Test func cacheCoversEveryFileAndACutCacheIsIgnoredWhole() throws {
        let dir = TempDirectory("rehash-cache")
        try TrustFixtures.copy(Array(TrustFixtures.tricky.prefix(6)), into: dir)
        _ = try Rehash.run(dir.path, options: TrustFixtures.options, dryRun: false)
        let cache = RehashCache.load(directory: dir.path)
        #expect(cache.entries.count == 6)
        let text = try dir.read(RehashCache.fileName)
        #expect(text.hasSuffix("end 6\n"))
        // A write cut short: no end line, so nothing of it is trusted.
        try dir.write(RehashCache.fileName, String(text.prefix(text.count / 2)))
        #expect(RehashCache.load(directory: dir.path).entries.isEmpty)
        // A file changed in place gets a new identity and is read again.
        let links = TrustFixtures.links(dir.path)
        try dir.write("c06.pem", try TrustFixtures.text("subject-hash/tricky/c07.pem"))
        let outcome = try Rehash.run(dir.path, options: TrustFixtures.options, dryRun: false)
        #expect(outcome.plan.changes.map(\.name).sorted() == ["3330b0d8.0", "7387e3f4.0"])
        #expect(TrustFixtures.links(dir.path)["3330b0d8.0"] == "c06.pem" && links["7387e3f4.0"] == "c06.pem")
    }
}
