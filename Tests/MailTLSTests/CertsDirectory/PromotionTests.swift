import Testing
import Foundation
@testable import MailTLS

@Suite("Promotion")
struct PromotionTests {
    /// host.* in service and new.* made for a renewal with a new key.
    func renewal(_ dir: TempDirectory, newKey: Bool = true) throws {
        let host = CertsLayout(directory: dir.path, stem: "host")
        let new = CertsLayout(directory: dir.path, stem: "new")
        let subject = Subject(fields: [Subject.Field(SubjectAttribute.commonName, "mail.example.org")])
        _ = try RequestWriter.write(host, subject: subject, altNames: SubjectAltNames(), keyOptions: KeyOptions(algorithm: .ecdsaP256), force: false)
        _ = try SelfSignedWriter.write(host, source: .request(path: host.requestPath, extraNames: SubjectAltNames()), days: 10,
                                       keyOptions: KeyOptions(), force: false)
        if !newKey {
            try FileManager.default.copyItem(atPath: host.requestPath, toPath: new.requestPath)
            try FileManager.default.copyItem(atPath: host.keyPath, toPath: new.keyPath)
        } else {
            _ = try RequestWriter.write(new, subject: subject, altNames: SubjectAltNames(), keyOptions: KeyOptions(algorithm: .ecdsaP256), force: false)
        }
        _ = try SelfSignedWriter.write(new, source: .request(path: new.requestPath, extraNames: SubjectAltNames()), days: 20,
                                       keyOptions: KeyOptions(), force: false)
        if !newKey { try FileManager.default.removeItem(atPath: new.keyPath) }
    }

    @Test("new.* replace host.*, old files kept under one time stamp")
    func promotes() throws {
        let dir = TempDirectory()
        try renewal(dir)
        let before = try ["key", "csr", "cert"].map { try dir.bytes("host.\($0)") }
        let after = try ["key", "csr", "cert"].map { try dir.bytes("new.\($0)") }
        let now = Date()
        let plan = try Promotion.plan(from: CertsLayout(directory: dir.path, stem: "new"), to: CertsLayout(directory: dir.path), now: now)
        #expect(plan.moves.map(\.kind) == ["key", "certificate", "request"] && !plan.keepsKey)
        let result = try Promotion.apply(plan, now: now)
        let stamp = UTCTimestamp.compact(now)
        #expect(result.backups == ["key", "cert", "csr"].map { dir.file("host.\($0).\(stamp)") })
        #expect(try ["key", "csr", "cert"].map { try dir.bytes("host.\($0)") } == after)
        #expect(try ["key", "csr", "cert"].map { try dir.bytes("host.\($0).\(stamp)") } == before)
        #expect(!dir.exists("new.key") && !dir.exists("new.cert") && !dir.exists("new.csr"))
        #expect(dir.mode("host.key") == 0o600 && dir.mode("host.key.\(stamp)") == 0o600)
    }

    @Test("a renewal without new.key keeps host.key and checks new.cert against it")
    func keepsKey() throws {
        let dir = TempDirectory()
        try renewal(dir, newKey: false)
        let key = try dir.bytes("host.key")
        let plan = try Promotion.plan(from: CertsLayout(directory: dir.path, stem: "new"), to: CertsLayout(directory: dir.path))
        #expect(plan.keepsKey && plan.moves.map(\.kind) == ["certificate", "request"])
        _ = try Promotion.apply(plan)
        #expect(try dir.bytes("host.key") == key)
    }

    @Test("a failed move undoes every step: the directory is exactly as before")
    func rollsBack() throws {
        let dir = TempDirectory()
        try renewal(dir)
        // host.csr becomes a non-empty directory, so the last rename fails.
        try FileManager.default.removeItem(atPath: dir.file("host.csr"))
        try FileManager.default.createDirectory(atPath: dir.file("host.csr"), withIntermediateDirectories: false)
        try dir.write("host.csr/keep", "x")
        let before = dir.snapshot()
        let plan = try Promotion.plan(from: CertsLayout(directory: dir.path, stem: "new"), to: CertsLayout(directory: dir.path))
        #expect(throws: MailTLSError.self) { try Promotion.apply(plan) }
        var after = dir.snapshot()
        after[".mailtls.lock"] = nil
        #expect(after == before)
    }

    @Test("a move that fails half-way is undone: moved files go back, backups become the files again")
    func rollsBackHalfWay() throws {
        let dir = TempDirectory()
        try renewal(dir)
        let before = dir.snapshot()
        let plan = try Promotion.plan(from: CertsLayout(directory: dir.path, stem: "new"), to: CertsLayout(directory: dir.path))
        var calls = 0
        #expect(throws: MailTLSError.self) {
            _ = try Promotion.apply(plan, now: Date()) { from, to in
                calls += 1
                if calls == 3 { errno = EIO; return -1 } // key and certificate have moved; the request fails
                return rename(from, to)
            }
        }
        #expect(calls == 3)
        var after = dir.snapshot()
        after[".mailtls.lock"] = nil
        #expect(after == before)
    }

    @Test("refuses a certificate that does not match its key, changing nothing")
    func mismatch() throws {
        let dir = TempDirectory()
        try renewal(dir)
        try FileManager.default.removeItem(atPath: dir.file("new.key"))
        _ = try KeyMaker.make(CertsLayout(directory: dir.path, stem: "new"), options: KeyOptions(algorithm: .ecdsaP256), force: false)
        let before = dir.snapshot()
        #expect {
            try Promotion.plan(from: CertsLayout(directory: dir.path, stem: "new"), to: CertsLayout(directory: dir.path))
        } throws: { error in
            (error as? MailTLSError)?.description.contains("does not match the key") == true
        }
        #expect(dir.snapshot() == before)
    }

    @Test("refuses an expired or not yet valid certificate")
    func validity() throws {
        let dir = TempDirectory()
        try renewal(dir)
        let layouts = (CertsLayout(directory: dir.path, stem: "new"), CertsLayout(directory: dir.path))
        #expect(throws: MailTLSError.self) { try Promotion.plan(from: layouts.0, to: layouts.1, now: Date().addingTimeInterval(30 * 86_400)) }
        #expect(throws: MailTLSError.self) { try Promotion.plan(from: layouts.0, to: layouts.1, now: Date().addingTimeInterval(-3600)) }
    }
}
