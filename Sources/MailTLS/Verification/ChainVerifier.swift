#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import X509

/// The one chain verifier under every verdict mailtls gives: `check`, `probe`,
/// `probe --tlsa`, `check --tlsa`, `serve --ask-client-cert` and `tlsa`. It knows nothing
/// of TLSA records: DANE (in `DANE/`) says which certificates are anchors and how a leaf
/// matches, through ``Trust``.
///
/// Chains are built by swift-certificates' `Verifier` (which checks every signature on
/// the way); what a chain must satisfy is a list of small policies in `Policies/`, chosen
/// by the constructors below. The presented certificates are offered to the Verifier as
/// candidate roots too, so that a chain which never reaches trust is still seen, and the
/// answer can say what is missing rather than only that something is.
///
/// ```swift
/// let anchors = try TrustAnchors.load(caFile: "cacert.pem", caPath: "CA")
/// let result = await ChainVerifier.server(name: "mx.example.org", anchors: anchors.certificates)
///     .verify(presented)
/// ```
public struct ChainVerifier: Sendable {
    /// What the chain must satisfy, beyond ending at a trusted certificate.
    public struct Rules: Sendable {
        public var checksLeafDates = true
        public var checksIssuerDates = true
        public var checksAnchorDates = true
        /// RFC 5280's issuer rules (CA, path length, name constraints) for chains longer than one.
        public var checksIssuers = true
        /// Names the leaf must carry one of; nil: names are not checked.
        public var names: [String]?
        public var commonNameFallback = false
        public var purpose: Purpose?
        /// Check the leaf's dates and names before asking whether the chain is trusted, so
        /// that a leaf's own fault is reported even when its chain is not trusted either.
        public var leafFirst = true

        public init() {}
    }

    /// The role the leaf's extended key usage must allow.
    public enum Purpose: Sendable {
        case server, client
    }

    /// What makes a chain trusted.
    public enum Trust: Sendable {
        /// Chains to one of these certificates (a CA store); a leaf that is itself one of
        /// them is pinned.
        case anchors([Certificate])
        /// The leaf is its own anchor when the match accepts it, and nothing else is
        /// checked (DANE-EE).
        case matchedLeaf(LeafMatch)
        /// Anchors designated by other means than a CA store, which must be issuers of the
        /// leaf (DANE-TA: the certificates a record matches).
        case designatedAnchors([Certificate])
    }

    public var trust: Trust
    public var rules: Rules
    public var now: Date

    public init(trust: Trust, rules: Rules, now: Date = Date()) {
        self.trust = trust
        self.rules = rules
        self.now = now
    }

    /// A client verifying an SMTP server (`probe`), as OpenSSL's host check does (and
    /// Postfix's): subjectAltName, or the Common Name when there is no DNS name in it.
    public static func server(name: String, anchors: [Certificate], now: Date = Date()) -> ChainVerifier {
        var rules = Rules()
        rules.names = [name]
        rules.commonNameFallback = true
        rules.purpose = .server
        return ChainVerifier(trust: .anchors(anchors), rules: rules, now: now)
    }

    /// A server verifying a client certificate (`serve --ask-client-cert`, Sendmail's `${verify}`).
    public static func client(anchors: [Certificate], now: Date = Date()) -> ChainVerifier {
        var rules = Rules()
        rules.purpose = .client
        return ChainVerifier(trust: .anchors(anchors), rules: rules, now: now)
    }

    /// An MTA's own certificate against its CACertFile/CACertPath (`check`): the leaf's
    /// dates, names and usage are other rules' business, so only the chain is judged.
    public static func ownCertificate(anchors: [Certificate], now: Date = Date()) -> ChainVerifier {
        var rules = Rules()
        rules.checksLeafDates = false
        return ChainVerifier(trust: .anchors(anchors), rules: rules, now: now)
    }

    /// Verifies `chain` (leaf first, as presented).
    public func verify(_ chain: [PresentedCertificate]) async -> ChainVerification {
        guard let leaf = chain.first else { return .failed(.policy("no certificate was presented")) }
        let log = ProblemLog()
        let trusted = trustedCertificates(leaf: leaf.certificate)
        let presented = chain.map(\.certificate)
        let untrusted = presented.filter { !trusted.contains($0) }
        var verifier = Verifier(rootCertificates: CertificateStore(trusted + untrusted)) {
            PolicySequence(policies: policies(leafDER: leaf.der, trusted: trusted, log: log))
        }
        switch await verifier.validate(leaf: leaf.certificate, intermediates: CertificateStore(presented.dropFirst())) {
        case .validCertificate(let validated):
            return .verified(Array(validated))
        case .couldNotValidate:
            if let problem = log.mostUseful() { return .failed(problem) }
            return .failed(trusted.isEmpty ? .noTrust
                : .policy("no chain could be built (a certificate has a critical extension mailtls does not know)"))
        }
    }

    /// `verify` for certificates as ``MaterialFile`` lists them.
    public func verify(_ chain: [(certificate: Certificate, der: [UInt8])]) async -> ChainVerification {
        await verify(chain.map { PresentedCertificate(certificate: $0.certificate, der: $0.der) })
    }

    private func trustedCertificates(leaf: Certificate) -> [Certificate] {
        switch trust {
        case .anchors(let anchors): return anchors
        case .matchedLeaf: return [leaf]
        case .designatedAnchors(let anchors): return anchors
        }
    }

    private func policies(leafDER: [UInt8], trusted: [Certificate], log: ProblemLog) -> [any VerifierPolicy] {
        let top = TrustedTopPolicy(trusted: trusted, log: log)
        if case .matchedLeaf(let match) = trust {
            return [top, LeafMatchPolicy(match: match, leafDER: leafDER, log: log)]
        }
        var leafRules: [any VerifierPolicy] = []
        if rules.checksLeafDates {
            leafRules.append(ValidityPolicy(now: now, checksLeaf: true, checksIssuers: false, checksAnchor: false, log: log))
        }
        if let names = rules.names {
            leafRules.append(ServerNamePolicy(references: names, commonNameFallback: rules.commonNameFallback, log: log))
        }
        if let purpose = rules.purpose {
            leafRules.append(KeyPurposePolicy(purpose: purpose, log: log))
        }
        var chainRules: [any VerifierPolicy] = [top]
        if case .designatedAnchors = trust { chainRules.append(IssuerAnchorPolicy(log: log)) }
        chainRules.append(ValidityPolicy(now: now, checksLeaf: false, checksIssuers: rules.checksIssuerDates,
                                         checksAnchor: rules.checksAnchorDates, log: log))
        if rules.checksIssuers { chainRules.append(IssuerPolicy(log: log)) }
        return rules.leafFirst ? leafRules + chainRules : chainRules + leafRules
    }
}

/// What ``ChainVerifier`` found.
public enum ChainVerification: Sendable, Equatable {
    /// The chain verified: leaf first, the trusted certificate last (one certificate: the
    /// leaf itself is trusted, pinned or matched by DANE-EE).
    case verified([Certificate])
    case failed(ChainProblem)

    public var isVerified: Bool { if case .verified = self { return true } else { return false } }

    /// Why it failed; nil when it verified.
    public var problem: ChainProblem? { if case .failed(let problem) = self { return problem } else { return nil } }
}
