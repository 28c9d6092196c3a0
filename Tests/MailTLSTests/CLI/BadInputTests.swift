import Foundation
import Testing

/// Bad input through the real `mailtls` executable: every case exits 1 with one line on
/// stderr (`mailtls: <file or option>: <problem> (<remedy>)`) and leaves the directory
/// exactly as it was.
@Suite("CLI: bad input files")
struct CLIBadInputFileTests {
    let material = CLIMaterial.shared

    // MARK: fingerprint and show

    @Test("fingerprint refuses a bad certificate file", arguments: BadContent.all)
    func fingerprintBadFile(_ bad: BadContent) throws {
        let dir = TempDirectory("bad-fp")
        try dir.write("host.key", material.key)
        try bad.make("host.cert", in: dir, from: material.certificate)
        try expectFailureChangesNothing(["fingerprint", "host.cert"], in: dir, mentions: ["host.cert"])
        // The default file (host.cert in --dir) gets the same treatment.
        try expectFailureChangesNothing(["fingerprint", "--dir", dir.path], in: dir, mentions: ["host.cert"])
    }

    @Test("show refuses a bad file", arguments: BadContent.all)
    func showBadFile(_ bad: BadContent) throws {
        let dir = TempDirectory("bad-show")
        try dir.write("host.key", material.key)
        try bad.make("host.cert", in: dir, from: material.certificate)
        try expectFailureChangesNothing(["show", "host.cert"], in: dir, mentions: ["host.cert"])
        try expectFailureChangesNothing(["show", "--json", "--dir", dir.path], in: dir, mentions: ["host.cert"])
    }

    @Test("fingerprint and show refuse a damaged key and a damaged request", arguments: [Damage.cutMidBody, .cutBeforeEndLine, .middleLinesMissing])
    func damagedKeyAndRequest(_ damage: Damage) throws {
        let dir = TempDirectory("bad-fp-key")
        try dir.write("host.key", damage.apply(to: material.key))
        try dir.write("host.csr", damage.apply(to: material.request))
        for command in ["fingerprint", "show"] {
            try expectFailureChangesNothing([command, "host.key"], in: dir, mentions: ["host.key"])
            try expectFailureChangesNothing([command, "host.csr"], in: dir, mentions: ["host.csr"])
        }
    }

    @Test("fingerprint and show refuse an encrypted key", arguments: ["pkcs8", "traditional"])
    func encryptedKeyInspected(_ kind: String) throws {
        let dir = TempDirectory("bad-enc")
        try dir.write("host.key", kind == "pkcs8" ? material.encryptedPKCS8Key : material.encryptedTraditionalKey)
        for command in ["fingerprint", "show"] {
            let result = try expectFailureChangesNothing([command, "host.key"], in: dir, mentions: ["host.key"])
            #expect(result.stderr.contains("encrypted"), "\(result.stderr)")
        }
    }

    @Test("fingerprint of several files fails as a whole on the first bad one, printing nothing")
    func fingerprintSeveralFilesOneBad() throws {
        let dir = TempDirectory("bad-fp-many")
        try dir.write("good.cert", material.certificate)
        try dir.write("bad.cert", Damage.cutBeforeEndLine.apply(to: material.certificate))
        let result = try expectFailureChangesNothing(["fingerprint", "good.cert", "bad.cert"], in: dir, mentions: ["bad.cert"])
        #expect(result.stdout.isEmpty, "no half result on stdout: \(result.stdout)")
    }

    @Test("fingerprint and show refuse special files without hanging", arguments: ["fifo", "/dev/zero", "/dev/null"])
    func specialFiles(_ what: String) throws {
        let dir = TempDirectory("bad-special")
        var path = what
        if what == "fifo" {
            try #require(mkfifo(dir.file("host.cert"), 0o644) == 0)
            path = "host.cert"
        }
        for command in ["fingerprint", "show"] {
            try expectFailureChangesNothing([command, path], in: dir, mentions: [path])
        }
    }

    @Test("fingerprint refuses a file holding only EC PARAMETERS")
    func fingerprintParametersOnly() throws {
        let dir = TempDirectory("bad-fp-params")
        try OpenSSL.expectSuccess(["ecparam", "-name", "prime256v1", "-out", "params.pem"], in: dir.path)
        try expectFailureChangesNothing(["fingerprint", "params.pem"], in: dir, mentions: ["params.pem"])
    }

