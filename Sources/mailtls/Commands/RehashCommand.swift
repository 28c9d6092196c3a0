import ArgumentParser
import MailTLS
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct RehashCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rehash",
        abstract: "Make OpenSSL's subject-hash links in a CA directory (CACertPath, smtpd_tls_CApath).",
        discussion: """
        The same links as `openssl rehash` (hhhhhhhh.N for certificates, hhhhhhhh.rN for CRLs), made more carefully: correct links are left alone, every stale hash link is removed, a regular file or a link that leads out of the directory is never touched, a bundle is an error (split it with `mailtls bundle split`), DER files are read too, and expired or non-CA certificates are reported. Nothing is written when nothing changes.

        Directory: the arguments, else $SSL_CERT_DIR (colon-separated), else ./CA.

        Exit status: 0 all well, 1 an error (a file left out, a link not made), 3 warnings only.

        Examples:
          mailtls rehash CA
          mailtls rehash --dry-run /etc/mail/certs/CA
          mailtls rehash --compat --json CA
        """
    )

    @Argument(help: "CA directories (default: $SSL_CERT_DIR, else ./CA).")
    var directories: [String] = []
    @Flag(name: .long, help: "Old-style (MD5, OpenSSL before 1.0) hash links only.")
    var old = false
    @Flag(name: .long, help: "Both new and old hash links.")
    var compat = false
    @Flag(name: [.customShort("n"), .long], help: "Print the plan; change nothing.")
    var dryRun = false
    @Flag(name: .long, help: "Print only problems.")
    var quiet = false
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if old && compat { throw ValidationError("--old and --compat exclude each other") }
    }

    struct DirectoryReport: Encodable {
        var directory: String
        var hashes: String
        var dryRun: Bool
        var certificates: Int
        var crls: Int
        var created: Int
        var replaced: Int
        var removed: Int
        var kept: Int
        var links: [RehashPlan.Link]
        var findings: [Finding]
    }

    func run() throws {
        var status: Int32 = 0
        try reportingFailures {
            let targets = try resolvedDirectories()
            let options = RehashOptions(hashes: old ? .old : compat ? .both : .new,
                                        now: Int64(Date().timeIntervalSince1970))
            var reports: [DirectoryReport] = []
            var failed = false
            for directory in targets {
                do {
                    let outcome = try Rehash.run(directory, options: options, dryRun: dryRun)
                    let plan = outcome.plan
                    let counts = plan.counts
                    let report = DirectoryReport(
                        directory: directory, hashes: plan.hashes.rawValue, dryRun: dryRun,
                        certificates: plan.certificateCount, crls: plan.crlCount,
                        created: counts[.create, default: 0], replaced: counts[.replace, default: 0],
                        removed: counts[.remove, default: 0], kept: counts[.keep, default: 0],
                        links: output.json ? plan.links : plan.changes, findings: outcome.findings)
                    reports.append(report)
                    status = ExitStatus.worse(status, ExitStatus.of(outcome.findings))
                    if !output.json { printText(report) }
                } catch let error as MailTLSError {
                    Terminal.error("mailtls: \(error)")
                    failed = true
                }
            }
            if output.json { try JSONOutput.print(reports) }
            if failed { status = 1 }
        }
        if status != 0 { throw ExitCode(status) }
    }

    private func printText(_ report: DirectoryReport) {
        if !quiet {
            let verb = report.dryRun ? "would make" : "made"
            var parts = ["\(verb) \(report.created) link\(report.created == 1 ? "" : "s")"]
            if report.replaced > 0 { parts.append("\(report.dryRun ? "would replace" : "replaced") \(report.replaced)") }
            if report.removed > 0 { parts.append("\(report.dryRun ? "would remove" : "removed") \(report.removed)") }
            parts.append("kept \(report.kept)")
            let crls = report.crls > 0 ? ", \(report.crls) CRL\(report.crls == 1 ? "" : "s")" : ""
            print("\(report.directory): \(report.certificates) certificate\(report.certificates == 1 ? "" : "s")\(crls); \(parts.joined(separator: ", "))")
            for link in report.links {
                switch link.action {
                case .create: print("  + \(link.name) -> \(link.target)")
                case .replace: print("  ~ \(link.name) -> \(link.target) (was \(link.previousTarget ?? "?"))")
                case .remove: print("  - \(link.name) -> \(link.target)")
                case .keep: break
                }
            }
        }
        FindingPrinter.printRemarks(report.findings)
    }

    /// The arguments, else $SSL_CERT_DIR, else ./CA.
    private func resolvedDirectories() throws -> [String] {
        if !directories.isEmpty { return directories }
        if let env = ProcessInfo.processInfo.environment["SSL_CERT_DIR"], !env.isEmpty {
            return env.split(separator: ":").map(String.init)
        }
        if FileReading.isDirectory("CA") { return ["CA"] }
        throw MailTLSError("rehash", "no CA directory given, $SSL_CERT_DIR is unset and there is no ./CA",
                           remedy: "name the directory: mailtls rehash /etc/mail/certs/CA")
    }
}
