import ArgumentParser
import MailTLS

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Print (or apply) the MTA settings for a certs directory.",
        discussion: """
        sendmail: the sendmail.mc defines (server and client certificate and key, CACERT,
        CACERT_PATH, CRL when ca.crl exists). submit: the submit.mc variant for the MSP, which
        runs as smmsp and needs DontBlameSendmail=GroupReadableKeyFile. postfix: main.cf lines.
        --apply edits the file in place: a dated backup first, only these settings changed,
        nothing written when it already says this.

        Examples:
          mailtls config sendmail --dir /etc/mail/certs
          mailtls config sendmail --dir /etc/mail/certs --apply /etc/mail/sendmail.mc
          mailtls config postfix --dir /etc/postfix/tls --apply /etc/postfix/main.cf
        """
    )

    @Argument(help: "sendmail, submit or postfix.") var target: ConfigLines.Target
    @Option(name: .long, help: "The certs directory.") var dir: String = "."
    @Option(name: .long, help: "Edit this sendmail.mc, submit.mc or main.cf in place.") var apply: String?

    func run() throws {
        try reportingFailures {
            let directory = AbsolutePath.of(dir)
            guard FileReading.isDirectory(directory) else {
                throw MailTLSError(dir, "is not a directory", remedy: "give the certs directory with --dir (mailtls setup makes one)")
            }
            let lines = ConfigLines.forDirectory(directory, target: target)
            guard let apply else {
                for line in lines.lines { print(line) }
                return
            }
            let result = try ConfigEditor.apply(lines, to: apply)
            if result.changed {
                if let backup = result.backup { print("kept \(backup)") }
                print("updated \(apply): \(lines.settings.count) TLS settings")
                print("next: \(lines.rebuildHint)")
            } else {
                print("\(apply) already has these settings; nothing changed")
            }
        }
    }
}

extension ConfigLines.Target: ExpressibleByArgument {}
