import Foundation
import Testing
@testable import MailTLS

/// Reports found in mail, against messages built by Python's `email` package (the oracle):
/// the bytes we extract must be the bytes Python attached.
@Suite("TLS-RPT mail parts")
struct TLSRPTMailTests {
    /// Builds the messages: a multipart/report with the gzipped report as a base64
    /// `application/tlsrpt+gzip` attachment (RFC 8460 §5.3), a nested multipart/mixed with a
    /// quoted-printable `+json` part and the first message forwarded as message/rfc822, and
    /// an mbox of two report messages and one ordinary message.
    static let script = """
    import gzip, sys, mailbox, email.policy
    from email.message import EmailMessage
    d = sys.argv[1]
    rfc = open(d + '/rfc.json', 'rb').read()
    ms = open(d + '/ms.json', 'rb').read()
    google = open(d + '/google.json', 'rb').read()
    gz = gzip.compress(rfc)
    open(d + '/rfc.json.gz', 'wb').write(gz)

    def report(json_gz, name, sender):
        m = EmailMessage()
        m['From'] = sender
        m['To'] = 'tlsrpt@example.org'
        m['Subject'] = 'Report Domain: example.org Submitter: ' + sender
        m['TLS-Report-Domain'] = 'example.org'
        m['TLS-Report-Submitter'] = sender
        m.set_content('This is an aggregate TLS report.')
        m.add_attachment(json_gz, maintype='application', subtype='tlsrpt+gzip', filename=name)
        m.replace_header('Content-Type', m['Content-Type'].replace('multipart/mixed', 'multipart/report') + '; report-type="tlsrpt"')
        return m

    first = report(gz, 'company-x.example!company-y.example!1459468800!1459555199.json.gz', 'Company-X <sts-reporting@company-x.example>')
    open(d + '/report.eml', 'wb').write(first.as_bytes(policy=email.policy.SMTP))

    nested = EmailMessage()
    nested['From'] = 'postmaster@example.org'
    nested['To'] = 'admin@example.org'
    nested['Subject'] = 'Fwd: reports'
    nested.set_content('plain')
    nested.add_alternative('<p>html</p>', subtype='html')
    nested.add_attachment(ms, maintype='application', subtype='tlsrpt+json', cte='quoted-printable', filename='ms.json')
    nested.add_attachment(first)
    open(d + '/nested.eml', 'wb').write(nested.as_bytes())

    box = mailbox.mbox(d + '/reports.mbox', create=True)
    box.add(first)
    box.add(report(gzip.compress(google), 'google.com!example.org!1764460800!1764547199.json.gz', 'noreply-smtp-tls-reporting@google.com'))
    plain = EmailMessage()
    plain['From'] = 'someone@example.net'
    plain['Subject'] = 'not a report'
    plain.set_content('From the start, this line begins with From.')
    box.add(plain)
    box.flush()
    box.close()
    """

    func build() throws -> TempDirectory {
        let dir = TempDirectory("tlsrpt-mail")
        try dir.write("rfc.json", TLSRPTSamples.rfc)
        try dir.write("ms.json", TLSRPTSamples.microsoft)
        try dir.write("google.json", TLSRPTSamples.google)
        try Python.run(Self.script, [dir.path])
        return dir
    }

    @Test("multipart/report with a base64 application/tlsrpt+gzip part: the part's bytes are Python's gzip, the report its JSON")
    func report() throws {
        let dir = try build()
        let bytes = try dir.bytes("report.eml")
        let message = try MIMEEntity(lines: MessageSplitter.messages(in: bytes)[0][...], source: "report.eml")
        #expect(message.contentType.value == "multipart/report")
        #expect(message.contentType.parameters["report-type"] == "tlsrpt")
        let parts = message.all.filter(TLSRPTDocuments.isReportPart)
        #expect(parts.count == 1)
        #expect(parts.first?.fileName == "company-x.example!company-y.example!1459468800!1459555199.json.gz")
        #expect(try parts.first?.decodedBody(source: "report.eml") == (try dir.bytes("rfc.json.gz")))
        let contents = TLSRPTDocuments.contents(of: bytes, source: "report.eml")
        #expect(contents.problems.isEmpty)
        #expect(contents.documents == [TLSRPTDocuments.Document(source: "report.eml", json: try dir.bytes("rfc.json"))])
    }

    @Test("nested multiparts: a quoted-printable +json part and a forwarded message/rfc822 with its own report")
    func nested() throws {
        let dir = try build()
        let contents = TLSRPTDocuments.contents(of: try dir.bytes("nested.eml"), source: "nested.eml")
        #expect(contents.problems.isEmpty)
        #expect(contents.documents.map(\.source) == ["nested.eml, part 1", "nested.eml, part 2"])
        let reports = try contents.documents.map { try TLSRPTReport.parse($0.json, source: $0.source) }
        #expect(reports == [try TLSRPTReport.parse(try dir.bytes("ms.json"), source: "ms.json"),
                            try TLSRPTReport.parse(try dir.bytes("rfc.json"), source: "rfc.json")])
        #expect(contents.documents[1].json == (try dir.bytes("rfc.json")))
    }

    @Test("an mbox: each message's report, the ordinary message counted as without report")
    func mbox() throws {
        let dir = try build()
        let contents = TLSRPTDocuments.contents(of: try dir.bytes("reports.mbox"), source: "reports.mbox")
        #expect(contents.problems.isEmpty)
        #expect(contents.documents == [TLSRPTDocuments.Document(source: "reports.mbox, message 1", json: try dir.bytes("rfc.json")),
                                       TLSRPTDocuments.Document(source: "reports.mbox, message 2", json: try dir.bytes("google.json"))])
        #expect(contents.messagesWithoutReport == 1)
    }

    @Test("a message without a report part, and text that is no message, are named")
    func none() {
        let contents = TLSRPTDocuments.contents(of: Array("Subject: hello\n\nbody\n".utf8), source: "hello.eml")
        #expect(contents.problems.map(\.subject) == ["hello.eml"])
        #expect(contents.problems.first?.problem.contains("holds no TLS report") == true)
        let binary = TLSRPTDocuments.contents(of: [0x00, 0x01, 0x02, 0x0A], source: "x.bin")
        #expect(binary.problems.first?.problem.contains("binary data") == true)
    }
}
