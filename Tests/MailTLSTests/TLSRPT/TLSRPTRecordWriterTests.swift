import Testing
@testable import MailTLS

/// `tlsrpt record`: what it prints must be what `audit`'s parser reads back, with RFC 8460
/// §3's encoding of `,` `;` `!` inside an address.
@Suite("TLS-RPT record writer")
struct TLSRPTRecordWriterTests {
    @Test("the record reads back with TLSRPTRecord.read, the audit's reader, with no finding")
    func roundTrip() throws {
        let written = try TLSRPTRecordWriter.record(rua: ["mailto:tlsrpt@example.org,https://reports.example.org/v1/tlsrpt"], domain: "example.org")
        #expect(written.text == "v=TLSRPTv1; rua=mailto:tlsrpt@example.org,https://reports.example.org/v1/tlsrpt")
        #expect(written.zoneLine == "_smtp._tls.example.org. IN TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@example.org,https://reports.example.org/v1/tlsrpt\"")
        let reading = TLSRPTRecord.read([try strings(of: written.zoneLine)], name: "_smtp._tls.example.org")
        #expect(reading.findings.isEmpty)
        #expect(reading.record?.rua == ["mailto:tlsrpt@example.org", "https://reports.example.org/v1/tlsrpt"])
    }

    @Test("commas, semicolons and ! inside an address are percent-encoded, and the parser gives them back as written")
    func encoding() throws {
        let written = try TLSRPTRecordWriter.record(rua: ["mailto:a,b!c@example.org", "https://r.example.org/x;y?q=a b"], domain: nil)
        #expect(written.rua == ["mailto:a%2Cb%21c@example.org", "https://r.example.org/x%3By?q=a%20b"])
        #expect(written.zoneLine.hasPrefix("_smtp._tls IN TXT \"v=TLSRPTv1; rua="))
        #expect(try TLSRPTRecord.parse(written.text).get().rua == written.rua)
        // Escapes already there are kept; a % that starts none is encoded.
        #expect(TLSRPTRecordWriter.encoded("mailto:a%2Cb@example.org") == "mailto:a%2Cb@example.org")
        #expect(TLSRPTRecordWriter.encoded("https://r.example.org/100%") == "https://r.example.org/100%25")
    }

    @Test("a comma followed by mailto: or https: starts the next address; spaces around it are dropped")
    func splitting() {
        #expect(TLSRPTRecordWriter.split("mailto:a@example.org, https://r.example.org/x") == ["mailto:a@example.org", "https://r.example.org/x"])
        #expect(TLSRPTRecordWriter.split("https://r.example.org/a,b,MAILTO:c@example.org") == ["https://r.example.org/a,b", "MAILTO:c@example.org"])
    }

    @Test("a long record is split into strings of 255 bytes that join back to the record")
    func longRecord() throws {
        let addresses = (1...12).map { "mailto:tls-reports-\($0)@reports.example.org" }
        let written = try TLSRPTRecordWriter.record(rua: addresses, domain: "example.org.")
        #expect(written.text.utf8.count > 255)
        let pieces = try strings(of: written.zoneLine)
        #expect(pieces.count == 2)
        #expect(pieces[0].utf8.count == 255)
        #expect(pieces.joined() == written.text)
        let reading = TLSRPTRecord.read([pieces], name: "_smtp._tls.example.org")
        #expect(reading.findings.isEmpty)
        #expect(reading.record?.rua == addresses)
    }

    @Test("addresses that are not mailto: or https:, or name no mailbox or host, are refused naming --rua")
    func refusals() {
        for (rua, words) in [("ftp://example.org/r", "neither a mailto: nor an https:"), ("mailto:nobody", "names no mailbox"),
                             ("https:", "names no host"), ("", "no report address")] {
            #expect(throws: MailTLSError.self) { try TLSRPTRecordWriter.record(rua: [rua], domain: nil) }
            do {
                _ = try TLSRPTRecordWriter.record(rua: [rua], domain: nil)
            } catch let error as MailTLSError {
                #expect(error.subject == "--rua")
                #expect(error.problem.contains(words), "\(rua): \(error)")
            } catch {}
        }
        #expect(throws: MailTLSError.self) { try TLSRPTRecordWriter.record(rua: ["mailto:a@example.org"], domain: "a..b") }
    }

    /// The character-strings of a zone line `OWNER IN TXT "…" "…"` (no escapes inside: the
    /// writer never produces `"` or `\`).
    func strings(of line: String) throws -> [String] {
        let quoted = try #require(line.split(separator: "\"", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) } as [String]?)
        return quoted
    }
}
