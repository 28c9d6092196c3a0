import Foundation
import Testing
@testable import MailTLS

/// The decisions `tlsa` and `rollover next` leave to the library: which file a record is
/// computed from, what may be a DANE-TA anchor, and which published records count.
@Suite("DANE: default files, CA detection, published records")
struct DANESourcesTests {
    @Test("3 x x: host.key before there is a certificate, host.cert after; the key's record is the same")
    func defaultEEFile() throws {
        let dir = try SafeDirectory.make()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let layout = CertsLayout(directory: dir)
        _ = try KeyMaker.make(layout, options: KeyOptions(algorithm: .ecdsaP256), force: false)
        let fromKey = try TLSASources.records(files: [], directory: dir, usage: .daneEE, selector: .publicKey, matchingType: .sha256)
        #expect(fromKey.map(\.source) == [layout.keyPath])
        _ = try SelfSignedWriter.write(layout, source: .subject(try SubjectParser.parse("/CN=mail.example.org"), SubjectAltNames()),
                                       days: 30, keyOptions: KeyOptions(), force: false)
        let fromCert = try TLSASources.records(files: [], directory: dir, usage: .daneEE, selector: .publicKey, matchingType: .sha256)
        #expect(fromCert.map(\.source) == [layout.certificatePath])
        #expect(fromCert.map(\.record) == fromKey.map(\.record))
        // 3 0 x hashes the whole certificate, which a key alone cannot give.
        #expect(throws: MailTLSError.self) {
            try TLSASources.records(files: [layout.keyPath], directory: dir, usage: .daneEE, selector: .certificate, matchingType: .sha256)
        }
    }

    @Test("2 x x: the top of chain.pem by default; a certificate that is not a CA is refused")
    func daneTA() throws {
        let dir = TempDirectory("dane-ta")
        #expect(throws: MailTLSError.self) {
            try TLSASources.records(files: [], directory: dir.path, usage: .daneTA, selector: .publicKey, matchingType: .sha256)
        }
        let (ca, certs) = try DANEFixtures.caChain(dir)
        let items = try TLSASources.records(files: [], directory: certs.directory, usage: .daneTA, selector: .publicKey, matchingType: .sha256)
        let caCertificate = try MaterialFile.load(ca.certificatePath).firstCertificate()
        #expect(items.map(\.source) == [certs.chainPath])
        #expect(items.map(\.record) == [try TLSARecord(certificate: caCertificate.certificate, der: caCertificate.der, usage: .daneTA,
                                                        selector: .publicKey, matchingType: .sha256)])
        #expect(TLSASources.isCA(caCertificate.certificate))
        let leaf = try MaterialFile.load(certs.certificatePath).firstCertificate().certificate
        #expect(!TLSASources.isCA(leaf))
        do {
            _ = try TLSASources.records(files: [certs.certificatePath], directory: dir.path, usage: .daneTA, selector: .publicKey, matchingType: .sha256)
            Issue.record("a leaf was taken as a DANE-TA anchor")
        } catch let error as MailTLSError {
            #expect(error.subject == certs.certificatePath && error.problem.contains("is not a CA certificate"))
        }
    }

    @Test("owner names: a host name is checked, a wildcard refused")
    func owner() throws {
        #expect(try TLSAOwner.checkedName(host: "MX.Example.org", port: 25) == "_25._tcp.mx.example.org.")
        #expect(throws: MailTLSError.self) { try TLSAOwner.checkedName(host: "*.example.org") }
        #expect(throws: MailTLSError.self) { try TLSAOwner.checkedName(host: "bad name") }
    }

    @Test("published records: those of the owner; when no line names it, every record given")
    func published() async throws {
        let mine = String(repeating: "ab", count: 32), other = String(repeating: "cd", count: 32), bare = String(repeating: "ef", count: 32)
        let zone = try TLSAZoneParser.parse("""
            _25._tcp.mail.example.org. IN TLSA 3 1 1 \(mine)
            _25._tcp.mx2.example.org. IN TLSA 3 1 1 \(other)
            """, path: "zone.txt")
        let source = TLSAFileSource(path: "zone.txt", entries: zone)
        let own = try await source.published(host: "mail.example.org", port: 25)
        #expect(own.records.map { Hex.lower($0.data) } == [mine])
        #expect(own.note == nil && own.origin == "zone.txt")
        // Another name for the same server (the zone pasted under its CNAME): all records.
        let other2 = try await source.published(host: "smtp.example.org", port: 25)
        #expect(other2.records.map { Hex.lower($0.data) } == [mine, other])
        #expect(other2.note?.contains("compared with those for _25._tcp.mail.example.org., _25._tcp.mx2.example.org.") == true, "\(other2.note ?? "")")
        let withBare = TLSAFileSource(path: "dig.txt", entries: try TLSAZoneParser.parse("3 1 1 \(bare)\n", path: "dig.txt"))
        #expect(try await withBare.published(host: "mail.example.org", port: 25).records.map { Hex.lower($0.data) } == [bare])
    }
}