    @Test("show and fingerprint accept a request and a key (they are not wrong types there)")
    func showAcceptsRequestAndKey() throws {
        let dir = TempDirectory("ok-show")
        try dir.write("host.csr", material.request)
        try dir.write("host.key", material.key)
        let before = DirectoryState.of(dir.path)
        for file in ["host.csr", "host.key"] {
            let shown = try mailtls(["show", file], in: dir)
            #expect(shown.stderr.isEmpty)
            #expect(shown.stdout.contains("spki sha256"))
            let printed = try mailtls(["fingerprint", file], in: dir)
            #expect(printed.stdout.contains("Fingerprint="))
        }
        #expect(before.differences(to: DirectoryState.of(dir.path)).isEmpty)
    }

    // MARK: self --csr

    @Test("self --csr refuses a bad request file", arguments: BadContent.all)
    func selfWithBadRequest(_ bad: BadContent) throws {
        let dir = TempDirectory("bad-self-csr")
        try dir.write("new.key", material.key)
        try bad.make("new.csr", in: dir, from: material.request)
        try expectFailureChangesNothing(["self", "--file", "new", "--csr", "new.csr"], in: dir, mentions: ["new.csr"])
    }

    @Test("self --csr refuses a certificate or a key given as the request",
          arguments: ["certificate", "key", "encrypted key"])
    func selfWithWrongTypeRequest(_ what: String) throws {
        let dir = TempDirectory("bad-self-type")
        try dir.write("new.key", material.key)
        let text = what == "certificate" ? material.certificate : what == "key" ? material.key : material.encryptedPKCS8Key
        try dir.write("given.csr", text)
        try expectFailureChangesNothing(["self", "--file", "new", "--csr", "given.csr"], in: dir, mentions: ["given.csr"])
    }

    @Test("self --csr refuses a request made for another key")
    func selfWithRequestOfAnotherKey() throws {
        let dir = TempDirectory("bad-self-mismatch")
        try dir.write("new.key", material.key)
        try dir.write("new.csr", material.otherRequest)
        let result = try expectFailureChangesNothing(["self", "--file", "new", "--csr", "new.csr"], in: dir, mentions: ["new.csr"])
        #expect(result.stderr.contains("new.key"), "should name the key it does not match: \(result.stderr)")
    }

    @Test("self --csr refuses a request whose signature does not verify")
    func selfWithForgedRequest() throws {
        let dir = TempDirectory("bad-self-sig")
        try dir.write("new.key", material.key)
        // Flip one bit in the last byte of the DER (inside the signature), keep it well-formed.
        var der = Array(BadContent.der(of: material.request))
        der[der.count - 1] ^= 0x01
        let pem = "-----BEGIN CERTIFICATE REQUEST-----\n"
            + Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
            + "\n-----END CERTIFICATE REQUEST-----\n"
        try dir.write("new.csr", pem)
        // openssl 3.0 exits 0 here but says so: the damaged request fails its check too.
        let checked = try OpenSSL.run(["req", "-in", "new.csr", "-verify", "-noout"], in: dir.path)
        #expect(checked.status != 0 || (checked.stdout + checked.stderr).contains("verify failure"))
        try expectFailureChangesNothing(["self", "--file", "new", "--csr", "new.csr"], in: dir, mentions: ["new.csr"])
    }

    @Test("self --csr without the key refuses and names the key")
    func selfWithRequestButNoKey() throws {
        let dir = TempDirectory("bad-self-nokey")
        try dir.write("new.csr", material.request)
        try expectFailureChangesNothing(["self", "--file", "new", "--csr", "new.csr"], in: dir, mentions: ["new.key"])
    }

    // MARK: csr and self with an existing key

    @Test("csr and self refuse a bad existing key", arguments: BadContent.present)
    func existingBadKey(_ bad: BadContent) throws {
        let dir = TempDirectory("bad-key")
        try bad.make("host.key", in: dir, from: material.key)
        try expectFailureChangesNothing(["csr", "--subject", "/CN=mail.example.org"], in: dir, mentions: ["host.key"])
        try expectFailureChangesNothing(["self", "--subject", "/CN=mail.example.org"], in: dir, mentions: ["host.key"])
    }

