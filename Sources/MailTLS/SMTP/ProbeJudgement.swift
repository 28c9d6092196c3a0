#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import X509

/// The probe's verdict on a presented chain: ``ChainVerifier`` against the trust given,
/// in the words of Sendmail's `${verify}` and with the reason an admin acts on.
enum ProbeJudgement {
    struct Judgement {
        var verdict: ProbeVerdict
        var description: String
    }

    static func judge(_ chain: [PresentedCertificate], options: ProbeOptions, now: Date = Date()) async -> Judgement {
        guard let anchors = options.trust.anchors else {
            return Judgement(verdict: .no, description: "not verified: no --ca, --capath or --system given")
        }
        if anchors.isEmpty { return Judgement(verdict: .fail, description: "not verified: the trust given holds no certificate") }
        guard let leaf = chain.first?.certificate else { return Judgement(verdict: .fail, description: "no certificate was presented") }
        let pinned = anchors.contains(leaf)
        switch await ChainVerifier.server(name: options.nameToVerify, anchors: anchors, now: now).verify(chain) {
        case .verified(let path):
            if pinned { return Judgement(verdict: .ok, description: "pinned: the certificate itself is trusted") }
            return Judgement(verdict: .ok, description: "verified to \(NameFormatter.oneLine(path[path.count - 1].subject))")
        case .failed(let problem):
            return Judgement(verdict: .fail, description: explain(problem, pinned: pinned))
        }
    }

    /// The verifier's problem, with what to do about it where the probe's options can help.
    private static func explain(_ problem: ChainProblem, pinned: Bool) -> String {
        switch problem {
        case .selfSignedUntrusted: return problem.message + " (give it with --ca to pin it)"
        case .untrustedRoot: return problem.message + " (wrong CA given?)"
        case .issuerNotFound: return problem.message + " (neither sent by the server nor trusted: missing intermediate or wrong CA)"
        default: return problem.message(leaf: pinned ? "the pinned certificate" : "the certificate")
        }
    }
}
