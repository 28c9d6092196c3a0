import ArgumentParser
import MailTLS
import MailTLSACME

struct ACMECommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "acme",
        abstract: "Certificates from an ACME CA (Let's Encrypt and others), deployed for Sendmail and Postfix.",
        discussion: """
        The account key (acme/account.key, 0600), the accounts registered with it and how the
        certificate was issued (acme/renewal.json) live in the certs directory's acme/.
        The certificate is for the key the server already has (host.key), so TLSA 3 1 1
        records stay valid across renewals; --rekey makes a new key on purpose.

        A typical flow:
          mailtls acme account --email postmaster@example.org --agree-tos
          mailtls acme issue --dir /etc/mail/certs --host mail.example.org --deploy-hook 'systemctl reload sendmail'
          # cron, twice a day:
          17 3,15 * * * root mailtls acme renew --dir /etc/mail/certs
        """,
        subcommands: [ACMEAccountCommand.self, ACMEIssueCommand.self, ACMERenewCommand.self, ACMERevokeCommand.self]
    )
}

/// `--server`, `--staging`, `--ca-bundle`: which ACME server, and how to trust it.
struct ACMEServerOptions: ParsableArguments {
    @Option(name: .long, help: "The ACME directory URL (default: Let's Encrypt).")
    var server: String?

    @Flag(name: .long, help: "Use Let's Encrypt's staging server (untrusted certificates, generous limits: for trying things out).")
    var staging = false

    @Option(name: .long, help: "A PEM file of the CA that signed the ACME server's HTTPS certificate (a private ACME server).")
    var caBundle: String?

    func validate() throws {
        try usageCheck {
            if staging && server != nil {
                throw MailTLSError("--staging", "cannot be combined with --server", remedy: "give one of them")
            }
            if let server, !(server.hasPrefix("https://") || server.hasPrefix("http://")) {
                throw MailTLSError("--server \(server)", "is not a URL", remedy: "give the CA's ACME directory URL, e.g. \(ACMEServer.letsEncrypt)")
            }
        }
    }

    /// The server named by --server or --staging, nil when neither was given.
    var named: ACMEServer? {
        if let server { return ACMEServer(directory: server, caBundle: caBundle) }
        return staging ? ACMEServer(directory: ACMEServer.letsEncryptStaging, caBundle: caBundle) : nil
    }

    /// The server asked for, or nil when none was (so a renewal's own settings apply).
    var chosen: ACMEServer? {
        named ?? caBundle.map { ACMEServer(directory: ACMEServer.letsEncrypt, caBundle: $0) }
    }

    /// The server asked for, else Let's Encrypt.
    var resolved: ACMEServer { chosen ?? ACMEServer() }
}

/// `--timeout`, `--verbose`: bounds and chatter of a run that talks to a CA.
struct ACMERunOptions: ParsableArguments {
    @Option(name: .long, help: "Give up after this many seconds (the certificate in service stays).")
    var timeout: Double = 300

    @Flag(name: .shortAndLong, help: "Print each step of the order.")
    var verbose = false

    var progress: @Sendable (String) -> Void {
        if verbose { return { line in print("  \(line)") } }
        return { _ in }
    }
}
