#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import X509

/// What `mailtls show` tells about one certificate, request or key: the facts an admin
/// checks before trusting or deploying it. Codable, so `--json` prints the same facts.
public struct Summary: Sendable, Equatable, Codable {
    public var kind: String
    public var subject: String?
    public var issuer: String?
    public var selfSigned: Bool?
    public var serial: String?
    public var altNames: [String]?
    public var notBefore: String?
    public var notAfter: String?
    /// Whole days until expiry (negative once expired).
    public var daysLeft: Int?
    public var isCA: Bool?
    public var keyUsage: String?
    public var extendedKeyUsage: [String]?
    public var signatureValid: Bool?
    public var key: String
    public var sha256: String?
    public var sha1: String?
    public var spkiSHA256: String

    /// Summaries of everything in `file`, in order.
    public static func of(_ file: MaterialFile, now: Date = Date()) -> [Summary] {
        file.objects.compactMap { object in
            switch object {
            case .certificate(let certificate, let der): return of(certificate, der: der, now: now)
            case .request(let request, _): return of(request)
            case .privateKey(let key): return keySummary("private key", key.publicKey)
            case .publicKey(let key): return keySummary("public key", key)
            case .revocationList: return nil
            }
        }
    }

    static func of(_ certificate: Certificate, der: [UInt8], now: Date) -> Summary {
        var summary = keySummary("certificate", certificate.publicKey)
        summary.subject = NameFormatter.oneLine(certificate.subject)
        summary.issuer = NameFormatter.oneLine(certificate.issuer)
        summary.selfSigned = certificate.subject == certificate.issuer
            && certificate.publicKey.isValidSignature(certificate.signature, for: certificate)
        summary.serial = Hex.colonUpper(certificate.serialNumber.bytes)
        summary.altNames = (try? certificate.extensions.subjectAlternativeNames).flatMap { $0 }.map { $0.map(SubjectAltNames.describe) } ?? []
        summary.notBefore = UTCTimestamp.iso8601(certificate.notValidBefore)
        summary.notAfter = UTCTimestamp.iso8601(certificate.notValidAfter)
        summary.daysLeft = Int(((certificate.notValidAfter.timeIntervalSince1970 - now.timeIntervalSince1970) / 86_400).rounded(.down))
        if case .some(.some(let constraints)) = try? certificate.extensions.basicConstraints {
            if case .isCertificateAuthority = constraints { summary.isCA = true } else { summary.isCA = false }
        } else {
            summary.isCA = false
        }
        if case .some(.some(let usage)) = try? certificate.extensions.keyUsage { summary.keyUsage = usage.description }
        if case .some(.some(let usage)) = try? certificate.extensions.extendedKeyUsage {
            summary.extendedKeyUsage = usage.map(describe)
        }
        summary.sha256 = Hex.colonUpper(DigestAlgorithm.sha256.digest(der))
        summary.sha1 = Hex.colonUpper(DigestAlgorithm.sha1.digest(der))
        return summary
    }

    static func of(_ request: CertificateSigningRequest) -> Summary {
        var summary = keySummary("certificate request", request.publicKey)
        summary.subject = NameFormatter.oneLine(request.subject)
        summary.altNames = RequestMaker.requestedAltNames(request).names.map(SubjectAltNames.describe)
        summary.signatureValid = RequestMaker.hasValidSignature(request)
        return summary
    }

    static func keySummary(_ kind: String, _ key: Certificate.PublicKey) -> Summary {
        Summary(kind: kind, key: KeyDescription(key).text,
                spkiSHA256: Hex.colonUpper(DigestAlgorithm.sha256.digest(key.spkiDER)))
    }

    private static func describe(_ usage: ExtendedKeyUsage.Usage) -> String {
        switch usage {
        case .serverAuth: return "serverAuth"
        case .clientAuth: return "clientAuth"
        case .emailProtection: return "emailProtection"
        case .codeSigning: return "codeSigning"
        case .ocspSigning: return "OCSPSigning"
        case .timeStamping: return "timeStamping"
        default: return usage.description
        }
    }

    init(kind: String, key: String, spkiSHA256: String) {
        self.kind = kind
        self.key = key
        self.spkiSHA256 = spkiSHA256
    }
}
