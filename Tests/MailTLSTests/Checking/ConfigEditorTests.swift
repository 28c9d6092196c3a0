import Testing
import Foundation
@testable import MailTLS

@Suite("config lines and --apply")
struct ConfigEditorTests {
    static let mc = """
    divert(-1)dnl
    include(`/usr/share/sendmail/cf/m4/cf.m4')dnl
    define(`confCACERT', `/old/cacert.pem')dnl
    define(`confSERVER_KEY', `/old/host.key')dnl
    FEATURE(`access_db')dnl
    MAILER(`local')dnl
    MAILER(`smtp')dnl

    """

    @Test("sendmail.mc: old TLS defines replaced, new ones before the first MAILER, everything else kept")
    func sendmailMC() throws {
        let dir = TempDirectory()
        let lines = ConfigLines.forDirectory(dir.path, target: .sendmail)
        let edited = ConfigEditor.edited(Self.mc, with: lines)
        let editedLines = edited.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(!edited.contains("/old/"))
        #expect(editedLines.contains("FEATURE(`access_db')dnl"))
        let firstMailer = editedLines.firstIndex(of: "MAILER(`local')dnl")!
        for line in lines.lines { #expect(editedLines.firstIndex(of: line)! < firstMailer) }
        #expect(ConfigEditor.edited(edited, with: lines) == edited, "applying twice changes nothing")
        // The parser reads back exactly what was written.
        let files = SendmailConfig.parseMC(edited, source: "x")
        #expect(files.serverKey == dir.path + "/host.key" && files.caFile == dir.path + "/cacert.pem" && files.caPath == dir.path + "/CA")
    }

    @Test("submit.mc gets the client key and GroupReadableKeyFile, not the server lines")
    func submit() {
        let names = ConfigLines.forDirectory("/etc/mail/certs", target: .submit).settings.map(\.name)
        #expect(names == ["confCACERT_PATH", "confCACERT", "confCLIENT_CERT", "confCLIENT_KEY", "confDONT_BLAME_SENDMAIL"])
    }

    @Test("main.cf: settings replaced in place with their continuation lines, missing ones appended, idempotent")
    func mainCF() throws {
        let text = """
        myhostname = mx.example.org
        smtpd_tls_chain_files =
            /old/key.pem,
            /old/cert.pem
        smtpd_tls_security_level = encrypt
        relayhost =

        """
        let lines = ConfigLines.forDirectory("/etc/postfix/tls", target: .postfix)
        let edited = ConfigEditor.edited(text, with: lines)
        #expect(!edited.contains("/old/"))
        #expect(edited.contains("myhostname = mx.example.org\nsmtpd_tls_chain_files = /etc/postfix/tls/host.key, /etc/postfix/tls/host.cert\nsmtpd_tls_security_level = may\nrelayhost ="))
        #expect(edited.contains("# TLS files (mailtls config postfix)\nsmtpd_tls_CAfile = /etc/postfix/tls/cacert.pem"))
        #expect(ConfigEditor.edited(edited, with: lines) == edited)
        let files = PostfixConfig.parse(edited, source: "main.cf")
        #expect(files.serverKey == "/etc/postfix/tls/host.key" && files.caPath == "/etc/postfix/tls/CA")
    }

    @Test("--apply keeps a dated backup, then a second run writes nothing")
    func applyCLI() throws {
        let dir = TempDirectory()
        try dir.write("sendmail.mc", Self.mc)
        let first = try MailTLSBinary.run(["config", "sendmail", "--dir", dir.path, "--apply", dir.file("sendmail.mc")])
        #expect(first.status == 0, "\(first.stderr)")
        let backups = dir.listing().filter { $0.hasPrefix("sendmail.mc.") }
        #expect(backups.count == 1)
        #expect(try dir.read(backups[0]) == Self.mc)
        #expect(first.stdout.contains("next: rebuild sendmail.cf"))
        let before = dir.snapshot()
        let second = try MailTLSBinary.run(["config", "sendmail", "--dir", dir.path, "--apply", dir.file("sendmail.mc")])
        #expect(second.status == 0 && second.stdout.contains("nothing changed"))
        #expect(dir.snapshot() == before)
        let missing = try MailTLSBinary.run(["config", "postfix", "--dir", dir.file("nope")])
        #expect(missing.status == 1 && missing.stderr.hasPrefix("mailtls: \(dir.file("nope")): is not a directory"))
    }
}
