import ArgumentParser
import MailTLS
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct BundleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle",
        abstract: "Split a PEM bundle into a CA directory, build cacert.pem from one, check a bundle.",
        discussion: """
        Sendmail and Postfix take CA certificates two ways: a hashed directory (CACertPath, smtpd_tls_CApath) and a single file (CACertFile, smtpd_tls_CAfile). These commands move certificates between the two.

        Examples:
          mailtls bundle split /etc/ssl/certs/ca-certificates.crt --into CA
          mailtls bundle join CA --out cacert.pem
          mailtls bundle check cacert.pem
          mailtls bundle add partner-ca.pem --to CA
        """,
        subcommands: [Split.self, Join.self, Check.self, Add.self]
    )

    static var now: Int64 { Int64(Date().timeIntervalSince1970) }

    /// Rehashes `directory` after a change and prints one summary line; returns the findings.
    static func rehash(_ directory: String) throws -> [Finding] {
        let outcome = try Rehash.run(directory, options: RehashOptions(hashes: .new, now: now), dryRun: false)
        let plan = outcome.plan
        print("rehashed \(directory): made \(plan.count(.create)) link\(plan.count(.create) == 1 ? "" : "s"), kept \(plan.count(.keep))"
              + (plan.count(.remove) + plan.count(.replace) > 0 ? ", replaced \(plan.count(.replace)), removed \(plan.count(.remove))" : ""))
        return outcome.findings
    }

    struct Split: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Split a PEM bundle into one file per certificate, then rehash.",
            discussion: "Names come from the subject plus the start of the SHA-256 fingerprint (ISRG_Root_X1_96bcec06.pem), so splitting a newer bundle into the same directory adds only what is new. Existing files are never overwritten.")

        @Argument(help: "The bundle, e.g. /etc/ssl/certs/ca-certificates.crt or /usr/local/share/certs/ca-root-nss.crt.")
        var bundle: String
        @Option(name: .long, help: "The CA directory to fill (made if missing).")
        var into: String
        @Flag(name: .long, help: "Do not rehash afterwards.")
        var noRehash = false

        func run() throws {
            var status: Int32 = 0
            try reportingFailures {
                let outcome = try BundleSplit.split(bundle, into: into)
                print("wrote \(outcome.written.count) file\(outcome.written.count == 1 ? "" : "s") into \(into)"
                      + (outcome.present.isEmpty ? "" : ", \(outcome.present.count) already there")
                      + (outcome.duplicates == 0 ? "" : ", skipped \(outcome.duplicates) duplicate\(outcome.duplicates == 1 ? "" : "s")"))
                var findings = outcome.findings
                if !noRehash { findings += try BundleCommand.rehash(into) }
                FindingPrinter.printRemarks(findings)
                status = ExitStatus.of(findings.filter { $0.severity == .error })
            }
            if status != 0 { throw ExitCode(status) }
        }
    }

    struct Join: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a bundle (cacert.pem) from a CA directory, each certificate once, sorted, with a # subject line.",
            discussion: "Keep CACertFile small: Sendmail sends the subject of every certificate in it to each client as an acceptable CA.")

        @Argument(help: "The CA directory.")
        var directory: String
        @Option(name: .long, help: "Write here (atomically) instead of standard output.")
        var out: String?
        @Flag(name: .long, help: "Replace an existing --out file (the old one is kept as a dated backup).")
        var force = false

        func run() throws {
            try reportingFailures {
                let outcome = try BundleJoin.join(directory, now: BundleCommand.now)
                FindingPrinter.printRemarks(outcome.findings)
                guard let out else {
                    print(outcome.text, terminator: "")
                    return
                }
                let written = try FileInstaller.install(outcome.text, at: out, kind: "bundle", mode: .shared, force: force, now: Date(),
                                                        remedy: "use --force to replace it, keeping the old one as a dated backup")
                print("wrote bundle: \(out) (\(outcome.certificateCount) certificate\(outcome.certificateCount == 1 ? "" : "s"))")
                if let backup = written.backup { print("  kept the old bundle as \(backup)") }
            }
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Count a bundle's certificates; flag damaged blocks, duplicates, expired and non-CA certificates.",
            discussion: "Exit status 1 when the file holds no usable certificate or a damaged block (Sendmail then silently verifies nothing), 3 for warnings only.")

        @Argument(help: "Bundle files (CACertFile, smtpd_tls_CAfile).")
        var files: [String]
        @OptionGroup var output: OutputOptions

        func run() throws {
            var status: Int32 = 0
            try reportingFailures {
                var reports: [BundleCheck.Report] = []
                for file in files {
                    let report: BundleCheck.Report
                    do {
                        report = try BundleCheck.check(file, now: BundleCommand.now)
                    } catch let error as MailTLSError {
                        report = BundleCheck.Report(file: file, certificates: 0, crls: 0, duplicates: 0, expired: 0, notCA: 0,
                                                    findings: [Finding(error)])
                    }
                    reports.append(report)
                    status = ExitStatus.worse(status, report.exitStatus)
                    if !output.json {
                        var parts = ["\(report.certificates) certificate\(report.certificates == 1 ? "" : "s")"]
                        if report.crls > 0 { parts.append("\(report.crls) CRL\(report.crls == 1 ? "" : "s")") }
                        if report.duplicates > 0 { parts.append("\(report.duplicates) duplicate\(report.duplicates == 1 ? "" : "s")") }
                        if report.expired > 0 { parts.append("\(report.expired) expired") }
                        if report.notCA > 0 { parts.append("\(report.notCA) not a CA") }
                        print("\(file): \(parts.joined(separator: ", "))")
                        FindingPrinter.printRemarks(report.findings)
                    }
                }
                if output.json { try JSONOutput.print(reports) }
            }
            if status != 0 { throw ExitCode(status) }
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy certificates into a CA directory (as PEM), then rehash.",
            discussion: "A certificate the directory already holds is skipped; an existing file is never overwritten.")

        @Argument(help: "Certificate files (PEM or DER; a bundle adds each of its certificates).")
        var certificates: [String]
        @Option(name: .long, help: "The CA directory.")
        var to: String
        @Flag(name: .long, help: "Do not rehash afterwards.")
        var noRehash = false

        func run() throws {
            var status: Int32 = 0
            try reportingFailures {
                let outcome = try BundleAdd.add(certificates, to: to)
                for path in outcome.written { print("added: \(path)") }
                for (certificate, file) in outcome.alreadyPresent { print("already there: \(certificate) (as \(file))") }
                var findings = outcome.findings
                if !noRehash && !outcome.written.isEmpty { findings += try BundleCommand.rehash(to) }
                FindingPrinter.printRemarks(findings)
                status = ExitStatus.of(findings.filter { $0.severity == .error })
            }
            if status != 0 { throw ExitCode(status) }
        }
    }
}
