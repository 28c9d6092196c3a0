import X509

/// The names a peer can check a certificate against: its subjectAltName DNS names and
/// addresses, and its (last) Common Name.
///
/// Which of them count depends on who checks: WebPKI and OpenSSL's host check read
/// subjectAltName only; RFC 7672 §3.2.3 (DANE-TA for SMTP) falls back to the Common Name
/// when there is no DNS name at all.
public struct CertificateNames: Sendable, Equatable {
    public var dnsNames: [String]
    public var ipAddresses: [[UInt8]]
    public var commonName: String?

    public init(_ certificate: Certificate) {
        let altNames = (((try? certificate.extensions.subjectAlternativeNames) ?? nil).map { Array($0) }) ?? []
        dnsNames = SubjectAltNames(altNames).dnsNames
        ipAddresses = altNames.compactMap { name in
            if case .ipAddress(let address) = name { return Array(address.bytes) }
            return nil
        }
        commonName = NameFormatter.commonName(certificate.subject)
    }

    /// The DNS names that are checked: subjectAltName's, or with `commonNameFallback`
    /// the Common Name when subjectAltName has none.
    public func checkedDNSNames(commonNameFallback: Bool = false) -> [String] {
        if dnsNames.isEmpty, commonNameFallback, let commonName { return [commonName] }
        return dnsNames
    }

    /// Whether `reference` (a host name, or an IPv4/IPv6 address in text) is named.
    public func names(_ reference: String, commonNameFallback: Bool = false) -> Bool {
        if let address = IPAddressText.bytes(reference) { return ipAddresses.contains(address) }
        return checkedDNSNames(commonNameFallback: commonNameFallback).contains { HostNameMatch.matches(reference, pattern: $0) }
    }
}
