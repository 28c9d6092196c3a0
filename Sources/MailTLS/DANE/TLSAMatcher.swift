#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import X509

/// Checks a server's certificate chain against TLSA records by the rules of SMTP DANE
/// (RFC 7672 §3, with RFC 7671's updates):
///
/// - `3 x x` (DANE-EE) matches the server certificate (the leaf) only. Nothing else is
///   checked: not the names, not the dates, not the issuer (RFC 7672 §3.1.1).
/// - `2 x x` (DANE-TA) matches a trust anchor: a CA certificate the server sends in its chain
///   (RFC 7672 §3.1.2 requires servers to send it). The leaf must then chain to that anchor:
///   each certificate on the way signed by the next, the ones below the anchor within their
///   validity period, the issuers CAs. With `2 1 0` or `2 0 0` the record holds the whole
///   key or certificate, so the anchor itself need not be sent (RFC 7671 §5.2.2). Names are
///   checked when reference names are given (RFC 7672 §3.2.2: the MX host name and the
///   next-hop domain).
/// - `0 x x` and `1 x x` (PKIX-TA, PKIX-EE) are unusable for SMTP (RFC 7672 §3.1.3), as are
///   records with unknown parameters or digests of the wrong length.
///
/// Any one matching record authenticates the server. When records exist but none is
/// usable, RFC 7672 §2.2 has the client use TLS without authentication; when usable records
/// exist and none matches, the client must not deliver.
///
/// ```swift
/// let report = TLSAMatcher(records: try source.records(host: "mx.example.org", port: 25),
///                          referenceNames: ["mx.example.org", "example.org"])
///     .match(chain: presented)
/// if report.verdict == .matched { … report.matched!.record … }
/// ```
public struct TLSAMatcher: Sendable {
    public var records: [TLSARecord]
    /// The names a `2 x x` match must find in the leaf; nil skips name checks.
    public var referenceNames: [String]?
    /// The time the validity periods are checked against (`2 x x` only).
    public var now: Date

    /// - Parameters:
    ///   - records: the TLSA RRset for `_<port>._tcp.<host>.`.
    ///   - referenceNames: for `2 x x`, the names the leaf must carry (the TLSA base domain,
    ///     i.e. the MX host, and the next-hop domain); nil to leave names unchecked.
    ///   - now: when to check validity periods.
    public init(records: [TLSARecord], referenceNames: [String]? = nil, now: Date = Date()) {
        self.records = records
        self.referenceNames = referenceNames
        self.now = now
    }

    /// Evaluates every record against `chain` (leaf first, as presented), each through
    /// ``ChainVerifier``.
    public func match(chain: [PresentedCertificate]) async -> TLSAMatchReport {
        var evaluations: [TLSAMatchReport.Evaluation] = []
        for record in records {
            evaluations.append(TLSAMatchReport.Evaluation(record: record, outcome: await evaluate(record, chain: chain)))
        }
        return TLSAMatchReport(evaluations: evaluations, namesChecked: referenceNames != nil)
    }

    /// `match(chain:)` for certificates as `MaterialFile.certificates` lists them.
    public func match(chain: [(certificate: Certificate, der: [UInt8])]) async -> TLSAMatchReport {
        await match(chain: chain.map { PresentedCertificate(certificate: $0.certificate, der: $0.der) })
    }

    private func evaluate(_ record: TLSARecord, chain: [PresentedCertificate]) async -> TLSAMatchReport.Outcome {
        if let reason = record.unusableReason { return .unusable(reason) }
        guard let leaf = chain.first else { return .mismatch("the server presented no certificate") }
        if record.usage == .daneEE {
            let match = LeafMatch(mismatch: "the server certificate's \(record.selector == .publicKey ? "public key" : "DER") does not match") {
                record.matches(certificate: $0.certificate, der: $0.der)
            }
            let verification = await ChainVerifier(trust: .matchedLeaf(match), rules: ChainVerifier.Rules(), now: now).verify(chain)
            if let problem = verification.problem { return .mismatch(problem.message(leaf: "the server certificate")) }
            return .matched(depth: 0, subject: NameFormatter.oneLine(leaf.certificate.subject))
        }
        return await evaluateTrustAnchor(record, chain: chain)
    }

