import ArgumentParser
import MailTLS

struct PromoteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promote",
        abstract: "Put a renewed certificate into service: back up host.*, move new.* into place.",
        discussion: """
        Checks first that new.cert parses, is valid now and matches its key (new.key, or
        host.key when the renewal kept the key); otherwise it changes nothing. The old files
        are kept as host.key.<UTC time> etc. If any step fails, the directory is left as it was.

        Examples:
          mailtls promote
          mailtls promote --dir /etc/mail/certs --from new --to host
        """
    )

    @Option(name: .long, help: "The certs directory.") var dir: String = "."
    @Option(name: .long, help: "Stem of the new files.") var from: String = "new"
    @Option(name: .long, help: "Stem of the files in service.") var to: String = "host"
    @Flag(name: .long, help: "Only check and print what would be done.") var dryRun = false

    func validate() throws {
        try usageCheck { try Promotion.checkStems(from: from, to: to) }
    }

    func run() throws {
        try reportingFailures {
            let source = CertsLayout(directory: dir, stem: from), target = CertsLayout(directory: dir, stem: to)
            if dryRun {
                for move in try Promotion.plan(from: source, to: target).moves { print("would move \(move.from) -> \(move.to)") }
                return
            }
            let (plan, result) = try Promotion.run(from: source, to: target)
            for backup in result.backups { print("kept \(backup)") }
            for move in result.moves { print("moved \(move.from) -> \(move.to)") }
            print(result.keepsKey ? "key kept: DANE 3 1 1 records stay valid" : "new key: publish its TLSA record before peers rely on it")
            print("valid until \(UTCTimestamp.readable(plan.notValidAfter)); restart or reload the MTA to use it")
        }
    }
}
