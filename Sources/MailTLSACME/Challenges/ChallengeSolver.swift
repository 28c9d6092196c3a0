import MailTLS

/// One way of proving control of a name (RFC 8555 §8): put the proof in place before the
/// server is told to look, and take it away afterwards whatever happened.
protocol ChallengeSolver: Sendable {
    /// The ACME challenge type this solver answers: `http-01` or `dns-01`.
    var type: String { get }
    /// Puts the proof for `name` in place. `keyAuthorization` is `token.thumbprint`.
    func prepare(name: String, token: String, keyAuthorization: String) async throws
    /// Removes what `prepare` put in place; never throws (clean-up must not hide the real error).
    func cleanUp(name: String, token: String, keyAuthorization: String) async
    /// Called once when the whole order is over.
    func finish() async
}

extension ChallengeSolver {
    func finish() async {}
}

/// How the admin asked mailtls to prove control.
public enum ChallengeMethod: Sendable, Equatable, Codable {
    /// http-01, answered by mailtls itself on this port (80 unless testing or behind a redirect).
    case standalone(port: Int)
    /// http-01, by writing the token under a web server's document root.
    case webroot(String)
    /// dns-01, by running a command that sets (and later clears) the TXT record, then
    /// waiting up to `waitSeconds` for the record to be visible at `checkServer` (nil: the
    /// system's resolver); 0 skips the check.
    case dnsHook(command: String, waitSeconds: Int, checkServer: DNSServerAddress?)
}
