import ArgumentParser
import MailTLS
import MailTLSAudit
#if canImport(Glibc)
import Glibc
#endif

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "A domain's inbound mail TLS as senders see it: MX, DNSSEC, DANE, MTA-STS, TLS-RPT, every MX probed.",
        discussion: """
        Asks a validating resolver (its AD bit is trusted, as Postfix does; it must be on this host), finds the MX hosts (null MX, no MX, CNAMEs), their addresses and TLSA records (RFC 7672), the MTA-STS policy (RFC 8461) and TLS-RPT record (RFC 8460), then probes every MX address over STARTTLS. Verdicts per address and per domain: dane-secure, sts-enforced, sts-testing, opportunistic, no-tls, unreachable, dane-failed, sts-failed, dnssec-bogus, no-mail, no-such-domain, dns-error.

        Exit status: 0 all good, 3 warnings (e.g. opportunistic TLS only), 1 failures.

        Examples:
          mailtls audit example.org
          mailtls audit example.org example.net --json
          mailtls audit --domains domains.txt --concurrency 50 --json > results.jsonl
          mailtls audit example.test --nameserver 127.0.0.1:5353 --ca test-ca.pem \\
              --connect-to mx.example.test:25:127.0.0.1:2525
        """
    )

    @Argument(help: "The domains to audit.") var domains: [String] = []
    @Option(name: .customLong("domains"), help: "Audit every domain listed in this file, one per line (- for stdin).") var domainsFile: String?
    @Option(name: .long, help: "How many domains at once.") var concurrency: Int = 16
    @Option(name: .long, help: "The validating resolver to ask, HOST[:PORT] (default: /etc/resolv.conf's first).") var nameserver: String?
    @Option(name: .long, help: "WebPKI trust for MTA-STS: this PEM file (default: \(STSFetchOptions.systemBundle)).") var ca: String?
    @Option(name: .long, parsing: .singleValue, help: "Connect to ADDR:PORT when asked for NAME:PORT (an MX host, an MX address or mta-sts.DOMAIN:443); repeatable.")
    var connectTo: [String] = []
    @Option(name: .long, help: "Seconds allowed for each probe phase and each policy fetch.") var timeout: Double = 10
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if domains.isEmpty == (domainsFile == nil) { throw ValidationError("give DOMAIN..., or --domains FILE") }
        if concurrency < 1 || concurrency > 1024 { throw ValidationError("--concurrency must be between 1 and 1024") }
        if timeout <= 0 || timeout > 600 { throw ValidationError("--timeout must be between 0 and 600 seconds") }
    }

    func run() async throws {
        var status: Int32 = 0
        try await reportingFailuresAsync {
            let options = try auditOptions()
            let auditor = await DomainAuditor.make(options)
            if !output.json { AuditText.printResolver(auditor.resolverCheck) }
            let bulk = domainsFile != nil
            let progress = bulk && isatty(2) == 1
            var summary = AuditSummary()
            let list: DomainList = domainsFile.map { DomainList(path: $0) } ?? DomainList(names: domains)
            try await AuditBatch.run(list, auditor: auditor, concurrency: concurrency) { report in
                summary.add(report)
                if output.json {
                    try? JSONOutput.printLine(report)
                } else {
                    AuditText.printReport(report, brief: bulk)
                }
                if progress { Terminal.progress("\(summary.domains) domains audited") }
            }
            if progress { Terminal.progress("") }
            if bulk || domains.count > 1 {
                let lines = AuditText.summary(summary)
                if output.json { lines.forEach(Terminal.error) } else { lines.forEach { Swift.print($0) } }
            }
            status = summary.exitStatus
        }
        if status != 0 { throw ExitCode(status) }
    }

    func auditOptions() throws -> AuditOptions {
        let server = try nameserver.map { try DNSServerAddress(parsing: $0) }
        let trustFile = ca ?? STSFetchOptions.systemBundle
        let anchors = STSFetchOptions.anchors(caFile: ca)
        if anchors.isEmpty {
            throw MailTLSError(trustFile, "holds no certificate", remedy: "give a PEM file of trusted CAs with --ca")
        }
        return AuditOptions(resolver: DNSResolver(nameserver: server), anchors: anchors,
                            connectTo: try connectTo.map { try ConnectTo(parsing: $0) }, timeout: timeout)
    }
}
