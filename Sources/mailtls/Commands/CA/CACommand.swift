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

/// Where a signed certificate goes: `--out FILE`, else beside the request (`x.csr` → `x.cert`).
enum OutputLayout {
    static func from(out: String?, besides input: String, stem defaultStem: String? = nil) -> CertsLayout {
        let path = out ?? input
        var name = Paths.fileName(of: path)
        for suffix in [".csr", ".cert", ".crt", ".pem", ".req"] where name.hasSuffix(suffix) {
            name = String(name.dropLast(suffix.count))
            break
        }
        return CertsLayout(directory: Paths.directory(of: path), stem: out == nil ? (defaultStem ?? name) : name)
    }
}

extension LeafProfile: ExpressibleByArgument {}
extension RevocationReason: ExpressibleByArgument {}
