import Foundation
import X509
@testable import MailTLS
import MailTLSAudit

/// The DNS test world with real MX servers behind it: one `mailtls serve` (in this process)
/// with a self-signed certificate for `mx.dane-ee.test` whose real `3 1 1` record is put at
/// dane-ee's (and no-mx's) TLSA owner, and one with a certificate for `mx.dane-ta.test` from a
/// test CA whose `2 1 1` record is put at dane-ta's. Every other MX host of the world is sent
/// to the first server through `--connect-to`; `mx.unreachable.test` to a port where nothing
/// listens.
final class AuditWorld: @unchecked Sendable {
    let world: DNSWorld
    let directory: String
    let eeServer: SMTPTestServer
    let taServer: SMTPTestServer
    /// The test CA's certificate file: the WebPKI trust (`--ca`).
    let caFile: String
    let closedPort: UInt16

    static let eeHosts = ["mx.dane-ee.test", "mail.cname-mx.test", "no-mx.test", "mx.dane-wrong.test", "mx.unsigned.test",
                          "mx.pkix-only.test", "mx.bogus-tlsa.test", "mx.bogus.test", "mx.expired.test", "mx1.bulk.test", "mx2.bulk.test"]

    private init(world: DNSWorld, directory: String, eeServer: SMTPTestServer, taServer: SMTPTestServer, caFile: String, closedPort: UInt16) {
        self.world = world
        self.directory = directory
        self.eeServer = eeServer
        self.taServer = taServer
        self.caFile = caFile
        self.closedPort = closedPort
    }

    /// `bulk` adds d1…dN.bulk.test (MX mx1 and mx2.bulk.test, both given dane-ee's record and
    /// sent to the first server).
    /// `resolverAddress` puts unbound elsewhere than 127.0.0.1 (the tests of a resolver off
    /// loopback).
    static func start(bulk: Int = 0, resolverAddress: String = "127.0.0.1") async throws -> AuditWorld {
        let directory = try SafeDirectory.make()
        let ee = directory + "/ee"
        try FileManager.default.createDirectory(atPath: ee, withIntermediateDirectories: true)
        let eeLayout = try DANEFixtures.selfSigned(ee, subject: "/CN=mx.dane-ee.test")
        let eeCertificate = try MaterialFile.load(eeLayout.certificatePath).certificates[0]
        let eeRecord = try TLSARecord(certificate: eeCertificate.certificate, der: eeCertificate.der)
        let made = try DANEFixtures.caChain(directory: directory + "/ta", host: "mx.dane-ta.test")
        let ca = try MaterialFile.load(made.ca.certificatePath).certificates[0]
        let taRecord = try TLSARecord(certificate: ca.certificate, der: ca.der, usage: .daneTA)

        let world = try DNSWorld(bulk: bulk, resolverAddress: resolverAddress)
        for owner in ["_25._tcp.mx.dane-ee.test", "_25._tcp.no-mx.test", "_25._tcp.mx1.bulk.test", "_25._tcp.mx2.bulk.test"] { try world.setTLSA(owner, [text(eeRecord)]) }
        try world.setTLSA("_25._tcp.mx.dane-ta.test", [text(taRecord)])
        try world.start()
        let eeServer = try await startServer(ee)
        let taServer = try await startServer(made.certs.directory)
        return AuditWorld(world: world, directory: directory, eeServer: eeServer, taServer: taServer,
                          caFile: made.ca.certificatePath, closedPort: try FreePort.find())
    }

    static func text(_ record: TLSARecord) -> String { "\(record.parameters) \(Hex.lower(record.data))" }

    /// Every MX host to its server; the unreachable one to a closed port.
    var connectTo: [ConnectTo] {
        Self.eeHosts.map { ConnectTo(name: $0, port: 25, address: "127.0.0.1", addressPort: eeServer.port) }
            + [ConnectTo(name: "mx.dane-ta.test", port: 25, address: "127.0.0.1", addressPort: taServer.port),
               ConnectTo(name: "mx.unreachable.test", port: 25, address: "127.0.0.1", addressPort: Int(closedPort))]
    }

    var connectToArguments: [String] {
        connectTo.flatMap { ["--connect-to", "\($0.name):\($0.port):\($0.address):\($0.addressPort)"] }
    }

    func options(resolverPort: UInt16? = nil) throws -> AuditOptions {
        AuditOptions(resolver: DNSResolver(nameserver: try DNSServerAddress(parsing: "127.0.0.1:\(resolverPort ?? world.resolverPort)")),
                     anchors: TrustAnchors.certificates(in: caFile), connectTo: connectTo, timeout: 5)
    }

    func stop() async {
        await eeServer.stop()
        await taServer.stop()
        world.stop()
    }
}
