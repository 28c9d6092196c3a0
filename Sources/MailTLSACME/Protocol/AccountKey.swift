import Crypto
import Foundation

/// The ACME account key: ECDSA P-256, signing every request as JWS `ES256`.
///
/// ES256 because every ACME server must accept it, its signatures are small, and swift-crypto
/// makes and signs with it natively. The key is stored as PKCS#8 PEM (as `openssl genpkey`
/// writes), 0600, in the certs directory's `acme/`.
public struct AccountKey: Sendable {
    let key: P256.Signing.PrivateKey

    public init() { key = P256.Signing.PrivateKey() }

    public init(pem: String) throws {
        key = try P256.Signing.PrivateKey(pemRepresentation: pem)
    }

    public var pem: String { key.pemRepresentation }

    /// The public key as a JWK (RFC 7517), members in the lexicographic order RFC 7638 asks
    /// for, so the same text serves the `jwk` header and the thumbprint.
    var jwkJSON: String {
        let point = Array(key.publicKey.x963Representation.dropFirst())
        let x = Base64URL.encode(point[0..<32]), y = Base64URL.encode(point[32..<64])
        return #"{"crv":"P-256","kty":"EC","x":"\#(x)","y":"\#(y)"}"#
    }

    /// RFC 7638 thumbprint: SHA-256 over the canonical JWK, base64url. It ties challenge
    /// responses to this account (`token.thumbprint` is the key authorization).
    public var thumbprint: String {
        Base64URL.encode(SHA256.hash(data: Array(jwkJSON.utf8)))
    }

    /// The key authorization for a challenge token (RFC 8555 §8.1).
    func keyAuthorization(token: String) -> String { "\(token).\(thumbprint)" }

    /// ES256 signature over `input`: r‖s, 64 bytes, as JWS wants (not DER).
    func sign(_ input: [UInt8]) throws -> [UInt8] {
        Array(try key.signature(for: input).rawRepresentation)
    }
}
