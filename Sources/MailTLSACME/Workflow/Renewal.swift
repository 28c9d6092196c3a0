import Foundation
import MailTLS

/// `mailtls acme renew`: from cron, twice a day. Nothing happens (one quiet line, exit 0)
/// until host.cert is within `days` of expiry; then the certificate is issued again as
/// `acme issue` did it (settings in acme/renewal.json), for the same key, so TLSA `3 1 1`
/// records stay valid.
public enum Renewal {
    public enum Outcome: Sendable {
        case notDue(notValidAfter: Date, daysLeft: Int)
        case renewed(Issuance.Outcome)
    }

    public struct Options: Sendable {
        public var certsDirectory: String
        public var days: Int
        public var rekey: Bool
        public var keyOptions: KeyOptions
        public var timeout: Double
        /// Renew even when not due (after a CA incident, or to test the cron line).
        public var now: Bool
        public var deployHook: String?

        public init(certsDirectory: String, days: Int = 30, rekey: Bool = false, keyOptions: KeyOptions = KeyOptions(),
                    timeout: Double = 300, now: Bool = false, deployHook: String? = nil) {
            self.certsDirectory = certsDirectory
            self.days = days
            self.rekey = rekey
            self.keyOptions = keyOptions
            self.timeout = timeout
            self.now = now
            self.deployHook = deployHook
        }
    }

    /// How many days before expiry a renewal is due: 0 to 365.
    public static func checkDays(_ days: Int) throws {
        guard (0...365).contains(days) else {
            throw MailTLSError("--days \(days)", "is out of range", remedy: "use a number of days from 0 to 365; 30 is usual")
        }
    }

    public static func run(_ options: Options, now: Date = Date(), progress: @escaping @Sendable (String) -> Void = { _ in }) async throws -> Outcome {
        try checkDays(options.days)
        let state = ACMEState(certsDirectory: options.certsDirectory)
        guard let settings = try state.renewal() else {
            throw MailTLSError(state.renewalPath, "no such file: no certificate here was issued with mailtls acme",
                               remedy: "issue one first: mailtls acme issue --dir \(options.certsDirectory) --host NAME")
        }
        let layout = CertsLayout(directory: options.certsDirectory, stem: "host")
        if FileReading.exists(layout.certificatePath), !options.now {
            let (certificate, _) = try MaterialFile.load(layout.certificatePath).firstCertificate()
            let left = certificate.notValidAfter.timeIntervalSince(now)
            if left > Double(options.days) * 86_400 {
                return .notDue(notValidAfter: certificate.notValidAfter, daysLeft: Int(left / 86_400))
            }
        }
        let issue = Issuance.Options(certsDirectory: options.certsDirectory, names: settings.names, challenge: settings.challenge,
                                     rekey: options.rekey, keyOptions: options.keyOptions, server: settings.server,
                                     deployHook: options.deployHook ?? settings.deployHook, timeout: options.timeout)
        return .renewed(try await Issuance.run(issue, now: now, progress: progress))
    }
}
