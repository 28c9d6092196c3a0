import ArgumentParser
import MailTLS

struct CACommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ca",
        abstract: "A small private CA for the mail hosts of a domain and for client certificates.",
        discussion: """
        The CA lives in one directory (default ./ca): ca.key (0600, never leaves it), ca.cert,
        index.json (every certificate issued, with its status), issued/<serial>.pem and ca.crl.

        A typical flow:
          mailtls ca init --subject "/O=Example/CN=Example Mail CA" --name-constraint example.org
          mailtls csr --dir /etc/mail/certs --subject /CN=mail.example.org
          mailtls ca sign /etc/mail/certs/host.csr        # host.cert, chain.pem, fullchain.pem
          mailtls ca list
          mailtls ca renew /etc/mail/certs/host.cert      # new.cert, same key; then mailtls promote
          mailtls ca revoke 3fa2… --reason superseded      # and rewrites ca.crl
        """,
        subcommands: [CAInitCommand.self, CASignCommand.self, CARenewCommand.self, CARevokeCommand.self,
                      CACRLCommand.self, CAListCommand.self]
    )
}

/// `--dir` of the CA commands: the CA directory.
struct CADirectoryOption: ParsableArguments {
    @Option(name: .long, help: "The CA directory.")
    var dir: String = "ca"

    var layout: CALayout { CALayout(directory: dir) }
}

extension LeafProfile: ExpressibleByArgument {}
extension RevocationReason: ExpressibleByArgument {}
