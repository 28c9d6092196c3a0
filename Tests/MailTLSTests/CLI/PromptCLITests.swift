import Foundation
import Testing

/// `mailtls csr` (and `self`) on a terminal ask for the subject field by field like
/// `openssl req`; without a terminal they do not ask. The terminal is util-linux
/// `script`'s pseudo-terminal, with the answers on its stdin, one per line.
@Suite("CLI: subject prompts", .enabled(if: PseudoTerminal.available, "needs util-linux script for a pseudo-terminal"))
struct CLIPromptTests {
    static let prompts = ["Country Name (2 letter code) [", "State or Province Name (full name) [", "Locality Name (eg, city) [",
                          "Organization Name (eg, company) [", "Organizational Unit Name (eg, section) [",
                          "Common Name (e.g. server FQDN or YOUR name) [", "Email Address ["]

    func subject(of file: String, in dir: TempDirectory) throws -> String {
        let command = file.hasSuffix(".csr") ? "req" : "x509"
        return try OpenSSL.expectSuccess([command, "-in", file, "-noout", "-subject"], in: dir.path)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("csr on a terminal asks field by field; '.' leaves a field out, Enter keeps the (empty) default")
    func answersEveryField() throws {
        let dir = TempDirectory("prompt")
        let result = try PseudoTerminal.run(["csr", "--dir", dir.path],
                                            answers: ["DE", "Berlin", ".", "Example GmbH", "", "mail.example.org", "postmaster@example.org"])
        #expect(result.status == 0, "\(result.transcript)")
        for prompt in Self.prompts {
            #expect(result.stdout.contains(prompt), "missing prompt \(prompt)\n\(result.stdout)")
        }
        #expect(try subject(of: "host.csr", in: dir)
                == "subject=C = DE, ST = Berlin, O = Example GmbH, CN = mail.example.org, emailAddress = postmaster@example.org")
        let text = try OpenSSL.expectSuccess(["req", "-in", "host.csr", "-noout", "-text"], in: dir.path)
        #expect(text.contains("DNS:mail.example.org"), "the CN is also a subjectAltName")
        #expect(dir.mode("host.key") == 0o600 && dir.mode("host.csr") == 0o644)
    }

    @Test("the defaults in brackets come from the certificate in service; Enter keeps them")
    func defaultsFromCurrentCertificate() throws {
        let dir = TempDirectory("prompt-defaults")
        try mailtls(["self", "--algorithm", "ed25519", "--subject", "/C=US/ST=California/O=Old Org/CN=old.example.org"], in: dir)
        let result = try PseudoTerminal.run(["csr", "--file", "new", "--dir", dir.path], answers: ["", "", "", ".", "", "", ""])
        #expect(result.status == 0, "\(result.transcript)")
        #expect(result.stdout.contains("Country Name (2 letter code) [US]:"), "\(result.stdout)")
        #expect(result.stdout.contains("Organization Name (eg, company) [Old Org]:"))
        #expect(result.stdout.contains("[old.example.org]:"))
        #expect(try subject(of: "new.csr", in: dir) == "subject=C = US, ST = California, CN = old.example.org")
    }

    @Test("an invalid answer is explained and asked again")
    func invalidAnswerAskedAgain() throws {
        let dir = TempDirectory("prompt-again")
        let result = try PseudoTerminal.run(["csr", "--dir", dir.path, "--algorithm", "ed25519"],
                                            answers: ["USA", "US", ".", ".", ".", ".", "mail.example.org", "postmaster"," "])
        #expect(result.status == 0, "\(result.transcript)")
        #expect(result.stdout.components(separatedBy: "Country Name").count == 3, "Country asked twice\n\(result.stdout)")
        #expect(result.stdout.components(separatedBy: "Email Address").count == 3, "Email asked twice\n\(result.stdout)")
        #expect(try subject(of: "host.csr", in: dir) == "subject=C = US, CN = mail.example.org")
    }

