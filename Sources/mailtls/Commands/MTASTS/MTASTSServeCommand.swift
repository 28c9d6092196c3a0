import ArgumentParser
import MailTLS
import MailTLSAudit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct MTASTSServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the policy over HTTPS as mta-sts.DOMAIN, for hosts without a web server.",
        discussion: """
        Answers only GET /.well-known/mta-sts.txt, with the policy file as text/plain (re-read for every request, so a changed policy is served at once); everything else gets 404, nothing is redirected. The certificate and key are the certs directory's (fullchain.pem or host.cert, and host.key): get one naming mta-sts.DOMAIN, e.g. mailtls acme issue --host mta-sts.example.org.

        Example:
          mailtls mta-sts serve --dir /etc/mail/mta-sts --policy /etc/mail/mta-sts.txt
        """
    )
    @Option(name: .long, help: "The certs directory with the policy host's key and certificate.") var dir: String = "."
    @Option(name: .long, help: "The file name stem of the key and certificate (host: host.key, host.cert).") var file: String = "host"
    @Option(name: .long, help: "The policy file to serve.") var policy: String = "mta-sts.txt"
    @Option(name: .long, help: "ADDR:PORT to listen on ([::]:443 for IPv6; port 0 picks a free one).") var listen: String = "0.0.0.0:443"

    func run() async throws {
        try await reportingFailuresAsync {
            let (host, port) = try Self.address(listen)
            let layout = try CertsLayout(directory: dir, stem: file).validated()
            let server = try await STSPolicyServer.start(layout: layout, policyFile: policy, host: host, port: port) { line in
                print(line)
                fflush(nil)
            }
            print("serving \(policy) at https://\(host):\(server.port)\(STSPublication.wellKnownPath) (ctrl-c to stop)")
            fflush(nil)
            try await server.wait()
        }
    }

    /// `0.0.0.0:443`, `[::]:443`.
    static func address(_ text: String) throws -> (String, Int) {
        let bad = MailTLSError("--listen \(text)", "is not ADDR:PORT", remedy: "write e.g. 0.0.0.0:443 or [::]:443")
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { throw bad }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw bad }
        return (host, port)
    }
}
