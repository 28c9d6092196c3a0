import X509
import Crypto

/// Key identifiers as OpenSSL computes them (RFC 5280 4.2.1.2 method 1): SHA-1 of the
/// subjectPublicKey BIT STRING's contents, which is what swift-certificates calls
/// `subjectPublicKeyInfoBytes`. (Its own `SubjectKeyIdentifier(hash:)` is the same digest;
/// naming it here keeps the OpenSSL equivalence, which a test checks, in one place.)
public enum KeyIdentifier {
    public static func of(_ publicKey: Certificate.PublicKey) -> [UInt8] {
        Array(Insecure.SHA1.hash(data: Array(publicKey.subjectPublicKeyInfoBytes)))
    }
}
