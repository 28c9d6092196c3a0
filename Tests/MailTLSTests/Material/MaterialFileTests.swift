import Testing
@testable import MailTLS

@Suite("Classifying files")
struct MaterialFileTests {
    static let cases: [(String, [UInt8], String)] = [
        ("empty", [], "is empty"),
        ("blank", Array("  \n\n".utf8), "is empty"),
        ("garbage", Array("hello world\n".utf8), "is neither PEM nor DER"),
        ("binary", [0x30, 0x82, 0xFF, 0x00, 0x01], "is neither PEM nor DER"),
        ("unknown label", Array(PEMScanner.encode([0x30, 0x00], label: "DH PARAMETERS").utf8), "holds only DH PARAMETERS"),
        ("bad certificate", Array(PEMScanner.encode([0x30, 0x03, 0x02, 0x01, 0x05], label: "CERTIFICATE").utf8), "the CERTIFICATE block at line 1 does not parse"),
        ("encrypted", Array(PEMScanner.encode([0x30, 0x00], label: "ENCRYPTED PRIVATE KEY").utf8), "encrypted private key"),
    ]

    @Test("bad files get a message naming the file", arguments: cases)
    func badFiles(_ label: String, _ bytes: [UInt8], _ expected: String) {
        #expect {
            try MaterialFile.parse(bytes, path: "x/host.cert")
        } throws: { error in
            let text = (error as? MailTLSError)?.description ?? ""
            return text.hasPrefix("x/host.cert: ") && text.contains(expected)
        }
    }

    @Test("a key where a certificate belongs says what the file holds")
    func wrongType() throws {
        let pem = try GeneratedKey.generate(.ecdsaP256).pem(.pkcs8)
        let file = try MaterialFile.parse(Array(pem.utf8), path: "host.cert")
        #expect {
            try file.firstCertificate()
        } throws: { error in
            (error as? MailTLSError)?.description == "host.cert: holds a private key, not a certificate (name the certificate file, such as host.cert)"
        }
    }
}
