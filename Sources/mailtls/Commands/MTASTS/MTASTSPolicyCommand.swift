import ArgumentParser
import MailTLS
import MailTLSAudit

struct MTASTSPolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Write the policy file and print the DNS record to publish.",
        discussion: """
        The mx patterns default to the domain's MX hosts (looked up through --nameserver); given ones (--mx, repeatable; *.example.org covers exactly one more label) are checked against them. A first policy should be mode testing (the default): senders report but deliver. max_age defaults to 604800 (one week, RFC 8461's "weeks or greater"). The file has CRLF line ends; an existing different file is replaced only with --force.
        """
    )
    @Option(name: .long, help: "The mail domain (example.org).") var domain: String
    @Option(name: .long, parsing: .singleValue, help: "An MX host pattern; repeatable (default: the domain's MX hosts).") var mx: [String] = []
    @Option(name: .long, help: "testing, enforce or none.") var mode: STSPolicy.Mode = STSPolicyDraft.defaultMode
    @Option(name: .customLong("max-age"), help: "Seconds senders may cache the policy.") var maxAge: Int = STSPolicyDraft.defaultMaxAge
    @Option(name: .long, help: "The policy file to write.") var out: String = "mta-sts.txt"
    @Flag(name: .long, help: "Replace an existing different policy file (kept as a dated backup).") var force = false
    @OptionGroup var network: MTASTSNetworkOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        try usageCheck { try STSPolicyDraft.checkOptions(patterns: mx, maxAge: maxAge) }
    }

    func run() async throws {
        try await reportingFailuresAsync {
            let hosts = await STSMXLookup.hosts(of: domain, resolver: try network.resolver())
            let (publication, remarks) = try STSPolicyDraft.make(domain: domain, patterns: mx, mode: mode, maxAge: maxAge, mxHosts: hosts)
            FindingPrinter.printRemarks(remarks)
            let outcome = try STSPolicyFile.write(publication, to: out, force: force)
            if output.json {
                try JSONOutput.print(MTASTSPublicationJSON(publication, outcome: outcome, path: out))
            } else {
                MTASTSText.printPublication(publication, outcome: outcome, path: out)
            }
        }
    }
}
