import X509
import Crypto
import SwiftASN1

/// Key identifiers as OpenSSL computes them (RFC 5280 4.2.1.2 method 1): SHA-1 of the
/// subjectPublicKey BIT STRING's contents. swift-certificates' `SubjectKeyIdentifier(hash:)`
/// hashes the whole SubjectPublicKeyInfo instead; using OpenSSL's form keeps our SKI/AKI
/// equal to what `openssl x509` would write for the same key.
public enum KeyIdentifier {
    public static func of(_ publicKey: Certificate.PublicKey) -> [UInt8] {
        let spki = Array(publicKey.subjectPublicKeyInfoBytes)
        guard let node = try? DER.parse(spki), case .constructed(let children) = node.content else {
            return Array(Insecure.SHA1.hash(data: spki))
        }
        var iterator = children.makeIterator()
        _ = iterator.next() // AlgorithmIdentifier
        guard let bitString = iterator.next(), let value = try? ASN1BitString(derEncoded: bitString) else {
            return Array(Insecure.SHA1.hash(data: spki))
        }
        return Array(Insecure.SHA1.hash(data: Array(value.bytes)))
    }
}
