import X509

/// One certificate as the server presented it: parsed, and the exact DER it was sent as
/// (selector 0 records hash the DER, so a re-encoding would not do).
public struct PresentedCertificate: Sendable {
    public var certificate: Certificate
    public var der: [UInt8]

    public init(certificate: Certificate, der: [UInt8]) {
        self.certificate = certificate
        self.der = der
    }

    /// Parses `der` (as a TLS library hands out the peer's chain).
    public init(der: [UInt8]) throws {
        self.init(certificate: try Certificate(derEncoded: der), der: der)
    }
}