    @Test("input that ends before every field is answered makes nothing, not even the key")
    func inputEndsEarly() throws {
        let dir = TempDirectory("prompt-eof")
        let result = try PseudoTerminal.run(["csr", "--dir", dir.path], answers: ["DE", "Berlin"])
        #expect(result.status == 1, "\(result.transcript)")
        #expect(result.stdout.contains("mailtls: subject: input ended"), "\(result.stdout)")
        #expect(dir.listing().isEmpty, "\(dir.listing())")
    }

    @Test("leaving every field out is refused and makes nothing")
    func everyFieldLeftOut() throws {
        let dir = TempDirectory("prompt-none")
        let result = try PseudoTerminal.run(["csr", "--dir", dir.path], answers: Array(repeating: ".", count: 7))
        #expect(result.status == 1, "\(result.transcript)")
        #expect(result.stdout.contains("mailtls: subject: every field was left out"), "\(result.stdout)")
        #expect(dir.listing().isEmpty, "\(dir.listing())")
    }

    @Test("self on a terminal asks too")
    func selfAsks() throws {
        let dir = TempDirectory("prompt-self")
        let result = try PseudoTerminal.run(["self", "--dir", dir.path, "--algorithm", "ecdsa-p256"],
                                            answers: [".", ".", ".", "Example", ".", "mail.example.org", "."])
        #expect(result.status == 0, "\(result.transcript)")
        #expect(result.stdout.contains("Common Name"))
        #expect(try subject(of: "host.cert", in: dir) == "subject=O = Example, CN = mail.example.org")
    }

    @Test("--subject and --batch never ask, even on a terminal", arguments: [["--subject", "/CN=given.example.org"], ["--batch"]])
    func noPromptWhenToldSo(_ options: [String]) throws {
        let dir = TempDirectory("prompt-batch")
        let result = try PseudoTerminal.run(["csr", "--dir", dir.path, "--algorithm", "ed25519"] + options, answers: [])
        #expect(result.status == 0, "\(result.transcript)")
        #expect(!result.stdout.contains("Country Name"), "\(result.stdout)")
        #expect(try subject(of: "host.csr", in: dir).hasPrefix("subject=CN = "))
    }

    @Test("without a terminal (stdin a pipe) csr does not ask and uses the default subject")
    func noTerminalNoPrompt() throws {
        let dir = TempDirectory("prompt-pipe")
        let result = try MailTLSBinary.run(["csr", "--algorithm", "ed25519"], in: dir.path, input: "DE\nBerlin\n")
        #expect(result.status == 0, "\(result.transcript)")
        #expect(!result.stdout.contains("Country Name") && !result.stderr.contains("Country Name"))
        #expect(result.errorLines.count == 1 && result.stderr.contains("--subject"), "one notice naming --subject: \(result.stderr)")
        let subject = try subject(of: "host.csr", in: dir)
        #expect(subject.hasPrefix("subject=CN = ") && !subject.contains(","), "only CN: \(subject)")
        #expect(!subject.contains("DE") && !subject.contains("Berlin"), "stdin was not read as answers")
    }
}

/// util-linux `script`, for running mailtls on a pseudo-terminal.
enum PseudoTerminal {
    static let path = ["/usr/bin/script", "/bin/script"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static var available: Bool { path != nil }

    /// Runs mailtls with a terminal for stdin/stdout/stderr; `answers` are typed one per line.
    /// The terminal merges stdout and stderr (and echoes the answers) into `stdout`.
    static func run(_ arguments: [String], answers: [String]) throws -> RunResult {
        let command = ([MailTLSBinary.path] + arguments).map(shellQuoted).joined(separator: " ")
        let input = answers.map { $0 + "\n" }.joined()
        return try MailTLSTests.run(path ?? "/usr/bin/script", ["-qec", command, "/dev/null"], input: input,
                                    environment: ["SHELL": "/bin/sh", "PATH": "/usr/bin:/bin", "TERM": "dumb"])
    }
}
