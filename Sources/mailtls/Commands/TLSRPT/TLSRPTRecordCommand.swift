import ArgumentParser
import MailTLS

struct TLSRPTRecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Print the _smtp._tls TXT record that asks senders for TLS reports.",
        discussion: """
        Each address must be a mailto: or https: URI. Several go in one --rua separated by commas \
        (a comma followed by mailto: or https: starts the next address) or in several --rua options. \
        Commas, semicolons and exclamation marks inside an address, and anything else a URI cannot \
        hold, are percent-encoded as RFC 8460 §3 requires. The record is read back with the parser \
        `mailtls audit` uses before it is printed; a long record is split into strings of 255 bytes.

        Examples:
          mailtls tlsrpt record --rua mailto:tlsrpt@example.org --domain example.org
          mailtls tlsrpt record --rua mailto:tlsrpt@example.org,https://reports.example.org/tlsrpt
        """
    )

    @Option(name: .long, parsing: .singleValue, help: "Where reports go: mailto:ADDRESS or https://HOST/PATH (repeatable; or several joined by commas).")
    var rua: [String] = []
    @Option(name: .long, help: "The domain the record is for (default: print the owner relative to the zone, _smtp._tls).")
    var domain: String?
    @OptionGroup var output: OutputOptions

    func validate() throws {
        try usageCheck { _ = try written() }
    }

    func run() throws {
        try reportingFailures {
            let record = try written()
            if output.json { return try JSONOutput.print(TLSRPTRecordJSON(record)) }
            print(record.zoneLine)
        }
    }

    func written() throws -> TLSRPTRecordWriter.Written {
        try TLSRPTRecordWriter.record(rua: rua, domain: domain)
    }
}

/// `tlsrpt record --json`.
struct TLSRPTRecordJSON: Encodable {
    var text: String
    var rua: [String]
    var zoneLine: String

    init(_ written: TLSRPTRecordWriter.Written) {
        text = written.text
        rua = written.rua
        zoneLine = written.zoneLine
    }
}
