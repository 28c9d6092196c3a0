import Foundation
import Testing
@testable import MailTLS

/// The key rollover walked through on a temporary certs directory, and its refusals.
@Suite("DANE: rollover")
struct DANERolloverTests {
    func options(_ dir: TempDirectory, now: Date = Date()) -> Rollover.Options {
        Rollover.Options(directory: dir.path, host: "mail.example.org", port: 25, ttl: 3600, now: now)
    }

    func record(ofKey path: String) throws -> TLSARecord {
        try TLSARecord(publicKey: try MaterialFile.load(path).privateKey().publicKey)
    }

    @Test("plan, publish, next --self, finish: keys, backups and record sets")
    func walk() async throws {
        let dir = TempDirectory()
        try DANEFixtures.selfSigned(dir.path, algorithm: .ecdsaP384)
        let oldKey = try dir.bytes("host.key")
        let oldRecord = try record(ofKey: dir.file("host.key"))

        let plan = try Rollover.plan(options(dir))
        #expect(plan.written?.path == dir.file("next.key") && !plan.reusedNextKey)
        #expect(dir.mode("next.key") == 0o600)
        #expect(plan.nextKeyDescription == "ECDSA P-384", "same type as host.key")
        let nextRecord = try record(ofKey: dir.file("next.key"))
        #expect(plan.publish.records == [oldRecord, nextRecord])
        #expect(plan.publish.owner == "_25._tcp.mail.example.org.")
        #expect(plan.waitSeconds == 7200)
        // Running plan again reuses next.key.
        let again = try Rollover.plan(options(dir))
        #expect(again.reusedNextKey && again.written == nil && again.publish == plan.publish)

        // Publish: the records as a zone fragment.
        try dir.write("published.txt", plan.publish.items.map { TLSAFormat.rfc.line($0.record, owner: plan.publish.owner) }.joined(separator: "\n"))
        let published = try TLSAFileSource(path: dir.file("published.txt")).records(host: "mail.example.org", port: 25)
        let nextKey = try dir.bytes("next.key")
        let stamp = Date(timeIntervalSince1970: 1_800_000_000)
        let result = try Rollover.next(options(dir, now: stamp), published: published, publishedSource: "published.txt",
                                       issuing: .selfSigned(days: 30))
        #expect(result.nextRecord == nextRecord)
        #expect(result.written.map(\.kind) == ["request", "certificate"])
        let promotion = try #require(result.promotion)
        #expect(!promotion.keepsKey)
        #expect(try dir.bytes("host.key") == nextKey, "next.key is in service")
        #expect(dir.mode("host.key") == 0o600)
        #expect(try dir.bytes("host.key.20270115T080000Z") == oldKey, "the old key kept as a dated backup")
        #expect(dir.exists("host.cert.20270115T080000Z"))
        #expect(!dir.exists("next.key") && !dir.exists("next.cert") && !dir.exists("next.csr"))
        // The new certificate keeps the subject and names, and matches the published record.
        let (certificate, der) = try MaterialFile.load(dir.file("host.cert")).firstCertificate()
        #expect(NameFormatter.oneLine(certificate.subject) == "CN = mail.example.org")
        #expect(await TLSAMatcher(records: published).match(chain: [PresentedCertificate(certificate: certificate, der: der)]).verdict == .matched)

        let finish = try Rollover.finish(options(dir))
        #expect(finish.publish.records == [nextRecord])
        #expect(finish.remove == [oldRecord])
        #expect(finish.oldKeyBackup == dir.file("host.key.20270115T080000Z"))
    }

