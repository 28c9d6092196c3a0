import ArgumentParser
import MailTLS
#if canImport(Glibc)
import Glibc
#endif

@main
struct MailTLSCommand: AsyncParsableCommand {
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
        version: MailTLSVersion.text,
        subcommands: [
            SetupCommand.self,
            RSACommand.self,
            CSRCommand.self,
            SelfCommand.self,
            FingerprintCommand.self,
            ShowCommand.self,
            PromoteCommand.self,
            CACommand.self,
            ACMECommand.self,
            CheckCommand.self,
            ConfigCommand.self,
            ProbeCommand.self,
            AuditCommand.self,
            ServeCommand.self,
            HeadersCommand.self,
            HashCommand.self, RehashCommand.self, BundleCommand.self,
            TLSACommand.self, RolloverCommand.self,
            MTASTSCommand.self,
            TLSRPTCommand.self,
        ]
    )

    /// ArgumentParser exits 64 (EX_USAGE) on a usage error; mailtls promises 2, so that
    /// scripts can tell "you called it wrong" from "it failed" (1) and "warnings" (3).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                // A library check run from validate() (usageCheck) already has mailtls's one-line form.
                let brief = message(for: error)
                Terminal.error(brief.hasPrefix(usageCheckPrefix) ? brief : fullMessage(for: error))
                Glibc.exit(2)
            }
            exit(withError: error)
        }
    }
}
