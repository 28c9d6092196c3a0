import Foundation
import Testing
@testable import MailTLS

/// Every CA-changing operation takes the CA directory's lock inside the library, `setup --ca`
/// included; `ca list` decides expiry on dates.
@Suite("Authority: the CA lock and where an issued certificate stands")
struct CAChangeTests {
    /// A CA in `dir/ca` and a request for mail.example.org in `dir/certs`.
    static func makeCA(_ dir: String) throws -> (CALayout, CertsLayout) {
        let layout = CALayout(directory: dir + "/ca")
        _ = try CAInit.run(layout, options: .init(subject: try SubjectParser.parse("/O=Example/CN=Example Mail CA"),
                                                  key: KeyOptions(algorithm: .ecdsaP256), days: 3650))
        let certs = CertsLayout(directory: dir + "/certs")
        _ = try RequestWriter.write(certs, subject: try SubjectParser.parse("/CN=mail.example.org"), altNames: SubjectAltNames(),
                                    keyOptions: KeyOptions(algorithm: .ecdsaP256), force: false)
        return (layout, certs)
    }

    @Test("setup --ca signs under the CA's lock: while another run holds it, setup refuses and the index is unchanged")
    func setupTakesTheLock() throws {
        let dir = try SafeDirectory.make()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (ca, _) = try Self.makeCA(dir)
        let indexBefore = try FileReading.bytes(of: ca.indexPath)
        let held = try DirectoryLock(ca.directory)
        let options = Setup.Options(directory: dir + "/host", hostName: "mail.example.org", key: KeyOptions(algorithm: .ecdsaP256),
                                    caDirectory: ca.directory)
        #expect(throws: MailTLSError(ca.directory, "another mailtls run is changing this directory", remedy: "wait for it to finish and run again")) {
            try Setup.run(options)
        }
        #expect(try FileReading.bytes(of: ca.indexPath) == indexBefore)
        #expect(!FileReading.exists(dir + "/host/host.cert"))
        held.release()
        let result = try Setup.run(options)
        #expect(result.hasChain)
        #expect(try CertificateAuthority.open(ca).index.entries.count == 1)
        #expect(!FileReading.exists(ca.directory + "/.mailtls.lock"), "the lock is released after signing")
    }

    @Test("changing() holds the lock for its body only")
    func changingHoldsTheLock() throws {
        let dir = try SafeDirectory.make()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (ca, _) = try Self.makeCA(dir)
        try CertificateAuthority.changing(ca) { _ in
            #expect(throws: MailTLSError.self) { try DirectoryLock(ca.directory) }
        }
        try DirectoryLock(ca.directory).release()
    }

    @Test("standing: expired an hour ago is expired; the last day is valid with 0 days left; revoked wins")
    func standing() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        var entry = CAIndex.Entry(serial: "01", subject: "CN=x", names: [], profile: .server, notBefore: now.addingTimeInterval(-86_400),
                                  notAfter: now.addingTimeInterval(-3600), status: .valid, revokedAt: nil, reason: nil,
                                  spkiSHA256: "", certificate: "")
        #expect(entry.standing(at: now) == .expired)
        #expect(entry.daysLeft(at: now) == -1)
        entry.notAfter = now.addingTimeInterval(3600)
        #expect(entry.standing(at: now) == .valid(daysLeft: 0))
        entry.notAfter = now.addingTimeInterval(10 * 86_400 + 1)
        #expect(entry.standing(at: now) == .valid(daysLeft: 10))
        entry.status = .revoked
        entry.reason = .superseded
        #expect(entry.standing(at: now) == .revoked(.superseded))
    }

    @Test("ca list shows a certificate that expired an hour ago as EXPIRED, with -1 days left in JSON")
    func listExpired() throws {
        let dir = try SafeDirectory.make()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (ca, certs) = try Self.makeCA(dir)
        // Signed "yesterday, 25 hours ago" for one day: it ended an hour ago.
        let signedAt = Date().addingTimeInterval(-(86_400 + 3600))
        var authority = try CertificateAuthority.open(ca)
        let proposal = try CASigning.propose(authority, requestPath: certs.requestPath, profile: .serverClient, days: 1,
                                             output: certs, allowDuplicate: false, now: signedAt)
        let entry = try CASigning.sign(&authority, proposal, force: false, now: signedAt).entry
        // openssl agrees that it has expired (-checkend 0 exits 1 for a certificate past its notAfter).
        #expect(try OpenSSL.run(["x509", "-in", certs.certificatePath, "-noout", "-checkend", "0"]).status == 1)
        let list = try MailTLSBinary.run(["ca", "list", "--dir", ca.directory])
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.hasPrefix("\(entry.serial)  ") && list.stdout.contains("  EXPIRED  "), "\(list.stdout)")
        #expect(!list.stdout.contains("valid"))
        let json = try MailTLSBinary.run(["ca", "list", "--dir", ca.directory, "--json"])
        let rows = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        #expect(rows?.first?["daysLeft"] as? Int == -1)
    }
}
