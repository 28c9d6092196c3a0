import Testing
import X509
import SwiftASN1
@testable import MailTLS

@Suite("Subject parsing and validation")
struct SubjectParserTests {
    @Test("OpenSSL -subj form keeps its order and multi-valued RDNs")
    func slashForm() throws {
        let subject = try SubjectParser.parse("/C=us/ST=California/O=Example\\/Mail/CN=mail.example.org+OU=MX")
        #expect(subject.rdns.map { $0.map(\.attribute.shortName) } == [["C"], ["ST"], ["O"], ["CN", "OU"]])
        #expect(subject.value(of: "C") == "US", "country codes are upper-cased")
        #expect(subject.value(of: "O") == "Example/Mail", "\\/ escapes a slash")
        #expect(subject.commonName == "mail.example.org")
        #expect(subject.slashForm == "/C=US/ST=California/O=Example\\/Mail/CN=mail.example.org+OU=MX")
    }

    @Test("RFC 4514 form is most specific first, so it is reversed into encoding order")
    func rfc4514() throws {
        let subject = try SubjectParser.parse("CN=mail.example.org, O=Example\\, Inc., C=DE")
        #expect(subject.fields.map(\.attribute.shortName) == ["C", "O", "CN"])
        #expect(subject.value(of: "O") == "Example, Inc.")
        let hex = try SubjectParser.parse("CN=M\\C3\\BCller")
        #expect(hex.commonName == "Müller")
    }

    @Test("long names and aliases are accepted")
    func aliases() throws {
        let subject = try SubjectParser.parse("/countryName=GB/commonName=x.example/email=a@b.example")
        #expect(subject.fields.map(\.attribute.shortName) == ["C", "CN", "emailAddress"])
    }

    @Test("empty values are skipped, as openssl req skips them")
    func emptyValues() throws {
        let subject = try SubjectParser.parse("/C=/ST=/O=Example/CN=mail.example.org")
        #expect(subject.fields.map(\.attribute.shortName) == ["O", "CN"])
    }

    @Test("encodings follow openssl req: C PrintableString, email IA5String, the rest UTF8String")
    func encodings() throws {
        let name = try SubjectParser.parse("/C=US/O=Ünïcode/CN=x.example/emailAddress=p@x.example").distinguishedName()
        let tags = try name.flatMap { $0 }.map { attribute -> UInt8 in
            var serializer = DER.Serializer()
            try serializer.serialize(ASN1Any(attribute.value))
            return serializer.serializedBytes[0]
        }
        #expect(tags == [0x13, 0x0C, 0x0C, 0x16])
        #expect(NameFormatter.oneLine(name) == "C = US, O = Ünïcode, CN = x.example, emailAddress = p@x.example")
    }

    static let invalid: [(String, String)] = [
        ("/C=USA/CN=x", "two-letter country code"),
        ("/C=U1/CN=x", "two-letter country code"),
        ("/Foo=bar/CN=x", "unknown field \"Foo\""),
        ("/CN=x/emailAddress=nobody", "is not an email address"),
        ("/CN=a\u{7}b", "control character"),
        ("/CN=" + String(repeating: "a", count: 65), "at most 64"),
        ("/serialNumber=ab_c", "may only hold letters"),
        ("/CN", "is not FIELD=value"),
        ("", "is empty"),
        ("/C=/O=", "has no field with a value"),
    ]

    @Test("invalid subjects are refused with a message naming the field", arguments: invalid)
    func invalidSubjects(_ text: String, _ expected: String) {
        #expect {
            try SubjectParser.parse(text)
        } throws: { error in
            guard let error = error as? MailTLSError else { return false }
            return error.description.contains(expected) && !error.remedy.isEmpty
        }
    }
}

@Suite("Subject alternative names")
struct SubjectAltNamesTests {
    @Test("typed and bare entries, comma lists, CN added once, case folded")
    func parsing() throws {
        var names = try SubjectAltNames(parsing: ["DNS:Mail.Example.org", "IP:192.0.2.1,IP:2001:db8::25", "smtp.example.org", "198.51.100.7",
                                                  "email:postmaster@example.org"])
        names.addCommonName("mail.example.org")
        names.addCommonName("Mail Admin")
        #expect(names.names.map(SubjectAltNames.describe) == [
            "DNS:mail.example.org", "IP Address:192.0.2.1", "IP Address:2001:db8::25", "DNS:smtp.example.org",
            "IP Address:198.51.100.7", "email:postmaster@example.org",
        ])
    }

    @Test("bad entries are refused", arguments: ["DNS:bad_host!", "IP:300.1.1.1", "email:nobody", "not a name", "DNS:-x.example"])
    func refused(_ entry: String) {
        #expect(throws: MailTLSError.self) { try SubjectAltNames(parsing: [entry]) }
    }

    @Test("host-name rules", arguments: [("mail.example.org", true), ("*.example.org", true), ("a..b", false),
                                          (String(repeating: "a", count: 64) + ".org", false), ("mail.example.org.", true), ("", false)])
    func hostNames(_ name: String, _ valid: Bool) {
        #expect(HostNameRules.isValid(name) == valid)
    }
}
