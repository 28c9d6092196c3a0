import ArgumentParser
import MailTLS
import MailTLSACME

struct ACMERevokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Ask the ACME CA to revoke a certificate it issued (default: host.cert).",
        discussion: """
        Signed with the account in acme/ that ordered it. The files stay in place: issue a new
        certificate (with --rekey after a key compromise) and reload the MTA.

        Examples:
          mailtls acme revoke --dir /etc/mail/certs --reason superseded
          mailtls acme revoke old-host.cert --reason keyCompromise
        """
    )

    @Argument(help: "The certificate to revoke (default: DIR/host.cert).") var certificate: String?
    @Option(name: .long, help: "The certs directory whose acme/ holds the account.") var dir: String = "."
    @Option(name: .long, help: "unspecified, keyCompromise, affiliationChanged, superseded or cessationOfOperation.") var reason: RevocationReason = .unspecified
    @OptionGroup var server: ACMEServerOptions
    @OptionGroup var run: ACMERunOptions

    func run() async throws {
        try await reportingFailuresAsync {
            let path = certificate ?? CertsLayout(directory: dir).certificatePath
            let revoked = try await ACMERevocation.run(certsDirectory: dir, certificate: path, reason: reason,
                                                       server: server.chosen, timeout: run.timeout)
            print("revoked \(path) (serial \(revoked.serial)) at \(revoked.server), reason \(reason.rawValue)")
        }
    }
}