    /// DANE-TA(2): the presented issuers the record matches (or, for `2 x 0`, the anchor
    /// the record holds) are the trust anchors the chain must reach.
    private func evaluateTrustAnchor(_ record: TLSARecord, chain: [PresentedCertificate]) async -> TLSAMatchReport.Outcome {
        let leaf = chain[0]
        var anchors = chain.dropFirst().filter { record.matches(certificate: $0.certificate, der: $0.der) }.map(\.certificate)
        if anchors.isEmpty, record.matches(certificate: leaf.certificate, der: leaf.der) {
            return .mismatch("it matches the server certificate itself, but a DANE-TA(2) record must match an issuer (publish it as 3 \(record.selector.rawValue) \(record.matchingType.rawValue))")
        }
        // 2 1 0 / 2 0 0: the record is the anchor, which the server need not send (RFC 7671 §5.2.2).
        var anchorFromRecord = false
        if anchors.isEmpty, record.matchingType == .full {
            anchors = DANETrustAnchor.certificates(from: record, issuing: chain.map(\.certificate))
            anchorFromRecord = !anchors.isEmpty
        }
        guard !anchors.isEmpty else { return .mismatch("no CA certificate in the presented chain matches") }
        var rules = ChainVerifier.Rules()
        rules.checksAnchorDates = false
        rules.names = referenceNames.flatMap { $0.isEmpty ? nil : $0 }
        rules.commonNameFallback = true
        rules.leafFirst = false
        switch await ChainVerifier(trust: .designatedAnchors(anchors), rules: rules, now: now).verify(chain) {
        case .verified(let path):
            let anchor = path[path.count - 1]
            let subject = anchorFromRecord && record.selector == .publicKey ? "the public key in the record" : NameFormatter.oneLine(anchor.subject)
            return .matched(depth: path.count - 1, subject: subject)
        case .failed(let problem):
            return .mismatch(Self.explain(problem))
        }
    }

    /// A verifier's problem in DANE-TA's terms.
    private static func explain(_ problem: ChainProblem) -> String {
        switch problem {
        case .issuerNotFound(let subject, let issuer):
            return "\(subject ?? "the server certificate") is not signed by the trust anchor, and its issuer \(issuer) is not in the presented chain"
        case .anchorIsLeaf:
            return "a DANE-TA(2) record must match an issuer of the server certificate"
        case .untrustedRoot(let subject):
            return "the presented chain ends at \(subject), not at the trust anchor"
        case .selfSignedUntrusted:
            return "the server certificate is self-signed and not signed by the trust anchor"
        case .nameMismatch(let wanted, let named):
            return "the chain leads to the trust anchor, but the server certificate names \(named.joined(separator: ", ")), not \(wanted.joined(separator: " or "))"
        default:
            return problem.message(leaf: "the server certificate")
        }
    }
}

/// What ``TLSAMatcher`` found: each record's outcome, and the verdict.
public struct TLSAMatchReport: Sendable {
    public enum Outcome: Sendable, Equatable {
        /// The record matched the certificate at `depth` (0: the leaf; n: its n-th issuer,
        /// the trust anchor), whose subject is given.
        case matched(depth: Int, subject: String)
        /// The record cannot be used for SMTP, and why.
        case unusable(String)
        /// The record is usable but does not match, and why.
        case mismatch(String)
    }

    public struct Evaluation: Sendable, Equatable {
        public var record: TLSARecord
        public var outcome: Outcome

        public var isMatch: Bool { if case .matched = outcome { return true } else { return false } }
        public var isUsable: Bool { if case .unusable = outcome { return false } else { return true } }
    }

    public enum Verdict: String, Sendable, Codable {
        /// A usable record matched: the server is authenticated.
        case matched
        /// Usable records exist and none matched: a DANE client must not deliver.
        case noMatch = "no-match"
        /// Records exist but none is usable: a DANE client uses TLS without authentication.
        case noUsableRecords = "no-usable-records"
        /// There are no records: DANE does not apply.
        case noRecords = "no-records"
    }

    public var evaluations: [Evaluation]
    /// Whether `2 x x` matches had the leaf's names checked.
    public var namesChecked: Bool

    public init(evaluations: [Evaluation], namesChecked: Bool) {
        self.evaluations = evaluations
        self.namesChecked = namesChecked
    }

    /// The first record that matched.
    public var matched: Evaluation? { evaluations.first(where: \.isMatch) }

    public var verdict: Verdict {
        if evaluations.isEmpty { return .noRecords }
        if matched != nil { return .matched }
        return evaluations.contains(where: \.isUsable) ? .noMatch : .noUsableRecords
    }

    /// One line for people: which record matched, or why none did.
    public var summary: String {
        switch verdict {
        case .matched:
            let hit = matched!
            guard case .matched(let depth, let subject) = hit.outcome else { return "" }
            let place = depth == 0 ? "the server certificate (\(subject))" : "the trust anchor \(subject) at depth \(depth)"
            let names = hit.record.usage == .daneTA && !namesChecked ? "; names not checked" : ""
            return "TLSA \(hit.record.parameters) \(abbreviated(hit.record)) matches \(place)\(names)"
        case .noMatch:
            let usable = evaluations.filter(\.isUsable).count
            return "none of the \(usable) usable TLSA record\(usable == 1 ? "" : "s") matches: a DANE client will not deliver to this server"
        case .noUsableRecords:
            return "none of the \(evaluations.count) TLSA record\(evaluations.count == 1 ? " is" : "s are") usable for SMTP: a DANE client uses TLS without authentication"
        case .noRecords:
            return "no TLSA records: DANE does not apply"
        }
    }

    private func abbreviated(_ record: TLSARecord) -> String {
        let hex = Hex.lower(record.data)
        return hex.count > 16 ? String(hex.prefix(16)) + "…" : hex
    }
}
