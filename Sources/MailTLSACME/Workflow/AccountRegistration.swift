import Foundation
import MailTLS

/// `mailtls acme account`: registers the account key with a server (RFC 8555 §7.3), or
/// finds the account it already has there.
public enum AccountRegistration {
    public struct Options: Sendable {
        public var server: ACMEServer
        public var email: String?
        public var agreeToTerms: Bool
        public var timeout: Double

        public init(server: ACMEServer, email: String?, agreeToTerms: Bool, timeout: Double = 120) {
            self.server = server
            self.email = email
            self.agreeToTerms = agreeToTerms
            self.timeout = timeout
        }
    }

    public struct Outcome: Sendable {
        public var account: ACMEState.Account
        /// True when this run registered it; false when it was known or found on the server.
        public var created: Bool
        public var keyMade: Bool
        public var termsOfService: String?
    }

    /// The contact address looks like one (the CA checks more; this catches a swapped option).
    public static func checkEmail(_ email: String) throws {
        guard email.contains("@"), !email.contains(" "), !email.hasPrefix("@"), !email.hasSuffix("@") else {
            throw MailTLSError("--email \(email)", "is not a mail address", remedy: "give the address the CA should write to about expiry, e.g. postmaster@example.org")
        }
    }

    public static func run(_ state: ACMEState, options: Options, now: Date = Date()) async throws -> Outcome {
        if let email = options.email { try checkEmail(email) }
        _ = try options.server.checked()
        try state.ensureDirectory()
        let lock = try DirectoryLock(state.directory)
        defer { lock.release() }
        let (key, keyMade) = try state.loadOrMakeKey()
        return try await ACMESession.with(options.server, key: key, accountURL: nil, timeout: options.timeout) { client in
            try await register(client: client, state: state, options: options, keyMade: keyMade, now: now)
        }
    }

    /// Registration inside an open session; also used by `acme issue` when there is no account yet.
    static func register(client: ACMEClient, state: ACMEState, options: Options, keyMade: Bool, now: Date) async throws -> Outcome {
        let directory = try await client.directory()
        let terms = directory.meta?.termsOfService
        if directory.meta?.externalAccountRequired == true {
            throw MailTLSError(options.server.host, "requires external account binding (EAB), which mailtls does not support yet",
                               remedy: "use a CA that does not require it, such as Let's Encrypt")
        }
        if let known = try state.account(for: options.server.directory), options.email.map({ known.contact == ["mailto:\($0)"] }) ?? true {
            await client.setAccount(known.url)
            return Outcome(account: known, created: false, keyMade: keyMade, termsOfService: terms)
        }
        let contact = options.email.map { ["mailto:\($0)"] }
        var created = false
        let url: String
        if let existing = try await existingAccount(client: client, newAccount: directory.newAccount) {
            // The key has an account there already (accounts.json was lost): reuse it, and give
            // it the new contact when one was asked for (§7.3.2). Terms were agreed when it was made.
            url = existing
            if let contact {
                await client.setAccount(existing)
                _ = try await client.post(existing, payload: json(["contact": contact]))
            }
        } else {
            if let terms, !options.agreeToTerms {
                throw MailTLSError(options.server.host, "asks you to agree to its terms of service first (\(terms))",
                                   remedy: "read them, then run again with --agree-tos")
            }
            var payload: [String: Any] = ["termsOfServiceAgreed": true]
            if let contact { payload["contact"] = contact }
            let response = try await client.post(directory.newAccount, payload: json(payload), useJWK: true)
            guard let location = response.location else {
                throw MailTLSError(options.server.host, "did not say where the account is (no Location header)", remedy: "check that the --server URL is an ACME server")
            }
            url = location
            created = response.status == 201
        }
        await client.setAccount(url)
        let account = ACMEState.Account(server: options.server.directory, url: url,
                                        contact: contact ?? [],
                                        created: UTCTimestamp.readable(now), caBundle: options.server.caBundle)
        try state.record(account)
        return Outcome(account: account, created: created, keyMade: keyMade, termsOfService: terms)
    }

    /// The URL of the account the key already has at the server, if any (`onlyReturnExisting`).
    private static func existingAccount(client: ACMEClient, newAccount: String) async throws -> String? {
        do {
            return try await client.post(newAccount, payload: json(["onlyReturnExisting": true]), useJWK: true).location
        } catch let failure as ACMEFailure where failure.problem.shortType == "accountDoesNotExist" {
            return nil
        }
    }

    static func json(_ object: [String: Any]) throws -> Data {
        try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }
}
