import Crypto
import X509

extension TLSARecord.MatchingType {
    /// The association data for `selected` bytes: the bytes themselves, or their digest.
    /// Returns nil for matching types this version does not know.
    public func associationData(_ selected: [UInt8]) -> [UInt8]? {
        switch self {
        case .full: return selected
        case .sha256: return Array(SHA256.hash(data: selected))
        case .sha512: return Array(SHA512.hash(data: selected))
        default: return nil
        }
    }
}

extension TLSARecord.Selector {
    /// The bytes this selector picks out of a certificate: its DER, or its SubjectPublicKeyInfo DER.
    /// Returns nil for selectors this version does not know.
    public func selectedBytes(certificate: Certificate, der: [UInt8]) -> [UInt8]? {
        switch self {
        case .certificate: return der
        case .publicKey: return certificate.publicKey.spkiDER
        default: return nil
        }
    }
}

extension TLSARecord {
    /// The record for a certificate, as `openssl x509 -pubkey -noout | openssl pkey -pubin
    /// -outform der | openssl dgst -sha256` gives for `3 1 1`.
    ///
    /// - Parameters:
    ///   - certificate: the parsed certificate.
    ///   - der: its DER encoding, exactly as it is sent in the handshake (selector 0 hashes it).
    ///   - usage: `.daneEE` for the server's own certificate, `.daneTA` for a CA's.
    ///   - selector: `.publicKey` (stays valid while the key is kept) or `.certificate`.
    ///   - matchingType: `.sha256`, `.sha512` or `.full`.
    public init(certificate: Certificate, der: [UInt8], usage: Usage = .daneEE,
                selector: Selector = .publicKey, matchingType: MatchingType = .sha256) throws {
        guard let selected = selector.selectedBytes(certificate: certificate, der: der) else {
            throw MailTLSError("--selector \(selector.rawValue)", "is not a TLSA selector", remedy: "use 1 (public key) or 0 (whole certificate)")
        }
        guard let data = matchingType.associationData(selected) else {
            throw MailTLSError("--match \(matchingType.rawValue)", "is not a TLSA matching type", remedy: "use 1 (SHA-256), 2 (SHA-512) or 0 (full)")
        }
        self.init(usage: usage, selector: selector, matchingType: matchingType, data: data)
    }

    /// The record for a public key alone (selector 1: a key has no certificate to hash).
    /// This is how `rollover plan` computes the next key's record before any certificate exists.
    public init(publicKey: Certificate.PublicKey, usage: Usage = .daneEE, matchingType: MatchingType = .sha256) throws {
        guard let data = matchingType.associationData(publicKey.spkiDER) else {
            throw MailTLSError("--match \(matchingType.rawValue)", "is not a TLSA matching type", remedy: "use 1 (SHA-256), 2 (SHA-512) or 0 (full)")
        }
        self.init(usage: usage, selector: .publicKey, matchingType: matchingType, data: data)
    }

    /// Whether this record's parameters and data match `certificate` (names, dates and chain
    /// aside: that is ``TLSAMatcher``'s job). Unknown parameters never match.
    public func matches(certificate: Certificate, der: [UInt8]) -> Bool {
        guard let selected = selector.selectedBytes(certificate: certificate, der: der),
              let computed = matchingType.associationData(selected) else { return false }
        return computed == data
    }

    /// Whether this record (selector 1) names `publicKey`.
    public func matches(publicKey: Certificate.PublicKey) -> Bool {
        guard selector == .publicKey, let computed = matchingType.associationData(publicKey.spkiDER) else { return false }
        return computed == data
    }
}