    @Test("csr and self refuse a certificate or request where the key belongs", arguments: ["certificate", "request"])
    func wrongTypeAsKey(_ what: String) throws {
        let dir = TempDirectory("bad-key-type")
        try dir.write("host.key", what == "certificate" ? material.certificate : material.request)
        try expectFailureChangesNothing(["csr", "--subject", "/CN=mail.example.org"], in: dir, mentions: ["host.key"])
        try expectFailureChangesNothing(["self", "--subject", "/CN=mail.example.org"], in: dir, mentions: ["host.key"])
    }

    @Test("csr and self refuse an encrypted key", arguments: ["pkcs8", "traditional"])
    func encryptedExistingKey(_ kind: String) throws {
        let dir = TempDirectory("bad-key-enc")
        try dir.write("host.key", kind == "pkcs8" ? material.encryptedPKCS8Key : material.encryptedTraditionalKey)
        try dir.write("other.csr", material.request)
        for command in [["csr", "--subject", "/CN=mail.example.org"], ["self", "--subject", "/CN=mail.example.org"],
                        ["self", "--csr", "other.csr"]] {
            let result = try expectFailureChangesNothing(command, in: dir, mentions: ["host.key"])
            #expect(result.stderr.contains("encrypted"))
            #expect(!result.stderr.contains("pass:"), "no secrets in errors")
        }
    }

    @Test("error messages do not leak source file locations")
    func noSourceLocationsInMessages() throws {
        let dir = TempDirectory("bad-leak")
        // A well-formed PEM block whose DER is nonsense: the ASN.1 parser's error text shows.
        let nonsense = Data((0..<300).map { UInt8(truncatingIfNeeded: $0 &* 7) }).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        try dir.write("host.cert", "-----BEGIN CERTIFICATE-----\n\(nonsense)\n-----END CERTIFICATE-----\n")
        let result = try expectFailureChangesNothing(["fingerprint", "host.cert"], in: dir, mentions: ["host.cert"])
        #expect(!result.stderr.contains(".swift"), "message shows a source location: \(result.stderr)")
    }
}

/// Bad options: a subject, name or key option mailtls cannot use. A usage error (exit 2):
/// nothing is made, not even the key or the --dir directory.
@Suite("CLI: bad options")
struct CLIBadOptionTests {
    static let badSubjects: [(subject: String, mention: String)] = [
        ("/C=USA/CN=x", "USA"),
        ("/C=US/XX=y/CN=x", "XX"),
        ("/CN=x/emailAddress=postmaster", "emailAddress"),
        ("/CN=mail\u{01}.example.org", "CN"),
        ("/CN=mail\n.example.org", "CN"),
        ("", "--subject"),
        ("/", "--subject"),
        ("CN=x,C=Germany", "Germany"),
    ]

    @Test("csr and self refuse an invalid subject and make nothing", arguments: CLIBadOptionTests.badSubjects)
    func invalidSubject(_ subject: String, _ mention: String) throws {
        let dir = TempDirectory("bad-subject")
        let target = dir.path + "/certs"
        for command in ["csr", "self"] {
            try expectFailureChangesNothing([command, "--dir", target, "--subject", subject], in: dir, mentions: [mention], status: usageErrorStatus)
            #expect(!FileManager.default.fileExists(atPath: target), "--dir was created")
        }
    }

    @Test("an invalid subject leaves an existing directory's files alone")
    func invalidSubjectWithExistingFiles() throws {
        let dir = TempDirectory("bad-subject-existing")
        try dir.write("host.key", CLIMaterial.shared.key)
        try dir.write("new.cert", CLIMaterial.shared.certificate)
        try expectFailureChangesNothing(["csr", "--subject", "/C=USA/CN=x"], in: dir, mentions: ["C"], status: usageErrorStatus)
        try expectFailureChangesNothing(["self", "--force", "--subject", "/C=USA/CN=x"], in: dir, mentions: ["C"], status: usageErrorStatus)
    }

    static let badNames = ["DNS:", "IP:999.1.1.1", "bad name!", "DNS:-x-.example..org", "email:postmaster"]

    @Test("csr and self refuse an invalid --san and make nothing", arguments: CLIBadOptionTests.badNames)
    func invalidAltName(_ san: String) throws {
        let dir = TempDirectory("bad-san")
        for command in ["csr", "self"] {
            try expectFailureChangesNothing([command, "--subject", "/CN=mail.example.org", "--san", san], in: dir, mentions: ["--san"], status: usageErrorStatus)
            #expect(dir.listing().isEmpty)
        }
    }

