import Testing
@testable import MailTLS

/// The MIME reading under `tlsrpt read`: content types, multipart splitting, transfer
/// encodings. (Messages as Python's `email` package writes them are in TLSRPTMailTests.)
@Suite("MIME entities")
struct MIMEEntityTests {
    @Test("Content-Type: value in lower case, parameters quoted or not, escapes undone, comments dropped")
    func contentType() {
        let type = MIMEContentType(parsing: " Multipart/Report (a comment); Report-Type=tlsrpt;\r\n\tboundary=\"a \\\"b\\\" ;c\"; x=1")
        #expect(type.value == "multipart/report")
        #expect(type.parameters == ["report-type": "tlsrpt", "boundary": "a \"b\" ;c", "x": "1"])
        #expect(MIMEContentType(parsing: "").value == "")
        #expect(MIMEContentType.plainText.isMultipart == false)
    }

    @Test("multipart: preamble and epilogue left out, padding after a delimiter allowed, a missing close delimiter tolerated, CRLF lines")
    func multipart() throws {
        let text = "Content-Type: multipart/mixed; boundary=XY\r\n\r\npreamble\r\n--XY  \r\nContent-Type: text/plain\r\n\r\none\r\n--XYZ not a delimiter\r\n--XY\r\n"
            + "Content-Type: application/octet-stream; name=\"r.json.gz\"\r\nContent-Transfer-Encoding: base64\r\n\r\nH4sI\r\nAA==\r\n--XY--\r\nepilogue\r\n"
        let entity = try MIMEEntity(lines: MessageSplitter.splitLines(Array(text.utf8))[...], source: "m")
        #expect(entity.parts.count == 2)
        #expect(entity.parts[0].body.map { String(decoding: $0, as: UTF8.self) } == ["one", "--XYZ not a delimiter"])
        #expect(entity.parts[1].fileName == "r.json.gz")
        #expect(try entity.parts[1].decodedBody(source: "m") == [0x1F, 0x8B, 0x08, 0x00])
        #expect(TLSRPTDocuments.isReportPart(entity.parts[1]))   // a generic type with a report's file name
        #expect(!TLSRPTDocuments.isReportPart(entity.parts[0]))
        let open = try MIMEEntity(lines: MessageSplitter.splitLines(Array("Content-Type: multipart/mixed; boundary=B\n\n--B\n\nx\n".utf8))[...], source: "m")
        #expect(open.parts.count == 1)
    }

    @Test("quoted-printable: =XX, soft line breaks, malformed escapes kept; damaged base64 named")
    func transferEncodings() throws {
        let lines = MessageSplitter.splitLines(Array("{\"a\": =\n\"b=3Dc\"}  \n=ZZ=4".utf8))[...]
        #expect(String(decoding: QuotedPrintable.decode(lines), as: UTF8.self) == "{\"a\": \"b=c\"}\r\n=ZZ=4")
        let text = "Content-Type: application/tlsrpt+gzip\nContent-Transfer-Encoding: base64\n\nH4s*\n"
        let entity = try MIMEEntity(lines: MessageSplitter.splitLines(Array(text.utf8))[...], source: "bad.eml")
        #expect(throws: MailTLSError("bad.eml", "has a base64 part that does not decode", remedy: "save the message again, whole, as it was received")) {
            try entity.decodedBody(source: "bad.eml")
        }
    }
}
