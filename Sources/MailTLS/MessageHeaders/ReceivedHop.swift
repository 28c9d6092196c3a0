/// One hop of a message's path: what one `Received:` header says about how the message got
/// from one host to the next, and in particular whether and how TLS protected that step.
///
/// Every key is always present in JSON (`null` when the header does not say), so scripts can
/// rely on the shape.
public struct ReceivedHop: Equatable, Sendable, Encodable {
    /// Position in the path, 1 = the oldest hop (the bottom-most Received header).
    public var hop: Int = 0
    /// The name the sending host gave (the word after `from`); nil for a local submission.
    public var from: String?
    /// The sending host's name as the receiver looked it up (`unknown` when it found none).
    public var fromHost: String?
    /// The sending host's address, from the brackets in the `from` comment.
    public var fromAddress: String?
    /// The receiving host (the word after `by`).
    public var by: String?
    /// The protocol (`with` clause): SMTP, ESMTP, ESMTPS, ESMTPSA, LMTP, …
    public var with: String?
    /// The receiver's queue id.
    public var id: String?
    /// Whether TLS protected this hop: TLS facts in the header, or a protocol name of RFC 3848
    /// that says so (ESMTPS, ESMTPSA, …).
    public var tls: Bool = false
    public var tlsVersion: String?
    public var cipher: String?
    /// Symmetric key bits of the cipher (Sendmail `bits=256`, Postfix `(256/256 bits)`).
    public var bits: Int?
    /// Postfix's `key-exchange` (e.g. X25519).
    public var keyExchange: String?
    /// Sendmail's `verify=` word, as written.
    public var verify: String?
    /// What became of the client's certificate, for either MTA.
    public var clientCertificate: ClientCertificate?
    /// Postfix's `Client CN "…"` and `Issuer "…"` (Issuer is the issuing CA's CN).
    public var clientCN: String?
    public var issuer: String?
    /// One line saying what `verify` (Sendmail) or the client-certificate comment (Postfix) means.
    public var verifyMeaning: String?
    /// The date after the header's last `;`, as written.
    public var date: String?
    /// The whole header value, unfolded onto one line.
    public var header: String = ""

    public init() {}

    enum CodingKeys: String, CodingKey {
        case hop, from, fromHost, fromAddress, by, with, id, tls, tlsVersion, cipher, bits, keyExchange
        case verify, clientCertificate, clientCN, issuer, verifyMeaning, date, header
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(hop, forKey: .hop)
        try container.encode(from, forKey: .from)
        try container.encode(fromHost, forKey: .fromHost)
        try container.encode(fromAddress, forKey: .fromAddress)
        try container.encode(by, forKey: .by)
        try container.encode(with, forKey: .with)
        try container.encode(id, forKey: .id)
        try container.encode(tls, forKey: .tls)
        try container.encode(tlsVersion, forKey: .tlsVersion)
        try container.encode(cipher, forKey: .cipher)
        try container.encode(bits, forKey: .bits)
        try container.encode(keyExchange, forKey: .keyExchange)
        try container.encode(verify, forKey: .verify)
        try container.encode(clientCertificate, forKey: .clientCertificate)
        try container.encode(clientCN, forKey: .clientCN)
        try container.encode(issuer, forKey: .issuer)
        try container.encode(verifyMeaning, forKey: .verifyMeaning)
        try container.encode(date, forKey: .date)
        try container.encode(header, forKey: .header)
    }
}
