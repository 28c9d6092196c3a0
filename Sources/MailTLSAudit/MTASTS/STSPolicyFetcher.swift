import MailTLS
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import X509
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Fetches a domain's MTA-STS policy as a sending MTA must (RFC 8461 §3.3): `GET
/// https://mta-sts.DOMAIN/.well-known/mta-sts.txt` with SNI, the certificate judged by
/// ``ChainVerifier/webServer(name:anchors:now:)`` (WebPKI, DNS-ID only) so that a refusal
/// says why in the words `check` and `probe` use, no redirect followed, 200 only, at most
/// 64 KiB read, all within one timeout.
///
/// The media type: RFC 8461 §3.3 says senders SHOULD check that the policy is served as
/// `text/plain` (parameters such as `charset` are fine), to avoid taking a user-uploaded
/// HTML page or image for a policy, and the widely used Postfix resolver does. A policy
/// served as anything else is therefore reported as `sts-policy-invalid`: senders that
/// follow the SHOULD ignore it. Its text is still parsed, and the parser's findings come
/// with the failure, so the admin sees whether the text itself would be good.
///
/// Written on NIO's HTTP/1 codec rather than AsyncHTTPClient: AsyncHTTPClient offers no
/// hook for a certificate verification callback (its TLS handlers are built inside its
/// connection pool), so the verdict on the certificate could not come from the project's
/// chain verifier.
public struct STSPolicyFetcher: Sendable {
    public var options: STSFetchOptions

    public init(_ options: STSFetchOptions) { self.options = options }

    public static let path = "/.well-known/mta-sts.txt"

    /// The policy host of `domain`: `mta-sts.` and the domain, lower case, no trailing dot.
    public static func policyHost(of domain: String) -> String {
        let domain = domain.hasSuffix(".") ? String(domain.dropLast()) : domain
        return "mta-sts.\(domain.lowercased())"
    }

    /// Fetches and parses the policy of `domain`.
    public func fetch(domain: String) async -> Result<STSFetchedPolicy, STSFetchFailure> {
        let host = Self.policyHost(of: domain)
        let url = "https://\(host)\(Self.path)"
        let response: STSHTTPSResponse
        do {
            response = try await STSHTTPSGet(host: host, path: Self.path, options: options).run()
        } catch let failure as STSFetchFailure {
            return .failure(failure)
        } catch {
            return .failure(STSFetchFailure(.fetchError, url: url, reason: "\(error)"))
        }
        let reading = STSPolicyParser.read(response.body, source: url)
        if let contentType = response.contentType, !Self.isPlainText(contentType) {
            return .failure(STSFetchFailure(.policyInvalid, url: url,
                                            reason: "the policy is served as \(contentType), not text/plain; senders that check the media type (RFC 8461 §3.3) ignore it",
                                            findings: reading.findings))
        }
        if response.contentType == nil {
            return .failure(STSFetchFailure(.policyInvalid, url: url,
                                            reason: "the policy is served without a Content-Type, not as text/plain; senders that check the media type (RFC 8461 §3.3) ignore it",
                                            findings: reading.findings))
        }
        guard let policy = reading.policy else {
            let first = reading.findings.first { $0.severity == .error }?.message ?? "the policy is invalid"
            return .failure(STSFetchFailure(.policyInvalid, url: url, reason: first, findings: reading.findings))
        }
        return .success(STSFetchedPolicy(url: url, policy: policy, body: response.body, findings: reading.findings, certificates: response.chain))
    }

    /// `text/plain`, whatever its parameters, in any case.
    static func isPlainText(_ contentType: String) -> Bool {
        let mediaType = contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let trimmed = mediaType.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed()
        return String(trimmed).lowercased() == "text/plain"
    }
}

/// How to fetch: whom to trust, how long to wait, where `mta-sts.DOMAIN` really is.
public struct STSFetchOptions: Sendable {
    /// The certificates a policy host's chain must reach (the system bundle for a real audit).
    public var anchors: [Certificate]
    /// Seconds for the whole fetch: connect, handshake, request and body.
    public var timeout: Double
    /// Where to connect instead of the name's own address (tests, staging).
    public var connectTo: [ConnectTo]
    /// The most body bytes read; a longer body is a failure.
    public var sizeLimit: Int
    /// The time certificates are judged at; nil: now.
    public var now: Date?

    public init(anchors: [Certificate], timeout: Double = 10, connectTo: [ConnectTo] = [], sizeLimit: Int = STSPolicy.sizeLimit, now: Date? = nil) {
        self.anchors = anchors
        self.timeout = timeout
        self.connectTo = connectTo
        self.sizeLimit = sizeLimit
        self.now = now
    }

    /// The Debian/Ubuntu system bundle, the default trust for a real audit.
    public static let systemBundle = "/etc/ssl/certs/ca-certificates.crt"

