import ArgumentParser
import MailTLS

@main
struct MailTLSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mailtls",
        abstract: "Keys, certificates and CA directories for Sendmail and Postfix, and STARTTLS checks.",
        discussion: """
        Run it in the MTA's certs directory (e.g. /etc/mail/certs), as the old certs/Makefile was run:
          mailtls rsa            make host.key
          mailtls csr            make host.csr to send to a CA
          mailtls self           make a self-signed host.cert
          mailtls fingerprint    show host.cert's fingerprint
          mailtls csr --file new ... mailtls promote     renew: new.* replaces host.*
        """,
        version: MailTLSVersion.string,
        subcommands: [
            SetupCommand.self,
            RSACommand.self,
            CSRCommand.self,
            SelfCommand.self,
            FingerprintCommand.self,
            ShowCommand.self,
            PromoteCommand.self,
            CACommand.self,
        ]
    )
}
