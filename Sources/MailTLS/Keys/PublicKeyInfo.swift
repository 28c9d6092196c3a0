import X509
import SwiftASN1

extension Certificate.PublicKey {
    /// The whole SubjectPublicKeyInfo DER (algorithm and key), what `openssl pkey -pubout
    /// -outform DER` writes and what DANE `x 1 x` records and public-key fingerprints hash.
    ///
    /// Note: swift-certificates' `subjectPublicKeyInfoBytes` is only the BIT STRING's
    /// contents (the raw key), not this.
    public var spkiDER: [UInt8] {
        var serializer = DER.Serializer()
        // Serializing a parsed or generated public key cannot fail; an empty result would
        // show up at once in every fingerprint test.
        try? serializer.serialize(self)
        return serializer.serializedBytes
    }
}
