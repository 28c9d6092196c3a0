import Foundation

/// A request body of ACME: a JWS in flattened JSON serialization (RFC 8555 §6.2), signed
/// with the account key. Before the account exists the key itself goes in the header
/// (`jwk`); afterwards the account URL does (`kid`).
enum JWS {
    enum KeyReference: Sendable {
        case jwk
        case kid(String)
    }

    /// - Parameter payload: the JSON to send, or nil for POST-as-GET (an empty payload).
    static func body(payload: Data?, url: String, nonce: String, key: AccountKey, reference: KeyReference) throws -> Data {
        var header = #"{"alg":"ES256","#
        switch reference {
        case .jwk: header += #""jwk":\#(key.jwkJSON),"#
        case .kid(let account): header += #""kid":\#(jsonString(account)),"#
        }
        header += #""nonce":\#(jsonString(nonce)),"url":\#(jsonString(url))}"#
        let protected = Base64URL.encode(Array(header.utf8))
        let encodedPayload = payload.map { Base64URL.encode($0) } ?? ""
        let signature = try key.sign(Array("\(protected).\(encodedPayload)".utf8))
        let body = #"{"protected":"\#(protected)","payload":"\#(encodedPayload)","signature":"\#(Base64URL.encode(signature))"}"#
        return Data(body.utf8)
    }

    /// `text` as a JSON string literal.
    static func jsonString(_ text: String) -> String {
        let data = try! JSONEncoder().encode(text) // a String always encodes
        return String(decoding: data, as: UTF8.self)
    }
}
