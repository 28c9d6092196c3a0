import Testing
@testable import MailTLS

@Suite("PEM and base64")
struct PEMScannerTests {
    @Test("base64 round-trips every length", arguments: 0..<70)
    func base64RoundTrip(_ length: Int) {
        let bytes = (0..<length).map { UInt8(($0 * 37 + 11) % 256) }
        #expect(Base64.decode(Base64.encode(bytes)) == bytes)
    }

    @Test("damaged base64 is refused", arguments: ["abc", "ab=c", "a===", "ab$d", "====", "YQ==YQ=="])
    func badBase64(_ text: String) {
        #expect(Base64.decode(text) == nil)
    }

    @Test("blocks, labels, headers and the text around them")
    func blocks() throws {
        let der: [UInt8] = [0x30, 0x03, 0x02, 0x01, 0x05]
        let text = "comment\n" + PEMScanner.encode(der, label: "CERTIFICATE") + "between\r\n"
            + "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nMAMCAQU=\n-----END RSA PRIVATE KEY-----\n"
        let blocks = try PEMScanner.blocks(in: text)
        #expect(blocks.map(\.label) == ["CERTIFICATE", "RSA PRIVATE KEY"])
        #expect(blocks[0].der == der && blocks[0].line == 2 && !blocks[0].isEncryptedKey)
        #expect(blocks[1].isEncryptedKey)
    }

    @Test("a block without END is reported with its line")
    func truncated() {
        let text = "x\n-----BEGIN CERTIFICATE-----\nMAMCAQU=\n"
        #expect(throws: PEMScanError.missingEnd(label: "CERTIFICATE", line: 2)) { try PEMScanner.blocks(in: text) }
        let mismatched = "-----BEGIN CERTIFICATE-----\nMAMCAQU=\n-----END PRIVATE KEY-----\n"
        #expect(throws: PEMScanError.mismatchedEnd(label: "CERTIFICATE", found: "PRIVATE KEY", line: 3)) { try PEMScanner.blocks(in: mismatched) }
    }

    @Test("encode wraps at 64 columns like OpenSSL")
    func wrapping() {
        let text = PEMScanner.encode([UInt8](repeating: 0xAB, count: 100), label: "X")
        let lines = text.split(separator: "\n")
        #expect(lines.count == 5 && lines[1].count == 64 && lines[2].count == 64 && lines[3].count == 8)
    }
}
