import ArgumentParser
import MailTLS
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "A small STARTTLS SMTP test server on a certs directory.",
        discussion: """
        Greets, offers STARTTLS, upgrades, accepts messages and discards them (or stores them
        with a Received header in Sendmail's form, --maildir). Logs one line per session with
        its TLS facts. For trying probe and check without a mail server.

        Examples:
          mailtls serve --dir certs --port 2525
          mailtls serve --dir certs --port 2525 --require-tls --ask-client-cert --maildir /tmp/mail
        """
    )

    @Option(name: .long, help: "The certs directory (host.key, host.cert, CA/).") var dir: String = "."
    @Option(name: .long, help: "The port (0 picks a free one).") var port: Int = 2525
    @Option(name: .long, help: "The address to listen on.") var listen: String = "127.0.0.1"
    @Flag(name: .long, help: "Refuse mail before STARTTLS.") var requireTls = false
    @Flag(name: .long, help: "Ask clients for a certificate and verify it against CA/ and cacert.pem.") var askClientCert = false
    @Option(name: .long, help: "Store received messages in this directory.") var maildir: String?
    @Option(name: .long, help: "The host name in the greeting (default: this machine's FQDN).") var hostname: String?
    @Option(name: .long, help: "Seconds of client silence before the session is closed.") var idleTimeout: Double = 120

    func run() async throws {
        try await reportingFailuresAsync {
            if let maildir { try Directories.make(maildir) }
            let options = ServeOptions(hostName: hostname ?? HostName.fullyQualified(), requireTLS: requireTls,
                                       askClientCertificate: askClientCert, maildir: maildir, idleTimeout: idleTimeout)
            let server = try await SMTPTestServer.start(layout: CertsLayout(directory: dir), options: options, listen: listen, port: port) { session in
                let tls = session.tlsVersion.map { "\($0) \(session.cipher ?? "") verify=\(session.verify)" } ?? "no TLS"
                print("session \(session.peer) ehlo=\(session.ehlo ?? "-") \(tls) messages=\(session.messages)\(session.note.map { " (\($0))" } ?? "")")
                fflush(nil)
            }
            print("listening on \(listen):\(server.port) (ctrl-c to stop)")
            fflush(nil)
            try await server.wait()
        }
    }
}
