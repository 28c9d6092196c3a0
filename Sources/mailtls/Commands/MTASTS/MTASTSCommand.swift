import ArgumentParser
import MailTLS
import MailTLSAudit

struct MTASTSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mta-sts",
        abstract: "Publish your domain's MTA-STS policy (RFC 8461): write it, check it as published, change it safely.",
        discussion: """
        Examples:
          mailtls mta-sts policy --domain example.org
          mailtls mta-sts check example.org --policy mta-sts.txt
          mailtls mta-sts change --domain example.org --mode enforce
          mailtls mta-sts change --domain example.org \\
              --add-mx mx2.example.org --remove-mx mx1.example.org
          mailtls mta-sts serve --dir /etc/mail/mta-sts

        policy writes mta-sts.txt (mode testing, max_age one week, mx from DNS) and prints the TXT record to publish. The id in that record is derived from the policy's bytes, so it changes exactly when the policy does.

        """,
        subcommands: [MTASTSPolicyCommand.self, MTASTSCheckCommand.self, MTASTSChangeCommand.self, MTASTSServeCommand.self]
    )
}

/// What the `mta-sts` commands ask the network with: the same options as `audit`.
struct MTASTSNetworkOptions: ParsableArguments {
    @Option(name: .long, help: "The resolver to ask, HOST[:PORT] (default: /etc/resolv.conf's first).") var nameserver: String?
    @Option(name: .long, help: "WebPKI trust for the policy host: this PEM file (default: \(STSFetchOptions.systemBundle)).") var ca: String?
    @Option(name: .long, parsing: .singleValue, help: "Connect to ADDR:PORT when asked for NAME:PORT (e.g. mta-sts.example.org:443:127.0.0.1:8443); repeatable.")
    var connectTo: [String] = []
    @Option(name: .long, help: "Seconds allowed for the policy fetch.") var timeout: Double = 10

    func validate() throws {
        if timeout <= 0 || timeout > 600 { throw ValidationError("--timeout must be between 0 and 600 seconds") }
    }

    func resolver() throws -> DNSResolver {
        DNSResolver(nameserver: try nameserver.map { try DNSServerAddress(parsing: $0) })
    }

    func fetchOptions() throws -> STSFetchOptions {
        let anchors = STSFetchOptions.anchors(caFile: ca)
        if anchors.isEmpty {
            throw MailTLSError(ca ?? STSFetchOptions.systemBundle, "holds no certificate", remedy: "give a PEM file of trusted CAs with --ca")
        }
        return STSFetchOptions(anchors: anchors, timeout: timeout, connectTo: try connectTo.map { try ConnectTo(parsing: $0) })
    }
}

extension STSPolicy.Mode: ExpressibleByArgument {}

/// What `policy` and `change` print after writing a policy file.
enum MTASTSText {
    static func printPublication(_ publication: STSPublication, outcome: STSPolicyFile.Outcome, path: String) {
        switch outcome {
        case .written: print("; wrote \(path) (id \(publication.id))")
        case .unchanged: print("; \(path) already holds this policy (id \(publication.id))")
        case .replaced(let backup):
            print("; wrote \(path) (id \(publication.id))\(backup.map { ", the old policy kept as \($0)" } ?? "")")
        }
        print("; 1. serve it, unchanged, as \(publication.url) (text/plain, status 200, no redirect);")
        print(";    \(publication.policyHost) needs an address and a certificate naming it (mailtls acme issue --host \(publication.policyHost))")
        print("; 2. then publish (or replace) the TXT record:")
        print(publication.recordLine())
        print("; 3. check: mailtls mta-sts check \(publication.domain) --policy \(path)")
    }
}
