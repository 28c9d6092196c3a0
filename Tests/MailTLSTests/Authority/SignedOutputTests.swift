import Foundation
import Testing
@testable import MailTLS

/// Where `ca sign` and `ca renew` put what they write.
@Suite("Authority: where a signed certificate goes")
struct SignedOutputTests {
    @Test("sign: beside the request under its name; --out names the stem")
    func sign() {
        let beside = SignedOutput.layout(out: nil, besides: "/etc/mail/certs/host.csr")
        #expect(beside.certificatePath == "/etc/mail/certs/host.cert" && beside.chainPath == "/etc/mail/certs/chain.pem")
        let other = SignedOutput.layout(out: nil, besides: "req/mx2.req")
        #expect(other.certificatePath == "req/mx2.cert" && other.chainPath == "req/mx2.chain.pem")
        #expect(SignedOutput.layout(out: "/srv/out/client.pem", besides: "x.csr").certificatePath == "/srv/out/client.cert")
    }

    @Test("renew: new.* beside a certificate file, issued/renewed-<serial>.* for a serial, --out wins")
    func renewal() throws {
        let dir = TempDirectory("signed-output")
        try dir.write("host.cert", "placeholder\n")
        let ca = CALayout(directory: dir.file("ca"))
        let entry = CAIndex.Entry(serial: "3fa2", subject: "CN=x", names: [], profile: .server, notBefore: Date(), notAfter: Date(),
                                  status: .valid, revokedAt: nil, reason: nil, spkiSHA256: "", certificate: "")
        let file = SignedOutput.renewal(of: dir.file("host.cert"), entry: entry, out: nil, ca: ca)
        #expect(file.layout.certificatePath == dir.file("new.cert") && file.besideFile)
        let serial = SignedOutput.renewal(of: "3fa2", entry: entry, out: nil, ca: ca)
        #expect(serial.layout.certificatePath == dir.file("ca/issued/renewed-3fa2.cert") && !serial.besideFile)
        let out = SignedOutput.renewal(of: "3fa2", entry: entry, out: dir.file("x/mx.cert"), ca: ca)
        #expect(out.layout.certificatePath == dir.file("x/mx.cert") && !out.besideFile)
    }
}
