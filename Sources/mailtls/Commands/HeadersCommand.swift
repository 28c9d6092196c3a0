import ArgumentParser
import MailTLS

struct HeadersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "headers",
        abstract: "Show each hop's TLS from a message's Received: headers, oldest hop first.",
        discussion: """
        Reads one message (its headers, up to the first empty line) or an mbox, and prints one \
        block per message and one line per hop: from → by, protocol, TLS version, cipher, bits, \
        and what became of the client's certificate (Sendmail's verify= word or Postfix's \
        client-certificate comment) with what that means. Hop 1 is the oldest: where the \
        message started; the last hop is the server that delivered it to you.

        Examples:
          mailtls headers message.eml
          mailtls headers --json ~/mbox
          mailtls headers - < message.eml
        """
    )

    @Argument(help: "A message or mbox file; - (or nothing, with input piped in) reads standard input.")
    var file: String?
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if (file ?? "-") == "-", Terminal.stdinIsTerminal {
            try usageCheck {
                throw MailTLSError("stdin", "no message given",
                                   remedy: "name a message or mbox file, or pipe one in: mailtls headers < message.eml")
            }
        }
    }

    func run() throws {
        try reportingFailures {
            let path = file ?? "-"
            let report = try ReceivedHeaders.load(path)
            if output.json { return try JSONOutput.print(report) }
            print(HeadersText.lines(report).joined(separator: "\n"))
        }
    }
}

/// The text form of a `HeadersReport`: a title line per message, then an aligned table of
/// its hops (the last column, the meaning, is left unpadded).
enum HeadersText {
    static let titles = ["hop", "from → by", "with", "TLS", "cipher", "bits", "client certificate"]

    static func lines(_ report: HeadersReport) -> [String] {
        var lines: [String] = []
        for message in report.messages {
            if !lines.isEmpty { lines.append("") }
            let title = message.subject ?? message.messageId
            lines.append(title.map { "message \(message.message): \($0)" } ?? "message \(message.message)")
            if message.hops.isEmpty {
                lines.append("  no Received: headers")
                continue
            }
            let rows = [titles] + message.hops.map(cells)
            var widths = [Int](repeating: 0, count: titles.count)
            for row in rows { for (column, cell) in row.enumerated() { widths[column] = max(widths[column], cell.count) } }
            for row in rows {
                var line = "  "
                for (column, cell) in row.enumerated() {
                    if column == row.count - 1 {
                        line += cell
                    } else {
                        line += cell + String(repeating: " ", count: widths[column] - cell.count + 2)
                    }
                }
                lines.append(line)
            }
        }
        return lines
    }

    static func cells(_ hop: ReceivedHop) -> [String] {
        var from = hop.from ?? "(local)"
        if let address = hop.fromAddress, from != "[\(address)]" { from += " [\(address)]" }
        let route = "\(from) → \(hop.by ?? "?")"
        guard hop.tls else { return [String(hop.hop), route, hop.with ?? "-", "no TLS", "-", "-", "-"] }
        return [String(hop.hop), route, hop.with ?? "-", hop.tlsVersion ?? "yes", hop.cipher ?? "-",
                hop.bits.map(String.init) ?? "-", certificate(hop)]
    }

    static func certificate(_ hop: ReceivedHop) -> String {
        guard let meaning = hop.verifyMeaning else { return "-" }
        if let verify = hop.verify { return "verify=\(verify): \(meaning)" }
        var names: [String] = []
        if let cn = hop.clientCN { names.append("CN \"\(cn)\"") }
        if let issuer = hop.issuer { names.append("issuer \"\(issuer)\"") }
        let named = names.isEmpty ? "" : " (\(names.joined(separator: ", ")))"
        switch hop.clientCertificate {
        case .verified: return "verified OK\(named): \(meaning)"
        case .notVerified: return "not verified\(named): \(meaning)"
        case .notPresented: return "none presented: \(meaning)"
        case .notRequested: return "not requested: \(meaning)"
        case nil: return meaning
        }
    }
}
