import Crypto
import Foundation
import MailTLS

/// dns-01 through the admin's command, which knows how to change the zone (nsupdate, a DNS
/// provider's API). It is run as `CMD set _acme-challenge.NAME. VALUE` before the CA looks
/// and `CMD clear _acme-challenge.NAME. VALUE` afterwards, with the same facts in
/// `MAILTLS_ACME_ACTION`, `MAILTLS_ACME_DOMAIN`, `MAILTLS_ACME_RECORD` and `MAILTLS_ACME_VALUE`.
/// The command should return once the record is published; `propagationSeconds` adds a
/// wait for secondaries that lag.
struct DNSHookSolver: ChallengeSolver {
    let type = "dns-01"
    let hook: HookCommand
    let propagationSeconds: Int
    let timeout: Double

    /// The TXT value: base64url(SHA-256(key authorization)) (RFC 8555 §8.4).
    static func txtValue(keyAuthorization: String) -> String {
        Base64URL.encode(SHA256.hash(data: Array(keyAuthorization.utf8)))
    }

    static func recordName(for name: String) -> String {
        let base = name.hasPrefix("*.") ? String(name.dropFirst(2)) : name
        return "_acme-challenge.\(base)."
    }

    private func call(_ action: String, name: String, keyAuthorization: String) async throws {
        let record = Self.recordName(for: name), value = Self.txtValue(keyAuthorization: keyAuthorization)
        try await hook.run(arguments: [action, record, value],
                           environment: ["MAILTLS_ACME_ACTION": action, "MAILTLS_ACME_DOMAIN": name,
                                         "MAILTLS_ACME_RECORD": record, "MAILTLS_ACME_VALUE": value],
                           timeout: timeout)
    }

    func prepare(name: String, token: String, keyAuthorization: String) async throws {
        try await call("set", name: name, keyAuthorization: keyAuthorization)
        if propagationSeconds > 0 { try await Task.sleep(nanoseconds: UInt64(propagationSeconds) * 1_000_000_000) }
    }

    func cleanUp(name: String, token: String, keyAuthorization: String) async {
        try? await call("clear", name: name, keyAuthorization: keyAuthorization)
    }
}