    static let badKeyOptions: [[String]] = [
        ["--bits", "1024"],
        ["--bits", "2047"],
        ["--format", "sec1"],
        ["--algorithm", "ecdsa-p256", "--format", "pkcs1"],
        ["--algorithm", "ed25519", "--format", "sec1"],
    ]

    @Test("rsa, csr and self refuse an unusable key option and make nothing", arguments: CLIBadOptionTests.badKeyOptions)
    func invalidKeyOption(_ options: [String]) throws {
        let dir = TempDirectory("bad-keyopt")
        let target = dir.path + "/certs"
        let mention = options[options.count - 2]
        try expectFailureChangesNothing(["rsa", "--dir", target] + options, in: dir, mentions: [mention], status: usageErrorStatus)
        try expectFailureChangesNothing(["csr", "--dir", target, "--subject", "/CN=x"] + options, in: dir, mentions: [mention], status: usageErrorStatus)
        try expectFailureChangesNothing(["self", "--dir", target, "--subject", "/CN=x"] + options, in: dir, mentions: [mention], status: usageErrorStatus)
        #expect(!FileManager.default.fileExists(atPath: target), "--dir was created")
    }

    @Test("csr without --subject refuses a bad key option before it asks or announces a subject",
          arguments: ["csr", "self"])
    func invalidKeyOptionBeforeSubject(_ command: String) throws {
        // stdin is a pipe, so mailtls would use the default subject and say so on stderr;
        // a bad --bits must be reported first and alone (on a terminal the admin would
        // otherwise answer every prompt before hearing that --bits is wrong).
        let dir = TempDirectory("bad-keyopt-order")
        try expectFailureChangesNothing([command, "--bits", "1024"], in: dir, mentions: ["--bits"], status: usageErrorStatus)
    }

    @Test("--dir naming a file is refused", arguments: [["rsa"], ["csr", "--subject", "/CN=x"], ["self", "--subject", "/CN=x"]])
    func dirIsAFile(_ command: [String]) throws {
        let dir = TempDirectory("bad-dir-file")
        try dir.write("plain", "not a directory\n")
        try expectFailureChangesNothing(command + ["--dir", "plain"], in: dir, mentions: ["plain"])
        try expectFailureChangesNothing(command + ["--dir", "plain/sub"], in: dir, mentions: ["plain"])
    }

    @Test("self refuses --days out of range", arguments: ["0", "36501", "100000"])
    func invalidDays(_ days: String) throws {
        let dir = TempDirectory("bad-days")
        try expectFailureChangesNothing(["self", "--subject", "/CN=x", "--days", days], in: dir, mentions: ["--days"], status: usageErrorStatus)
    }

    @Test("--file must be a plain name", arguments: ["../escape", "a/b", ".hidden", ".."])
    func invalidStem(_ stem: String) throws {
        let dir = TempDirectory("bad-stem")
        try FileManager.default.createDirectory(atPath: dir.file("sub"), withIntermediateDirectories: false)
        let sub = TempDirectoryView(dir, "sub")
        for command in [["rsa"], ["csr", "--subject", "/CN=x"], ["self", "--subject", "/CN=x"]] {
            try expectFailureChangesNothing(command + ["--dir", sub.path, "--file", stem], in: dir, mentions: ["--file"], status: usageErrorStatus)
        }
    }

    static let usageErrors: [[String]] = [
        ["rsa", "--algorithm", "dsa"],
        ["rsa", "--bits", "many"],
        ["rsa", "--format", "der"],
        ["self", "--days", "-5", "--subject", "/CN=x"],
        ["self", "--days", "ten", "--subject", "/CN=x"],
        ["csr", "--frobnicate"],
        ["promote", "--from"],
    ]

    @Test("values ArgumentParser rejects are usage errors (exit 2) and make nothing", arguments: CLIBadOptionTests.usageErrors)
    func usageError(_ arguments: [String]) throws {
        let dir = TempDirectory("bad-usage")
        let result = try MailTLSBinary.run(arguments + ["--dir", dir.path + "/certs"], in: dir.path)
        #expect(result.status == usageErrorStatus,
                "ARCHITECTURE.md: 2 for a usage error; got \(result.status)\n\(result.transcript)")
        #expect(result.stderr.contains(arguments[1]), "the message names the option: \(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(dir.listing().isEmpty, "nothing is made: \(dir.listing())")
    }
}

/// A subdirectory of a TempDirectory, by path only.
struct TempDirectoryView {
    let path: String
    init(_ parent: TempDirectory, _ name: String) { path = parent.file(name) }
}
