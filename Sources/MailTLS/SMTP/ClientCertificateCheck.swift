import X509
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `serve --ask-client-cert`: what to say in `verify=` (the session log and the Received
/// header) about the chain a client presented. Kept apart so the chain walk can be replaced
/// by the project's shared verifier without touching the session.
enum ClientCertificateCheck {
    /// `.no` without a certificate, `.ok` when the leaf is itself trusted or its chain ends
    /// in a trusted certificate, else `.fail`. `presented` and `trusted` are DER, leaf first.
    static func verdict(presented: [[UInt8]], trusted: [[UInt8]]) -> VerifyWord {
        guard let leaf = presented.first else { return .no }
        return trusted.contains(leaf) || issuedByTrusted(chain: presented, trusted: trusted) ? .ok : .fail
    }

    /// Whether a client chain ends in a trusted certificate (signature by signature).
    static func issuedByTrusted(chain: [[UInt8]], trusted: [[UInt8]]) -> Bool {
        let certificates = chain.compactMap { try? Certificate(derEncoded: $0) }
        let anchors = trusted.compactMap { try? Certificate(derEncoded: $0) }
        guard var current = certificates.first else { return false }
        for _ in 0..<8 {
            if let anchor = anchors.first(where: { $0.subject == current.issuer && $0.publicKey.isValidSignature(current.signature, for: current) }) {
                return Date() < current.notValidAfter && Date() < anchor.notValidAfter
            }
            guard let next = certificates.first(where: { $0.subject == current.issuer && $0 != current }) else { return false }
            current = next
        }
        return false
    }
}
