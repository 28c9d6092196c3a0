import Crypto
import Foundation
import MailTLS

/// dns-01 through the admin's command, which knows how to change the zone (nsupdate, a DNS
/// provider's API). It is run as `CMD set _acme-challenge.NAME. VALUE` before the CA looks
/// and `CMD clear _acme-challenge.NAME. VALUE` afterwards, with the same facts in
/// `MAILTLS_ACME_ACTION`, `MAILTLS_ACME_DOMAIN`, `MAILTLS_ACME_RECORD` and `MAILTLS_ACME_VALUE`.
/// Then mailtls asks a DNS server every two seconds until the value is there (up to
/// `waitSeconds`), so the CA is not sent to look before the zone has it: a CA that finds the
/// record missing fails the order, and its failures count against rate limits.
struct DNSHookSolver: ChallengeSolver {
    let type = "dns-01"
    let hook: HookCommand
    let waitSeconds: Int
    let checkServer: DNSServerAddress?
    let timeout: Double
    let progress: @Sendable (String) -> Void

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
        guard waitSeconds > 0 else { return }
        let record = Self.recordName(for: name), value = Self.txtValue(keyAuthorization: keyAuthorization)
        guard let server = checkServer ?? DNSServerAddress.system() else {
            progress("\(record): no DNS server to check at (no --dns-server, no nameserver in /etc/resolv.conf); asking the CA now")
            return
        }
        let deadline = Date().addingTimeInterval(Double(waitSeconds))
        // The project's one resolver and parser, without DNSSEC: the server asked (often a
        // zone's name server, or pebble-challtestsrv) need not validate; the record need only
        // be there. No reply, or one that does not parse, is "not visible yet".
        let resolver = DNSResolver(nameserver: server, timeout: 2, tries: 1, dnssec: false)
        while true {
            if let answer = try? await resolver.lookup(name: record, type: .txt), answer.texts.contains(value) {
                progress("\(record): TXT record visible at \(server)")
                return
            }
            guard Date() < deadline else {
                progress("\(record): TXT record still not visible at \(server) after \(waitSeconds) s; asking the CA anyway")
                return
            }
            try await Task.sleep(nanoseconds: 2_000_000_000)
        }
    }

    func cleanUp(name: String, token: String, keyAuthorization: String) async {
        try? await call("clear", name: name, keyAuthorization: keyAuthorization)
    }
}
