#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import X509

/// Why a chain did not verify, as a fact an admin can act on. The verifier's policies
/// record these as they reject candidate chains; ``ChainVerifier`` reports the most
/// useful one.
public enum ChainProblem: Sendable, Equatable {
    /// The leaf is outside its validity period.
    case leafExpired(Date)
    case leafNotYetValid(Date)
    /// The leaf does not carry the name asked for; `named` is what it carries.
    case nameMismatch(wanted: [String], named: [String])
    /// The leaf's extended key usage does not allow the role (`serverAuth`, `clientAuth`).
    case wrongPurpose(String)
    /// A certificate above the leaf is outside its validity period.
    case issuerExpired(subject: String, Date)
    case issuerNotYetValid(subject: String, Date)
    /// A certificate that signed another is not a CA.
    case issuerNotCA(subject: String)
    /// The leaf is self-signed and not itself trusted.
    case selfSignedUntrusted
    /// The chain as presented ends at a self-signed certificate that is not trusted.
    case untrustedRoot(subject: String)
    /// The issuer of the chain's top certificate (`subject`; nil: the leaf) is neither
    /// presented nor trusted.
    case issuerNotFound(subject: String?, issuer: String)
    /// No trust was given at all.
    case noTrust
    /// A designated trust anchor (DANE-TA) matched the leaf itself, not an issuer.
    case anchorIsLeaf
    /// A rule of a policy (DANE record match, RFC 5280 structure) failed; the text says which.
    case policy(String)

    /// One clause for people.
    public var message: String { message(leaf: "the certificate") }

    /// One clause for people, calling the leaf `leaf` ("the server certificate").
    public func message(leaf: String) -> String {
        switch self {
        case .leafExpired(let date): return "\(leaf) expired on \(UTCTimestamp.readable(date))"
        case .leafNotYetValid(let date): return "\(leaf) is not valid before \(UTCTimestamp.readable(date))"
        case .nameMismatch(let wanted, let named):
            return "\(leaf) does not name \(wanted.joined(separator: " or ")) (it names \(named.isEmpty ? "nothing" : named.joined(separator: ", ")))"
        case .wrongPurpose(let purpose): return "\(leaf)'s extended key usage does not allow \(purpose)"
        case .issuerExpired(let subject, let date): return "its issuer \(subject) expired on \(UTCTimestamp.readable(date))"
        case .issuerNotYetValid(let subject, let date): return "its issuer \(subject) is not valid before \(UTCTimestamp.readable(date))"
        case .issuerNotCA(let subject): return "it is signed by \(subject), which is not a CA"
        case .selfSignedUntrusted: return "\(leaf) is self-signed and not trusted"
        case .untrustedRoot(let subject): return "the chain ends at \(subject), which is not trusted"
        case .issuerNotFound(_, let issuer): return "no chain to a trusted certificate: issuer \(issuer) not found"
        case .noTrust: return "the trust given holds no certificate"
        case .anchorIsLeaf: return "the trust anchor must be an issuer of \(leaf), not \(leaf) itself"
        case .policy(let text): return text
        }
    }

    /// How much the problem says about the certificate itself: the leaf's own faults
    /// come first, then faults of a chain that reached a trusted certificate, then
    /// chains that never did.
    var rank: Int {
        switch self {
        case .leafExpired, .leafNotYetValid: return 0
        case .nameMismatch: return 1
        case .wrongPurpose: return 2
        case .issuerNotCA, .issuerExpired, .issuerNotYetValid, .policy, .anchorIsLeaf: return 3
        case .selfSignedUntrusted, .untrustedRoot, .issuerNotFound: return 4
        case .noTrust: return 5
        }
    }
}