    @Test("next refuses, changing nothing, without next.key or when its record is not published")
    func refusals() async throws {
        let dir = TempDirectory()
        try DANEFixtures.selfSigned(dir.path)
        let current = try record(ofKey: dir.file("host.key"))
        #expect(throws: MailTLSError(dir.file("next.key"), "no such file: there is no next key to roll over to",
                                     remedy: "start with mailtls rollover plan, publish the records it prints, wait, then run rollover next")) {
            try Rollover.next(options(dir), published: [current], publishedSource: "records.txt", issuing: .selfSigned(days: 30))
        }
        _ = try Rollover.plan(options(dir))
        let before = DirectoryState.of(dir.path)
        do {
            _ = try Rollover.next(options(dir), published: [current], publishedSource: "records.txt", issuing: .selfSigned(days: 30))
            Issue.record("next went ahead without the next key's record")
        } catch let error as MailTLSError {
            #expect(error.subject == "records.txt")
            #expect(error.problem.hasPrefix("does not hold next.key's record 3 1 1 "))
        }
        // A 2 1 1 record with the right data is not the 3 1 1 record that DANE-EE needs.
        var wrongUsage = try record(ofKey: dir.file("next.key")); wrongUsage.usage = .daneTA
        #expect(throws: MailTLSError.self) {
            try Rollover.next(options(dir), published: [current, wrongUsage], publishedSource: "records.txt", issuing: .selfSigned(days: 30))
        }
        #expect(DirectoryState.of(dir.path) == before, "\(before.differences(to: DirectoryState.of(dir.path)))")
        #expect(throws: MailTLSError(dir.file("next.key"), "still exists: the rollover has not been done",
                                     remedy: "run mailtls rollover next --records dns (or --records FILE) first")) {
            try Rollover.finish(options(dir))
        }
        #expect(throws: MailTLSError("--ttl 0", "is not a TTL in seconds from 1 to 604800", remedy: "give the TTL of the TLSA records, e.g. --ttl 3600")) {
            var zero = options(dir); zero.ttl = 0
            _ = try Rollover.plan(zero)
        }
    }

    @Test("without --self: next writes next.csr and stops, then promotes the certificate the CA returns")
    func throughACA() async throws {
        let dir = TempDirectory()
        let (ca, certs) = try DANEFixtures.caChain(dir)
        let certsDir = certs.directory
        var opts = options(dir); opts.directory = certsDir
        let plan = try Rollover.plan(opts)
        let first = try Rollover.next(opts, published: plan.publish.records, publishedSource: "records", issuing: .request)
        #expect(first.promotion == nil && first.written.map(\.kind) == ["request"])
        #expect(FileManager.default.fileExists(atPath: certsDir + "/next.csr"))
        #expect(throws: MailTLSError.self) {
            try Rollover.next(opts, published: plan.publish.records, publishedSource: "records", issuing: .request)
        }
        // The CA signs next.csr: next.cert, next.chain.pem, next.fullchain.pem.
        var authority = try CertificateAuthority.open(ca)
        let next = CertsLayout(directory: certsDir, stem: "next")
        let proposal = try CASigning.propose(authority, requestPath: next.requestPath, profile: .serverClient, days: 397,
                                             output: next, allowDuplicate: true)
        _ = try CASigning.sign(&authority, proposal, force: false)
        opts.now = Date()   // the CA signed after opts was made: on a loaded machine, seconds later
        let second = try Rollover.next(opts, published: plan.publish.records, publishedSource: "records", issuing: .request)
        let moved = try #require(second.promotion).moves.map { Paths.fileName(of: $0.to) }
        #expect(moved == ["host.key", "host.cert", "host.csr", "chain.pem", "fullchain.pem"])
        let chain = try DANEFixtures.chain(certs.fullChainPath)
        #expect(await TLSAMatcher(records: [plan.publish.records[1]]).match(chain: chain).verdict == .matched)
        #expect(await TLSAMatcher(records: [plan.publish.records[0]]).match(chain: chain).verdict == .noMatch)
    }

    @Test("check --tlsa: ok when a record matches, a warning when none does")
    func checkRule() async throws {
        let dir = TempDirectory()
        let layout = try DANEFixtures.selfSigned(dir.path)
        let (certificate, der) = try MaterialFile.load(layout.certificatePath).firstCertificate()
        let mine = try TLSARecord(certificate: certificate, der: der)
        try dir.write("good.txt", TLSAFormat.rfc.line(mine, owner: TLSAOwner.name(host: "mail.example.org")))
        try dir.write("bad.txt", "3 1 1 " + String(repeating: "00", count: 32))
        let files = TLSFileSet.certsDirectory(layout)
        let good = await Checker.run(files, hostName: "mail.example.org", tlsa: dir.file("good.txt")).findings.filter { $0.rule == "tlsa" }
        #expect(good.map(\.severity) == [.ok])
        let bad = await Checker.run(files, hostName: "mail.example.org", tlsa: dir.file("bad.txt")).findings.filter { $0.rule == "tlsa" }
        #expect(bad.map(\.severity) == [.warning])
        #expect(bad.first?.message.contains("matches none of the 1 TLSA records") == true)
        let missing = await Checker.run(files, hostName: "mail.example.org", tlsa: dir.file("missing.txt")).findings.filter { $0.rule == "tlsa" }
        #expect(missing.map(\.severity) == [.error])
        #expect(await Checker.run(files, hostName: "mail.example.org").findings.allSatisfy { $0.rule != "tlsa" })
    }
}
