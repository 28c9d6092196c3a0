import ArgumentParser
import MailTLS
import MailTLSAudit

struct MTASTSCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the published policy: TXT id, served bytes vs the file, MX coverage, max_age, certificate.",
        discussion: """
        Looks up _mta-sts.DOMAIN, fetches https://mta-sts.DOMAIN/.well-known/mta-sts.txt as a sender does, and compares: an id not bumped when the policy changed, a file not yet published, an MX host no pattern covers, max_age out of range, the policy host's certificate (chain, name, expiry within 30 days).

        Exit status: 0 all good, 3 warnings, 1 errors.
        """
    )
    @Argument(help: "The mail domain.") var domain: String
    @Option(name: .long, help: "The policy file on disk to compare (e.g. mta-sts.txt).") var policy: String?
    @OptionGroup var network: MTASTSNetworkOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        var status: Int32 = 0
        try await reportingFailuresAsync {
            let check = STSPublishedCheck(resolver: try network.resolver(), fetch: try network.fetchOptions())
            let findings = await check.run(domain: domain, policyFile: policy)
            if output.json {
                try JSONOutput.print(findings)
            } else {
                findings.forEach { print(FindingPrinter.row($0)) }
            }
            status = ExitStatus.of(findings)
        }
        if status != 0 { throw ExitCode(status) }
    }
}