    /// The trust for a fetch (`--ca FILE`): the certificates in `caFile`, or in the system
    /// bundle when nil; read by the one trust loader.
    public static func anchors(caFile: String?) -> [Certificate] {
        TrustAnchors.load(caFile: caFile ?? systemBundle, caPath: nil).certificates
    }
}

/// `--connect-to NAME:PORT:ADDRESS:PORT` (curl's form): connect to ADDRESS:PORT when asked
/// for NAME:PORT, keeping NAME for SNI and certificate verification.
public struct ConnectTo: Sendable, Equatable {
    public var name: String
    public var port: Int
    public var address: String
    public var addressPort: Int

    public init(name: String, port: Int, address: String, addressPort: Int) {
        self.name = name
        self.port = port
        self.address = address
        self.addressPort = addressPort
    }

    /// Parses `NAME:PORT:ADDRESS:PORT`; an IPv6 address goes in brackets (`[::1]`).
    public init(parsing text: String) throws {
        let bad = MailTLSError(text, "is not NAME:PORT:ADDRESS:PORT", remedy: "write for example mta-sts.example.org:443:127.0.0.1:8443")
        var rest = Substring(text)
        func next(_ bracketed: Bool) throws -> Substring {
            if bracketed, rest.hasPrefix("[") {
                guard let close = rest.firstIndex(of: "]") else { throw bad }
                let value = rest[rest.index(after: rest.startIndex)..<close]
                rest = rest[rest.index(after: close)...]
                if rest.hasPrefix(":") { rest = rest.dropFirst() } else if !rest.isEmpty { throw bad }
                return value
            }
            let end = rest.firstIndex(of: ":") ?? rest.endIndex
            let value = rest[..<end]
            rest = end == rest.endIndex ? rest[end...] : rest[rest.index(after: end)...]
            return value
        }
        let name = try next(false), port = try next(false), address = try next(true), addressPort = try next(false)
        guard !name.isEmpty, !address.isEmpty, rest.isEmpty, let port = Int(port), let addressPort = Int(addressPort),
              (1...65535).contains(port), (1...65535).contains(addressPort)
        else { throw bad }
        self.init(name: String(name), port: port, address: String(address), addressPort: addressPort)
    }

    /// Where to connect for `host`:`port`.
    static func target(host: String, port: Int, in overrides: [ConnectTo]) -> (host: String, port: Int) {
        let wanted = host.lowercased()
        if let match = overrides.first(where: { $0.name.lowercased() == wanted && $0.port == port }) {
            return (match.address, match.addressPort)
        }
        return (host, port)
    }
}

/// A policy fetched and valid.
public struct STSFetchedPolicy: Sendable {
    public var url: String
    public var policy: STSPolicy
    /// The policy's bytes as served (`mta-sts check` compares them and their id).
    public var body: [UInt8]
    /// Warnings about the policy's text (a repeated key, a blank line, a short max_age).
    public var findings: [Finding]
    /// The policy host's verified chain, leaf first.
    public var certificates: [Certificate]
}

/// Why no policy: the kind is RFC 8460's result type, the reason one line.
public struct STSFetchFailure: Error, Sendable, Equatable {
    /// RFC 8460 §4.3.2's result types for a policy that could not be used.
    public enum Kind: String, Sendable, Equatable {
        /// The policy host could not be reached, or did not answer 200 with the whole policy.
        case fetchError = "sts-policy-fetch-error"
        /// The policy host's certificate is not valid for `mta-sts.DOMAIN`.
        case webPKIInvalid = "sts-webpki-invalid"
        /// The answer is not a policy senders would use.
        case policyInvalid = "sts-policy-invalid"
    }

    public var kind: Kind
    public var url: String
    public var reason: String
    /// For `sts-policy-invalid`: what the policy parser found.
    public var findings: [Finding]
    /// For `sts-webpki-invalid`: the chain verifier's reason.
    public var chainProblem: ChainProblem?

    public init(_ kind: Kind, url: String, reason: String, findings: [Finding] = [], chainProblem: ChainProblem? = nil) {
        self.kind = kind
        self.url = url
        self.reason = reason
        self.findings = findings
        self.chainProblem = chainProblem
    }

    /// The failure as a finding about the URL: an error (senders ignore the policy).
    public var finding: Finding {
        Finding(.error, url, "\(kind.rawValue): \(reason)", fix: kind.fix, rule: "mta-sts-fetch")
    }
}

extension STSFetchFailure.Kind {
    var fix: String {
        switch self {
        case .fetchError: return "serve the policy with status 200 at this URL, without a redirect"
        case .webPKIInvalid: return "give the policy host a certificate from a public CA that names it in subjectAltName"
        case .policyInvalid: return "serve the policy as text/plain with version, mode, mx and max_age lines"
        }
    }
}
