import ArgumentParser
import MailTLS
import MailTLSACME

struct ACMEAccountCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "account",
        abstract: "Create (or find) the ACME account and show its URL.",
        discussion: """
        Makes the account key acme/account.key (ECDSA P-256, 0600) when there is none, and
        registers it with the server; run again, it shows the account it already has.

        Examples:
          mailtls acme account --email postmaster@example.org --agree-tos
          mailtls acme account --staging --agree-tos
          mailtls acme account --server https://acme.internal:14000/dir --ca-bundle internal-ca.pem --agree-tos
        """
    )

    @Option(name: .long, help: "The certs directory (its acme/ holds the account).") var dir: String = "."
    @OptionGroup var server: ACMEServerOptions
    @Option(name: .long, help: "Where the CA may write about expiry and problems.") var email: String?
    @Flag(name: .long, help: "Agree to the CA's terms of service (required by most CAs).") var agreeTos = false
    @OptionGroup var run: ACMERunOptions

    func validate() throws {
        if let email { try usageCheck { try AccountRegistration.checkEmail(email) } }
    }

    func run() async throws {
        try await reportingFailuresAsync {
            let server = self.server.resolved
            let state = ACMEState(certsDirectory: dir)
            let outcome = try await AccountRegistration.run(state, options: .init(server: server, email: email, agreeToTerms: agreeTos, timeout: run.timeout))
            if outcome.keyMade { print("wrote account key: \(state.keyPath)") }
            print("\(outcome.created ? "created" : "existing") account at \(server.host): \(outcome.account.url)")
            if !outcome.account.contact.isEmpty { print("contact: \(outcome.account.contact.joined(separator: ", "))") }
            if let terms = outcome.termsOfService, outcome.created { print("terms of service agreed: \(terms)") }
        }
    }
}
