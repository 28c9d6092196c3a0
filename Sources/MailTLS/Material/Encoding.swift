import X509
import SwiftASN1

/// Turning certificates and requests back into the bytes and PEM text that files hold.
public enum Encoding {
    public static func der(_ certificate: Certificate) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return serializer.serializedBytes
    }

    public static func der(_ request: CertificateSigningRequest) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(request)
        return serializer.serializedBytes
    }

    public static func pem(_ certificate: Certificate) throws -> String {
        PEMScanner.encode(try der(certificate), label: "CERTIFICATE")
    }

    public static func pem(_ request: CertificateSigningRequest) throws -> String {
        PEMScanner.encode(try der(request), label: "CERTIFICATE REQUEST")
    }
}
