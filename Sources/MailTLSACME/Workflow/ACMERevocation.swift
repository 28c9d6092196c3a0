import Foundation
import MailTLS

/// `mailtls acme revoke`: asks the CA to revoke a certificate it issued (RFC 8555 §7.6),
/// signed with the account that ordered it.
public enum ACMERevocation {
    public static func run(certsDirectory: String, certificate path: String, reason: RevocationReason,
                           server: ACMEServer?, timeout: Double = 120) async throws -> (serial: String, server: String) {
        let state = ACMEState(certsDirectory: certsDirectory)
        guard let server = try server ?? state.renewal()?.server else {
            throw MailTLSError(state.renewalPath, "no such file, so the CA is unknown", remedy: "give --server with the CA's directory URL")
        }
        guard let account = try state.account(for: server.directory) else {
            throw MailTLSError(state.accountsPath, "holds no account with \(server.host)", remedy: "revoke with the account that ordered the certificate (its certs directory's acme/)")
        }
        let (certificate, der) = try MaterialFile.load(path).firstCertificate()
        let key = try state.loadKey()
        try await ACMESession.with(server, key: key, accountURL: account.url, timeout: timeout) { client in
            let directory = try await client.directory()
            var payload: [String: Any] = ["certificate": Base64URL.encode(der)]
            if reason != .unspecified { payload["reason"] = reason.code }
            _ = try await client.post(directory.revokeCert, payload: AccountRegistration.json(payload))
        }
        return (Hex.lower(Array(certificate.serialNumber.bytes)), server.host)
    }
}
