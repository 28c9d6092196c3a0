import ArgumentParser
import MailTLS

struct TLSRPTReadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read",
        abstract: "Summarise TLS reports (RFC 8460): .json, .json.gz, or the mail they came in.",
        discussion: """
        Reads each FILE: a report (.json), a gzipped report (.json.gz), or mail (one message or an \
        mbox), whose application/tlsrpt+gzip or +json parts hold the reports. Prints per reporting \
        organisation and per policy (sts, tlsa, no-policy-found) the successful and failed sessions, \
        the failures by result type, receiving MX and address, and the days covered. A report whose \
        report-id was already read is counted once. A file that cannot be read is named on stderr \
        and the others are still counted. A report is decompressed to at most 10 MiB.

        Exit status: 0 no failed sessions reported, 3 reports tell of failed sessions, 1 an input \
        could not be read or held no report (this wins over 3).

        Examples:
          mailtls tlsrpt read 'google.com!example.org!1764547200!1764633599.json.gz'
          mailtls tlsrpt read ~/Maildir/.tlsrpt/cur/*
          mailtls tlsrpt read --json reports.mbox
        """
    )

    @Argument(help: "Reports, messages or mbox files; - (or nothing, with input piped in) reads standard input.")
    var files: [String] = []
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if files.isEmpty || files == ["-"], Terminal.stdinIsTerminal {
            try usageCheck {
                throw MailTLSError("stdin", "no report given",
                                   remedy: "name report files or mail files, or pipe one in: mailtls tlsrpt read < report.json")
            }
        }
    }

    func run() throws {
        let summary = TLSRPTFiles.summary(of: files.isEmpty ? ["-"] : files)
        for finding in summary.findings where finding.severity == .error { Terminal.error(FindingPrinter.remark(finding)) }
        if output.json {
            try reportingFailures { try JSONOutput.print(summary) }
        } else {
            TLSRPTText.lines(summary).forEach { print($0) }
        }
        if summary.exitStatus != 0 { throw ExitCode(summary.exitStatus) }
    }
}
