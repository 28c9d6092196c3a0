import ArgumentParser
import MailTLS
import MailTLSACME

struct ACMERenewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "renew",
        abstract: "Renew the ACME certificate when it is due (for cron): same key, same names, same challenge.",
        discussion: """
        Does nothing (one line, exit 0) unless host.cert expires within --days. Then issues again
        as acme issue did (acme/renewal.json), deploys, checks and runs the deploy hook. On any
        failure the certificate in service stays, and one line says why (exit 1).

        Cron, twice a day at a random minute:
          17 3,15 * * * root mailtls acme renew --dir /etc/mail/certs
        """
    )

    @Option(name: .long, help: "The certs directory.") var dir: String = "."
    @Option(name: .long, help: "Renew when host.cert expires within this many days.") var days: Int = 30
    @Flag(name: .long, help: "Renew now, due or not.") var force = false
    @Flag(name: .long, help: "Make a new key on purpose.") var rekey = false
    @OptionGroup var keyGeneration: KeyGenerationOptions
    @Option(name: .long, help: "Run this instead of the deploy hook acme issue was given.") var deployHook: String?
    @OptionGroup var run: ACMERunOptions

    func validate() throws {
        try usageCheck { try Renewal.checkDays(days) }
    }

    func run() async throws {
        try await reportingFailuresAsync {
            let options = Renewal.Options(certsDirectory: dir, days: days, rekey: rekey, keyOptions: keyGeneration.keyOptions,
                                          timeout: run.timeout, now: force, deployHook: deployHook)
            switch try await Renewal.run(options, progress: run.progress) {
            case .notDue(let notValidAfter, let daysLeft):
                print("\(CertsLayout(directory: dir).certificatePath) is valid until \(UTCTimestamp.readable(notValidAfter)) (\(daysLeft) days): not due, renewal starts \(days) days before")
            case .renewed(let outcome):
                try IssuanceText.print(outcome, directory: dir)
            }
        }
    }
}
