import ArgumentParser
import MailTLS

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Find what Sendmail or Postfix would trip over in its TLS files, before it does.",
        discussion: """
        Reads where the files are from the MTA's configuration (--config sendmail.mc,
        sendmail.cf or main.cf), else from the certs directory layout (host.key, host.cert,
        cacert.pem, CA/). Each finding names its rule, the file, the reason and the fix.
        Exit status: 0 all good, 3 warnings only, 1 errors — for cron and monitoring.

        Examples:
          mailtls check
          mailtls check --config /etc/mail/sendmail.mc --host mail.example.org
          mailtls check --mta postfix --config /etc/postfix/main.cf --json
          mailtls check --fix            # modes, owners, hash links
          mailtls check --tlsa tlsa.txt  # the certificate matches the TLSA records
          mailtls check --tlsa dns       # ... those in DNS, DNSSEC-validated
        """
    )

    @Option(name: .long, help: "The certs directory (when no --config is given).") var dir: String = "."
    @Option(name: .long, help: "sendmail or postfix (default: from --config, else sendmail).") var mta: TLSFileSet.MTA?
    @Option(name: .long, help: "The MTA's configuration: sendmail.mc, sendmail.cf or Postfix main.cf.") var config: String?
    @Option(name: .long, help: "The host name the certificate must name (default: the config's, else this machine's).") var host: String?
    @Option(name: .long, help: "Warn when the certificate expires within this many days.") var warnDays = 30
    @Option(name: .long, help: "TLSA records as published (a file of zone lines or dig +short output, or dns: _25._tcp.<host> through the validating resolver): warn when the certificate matches none.") var tlsa: String?
    @Option(name: .long, help: "With --tlsa dns: the validating resolver to ask, HOST[:PORT] (default: /etc/resolv.conf's first).") var nameserver: String?
    @Flag(name: .long, help: "Repair modes, owners and hash links, then check again.") var fix = false
    @Flag(name: .long, help: "Print only problems and the verdict.") var quiet = false
    @OptionGroup var output: OutputOptions

    func run() async throws {
        var status: Int32 = 0
        try await reportingFailuresAsync {
            let resolver = DNSResolver(nameserver: try nameserver.map { try DNSServerAddress(parsing: $0) })
            let files = try Checker.fileSet(config: config, mta: mta, directory: dir)
            if fix {
                for action in try Fixer.fix(files) where !output.json { print("fixed: \(action)") }
            }
            let hostName = host ?? files.hostName ?? HostName.fullyQualified()
            let report = await Checker.run(files, hostName: hostName, warnDays: warnDays, tlsa: tlsa, resolver: resolver)
            status = report.exitStatus
            if output.json { return try JSONOutput.print(JSONReport(report)) }
            print("checking \(files.mta.rawValue) TLS files from \(files.source) for \(hostName)")
            for finding in report.findings where !(quiet && finding.severity == .ok) {
                print(FindingPrinter.row(finding))
            }
            print(report.verdict)
        }
        if status != 0 { throw ExitCode(status) }
    }
}

extension TLSFileSet.MTA: ExpressibleByArgument {}

/// `check --json`: the files, every finding, and the verdict with its exit status.
struct JSONReport: Encodable {
    var files: TLSFileSet
    var findings: [Finding]
    var verdict: String
    var status: Int32

    init(_ report: CheckReport) {
        files = report.files
        findings = report.findings
        verdict = report.verdict
        status = report.exitStatus
    }
}
