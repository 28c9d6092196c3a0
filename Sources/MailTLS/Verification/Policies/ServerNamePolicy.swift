import SwiftASN1
import X509

/// The leaf must carry one of the reference names (a host name or an IP address), matched
/// by ``HostNameMatch``. `commonNameFallback` is RFC 7672 §3.2.3's rule for DANE-TA: the
/// Common Name counts only when subjectAltName has no DNS name.
struct ServerNamePolicy: VerifierPolicy {
    let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = [.X509ExtensionID.subjectAlternativeName]
    let references: [String]
    let commonNameFallback: Bool
    let log: ProblemLog

    func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) -> PolicyEvaluationResult {
        let names = CertificateNames(chain.leaf)
        if references.contains(where: { names.names($0, commonNameFallback: commonNameFallback) }) { return .meetsPolicy }
        let shown = names.checkedDNSNames(commonNameFallback: commonNameFallback)
            + names.ipAddresses.map { IPAddressText.text($0) }
        let wanted = references.map { $0.hasSuffix(".") ? String($0.dropLast()) : $0 }
        let problem = ChainProblem.nameMismatch(wanted: wanted, named: shown)
        log.record(problem, chain: Array(chain))
        return .failsToMeetPolicy(reason: problem.message)
    }
}
