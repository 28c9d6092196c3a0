import ArgumentParser

struct TLSRPTCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tlsrpt",
        abstract: "TLS reporting (RFC 8460): the _smtp._tls record to publish, and the reports senders send back.",
        subcommands: [TLSRPTRecordCommand.self, TLSRPTReadCommand.self]
    )
}
