import ArgumentParser
import MailTLS

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Summarize a certificate, request or key: names, validity, key, fingerprints.",
        discussion: """
        Examples:
          mailtls show                 # host.cert
          mailtls show new.csr
          mailtls show --json host.key
        """
    )

    @Argument(help: "A certificate, request, key or bundle (default: host.cert in --dir).")
    var file: String?
    @Option(name: .long, help: "The certs directory, for the default file.")
    var dir: String = "."
    @OptionGroup var output: OutputOptions

    func run() throws {
        try reportingFailures {
            let path = file ?? CertsLayout(directory: dir).certificatePath
            let summaries = Summary.of(try MaterialFile.load(path))
            if output.json { return try JSONOutput.print(summaries) }
            for (index, summary) in summaries.enumerated() {
                if index > 0 { print("") }
                print(SummaryText.lines(summary, file: path).joined(separator: "\n"))
            }
        }
    }
}

/// The aligned text form of a `Summary`.
enum SummaryText {
    static func lines(_ summary: Summary, file: String) -> [String] {
        var rows: [(String, String)] = [("file", file), ("type", summary.kind)]
        if let subject = summary.subject { rows.append(("subject", subject)) }
        if let issuer = summary.issuer {
            rows.append(("issuer", summary.selfSigned == true ? "\(issuer) (self-signed)" : issuer))
        }
        if let names = summary.altNames { rows.append(("names", names.isEmpty ? "(none)" : names.joined(separator: ", "))) }
        if let notBefore = summary.notBefore, let notAfter = summary.notAfter, let days = summary.daysLeft {
            rows.append(("valid", "\(notBefore) to \(notAfter)"))
            rows.append(("expires", days < 0 ? "EXPIRED \(-days) days ago" : "in \(days) days"))
        }
        if let serial = summary.serial { rows.append(("serial", serial)) }
        if let isCA = summary.isCA { rows.append(("CA", isCA ? "yes" : "no")) }
        if let usage = summary.keyUsage { rows.append(("key usage", usage)) }
        if let usage = summary.extendedKeyUsage { rows.append(("ext. usage", usage.joined(separator: ", "))) }
        if let valid = summary.signatureValid { rows.append(("signature", valid ? "valid" : "INVALID")) }
        rows.append(("key", summary.key))
        if let sha256 = summary.sha256 { rows.append(("sha256", sha256)) }
        if let sha1 = summary.sha1 { rows.append(("sha1", sha1)) }
        rows.append(("spki sha256", summary.spkiSHA256))
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { $0.0 + String(repeating: " ", count: width - $0.0.count) + "  " + $0.1 }
    }
}
