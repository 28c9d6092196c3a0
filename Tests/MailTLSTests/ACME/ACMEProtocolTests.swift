import Foundation
import Testing
@testable import MailTLSACME

/// The pure parts of the ACME client, checked against independent computations.
@Suite("ACME protocol pieces")
struct ACMEProtocolTests {
    @Test("dns-01 TXT value is base64url(SHA-256(key authorization)), as openssl computes it")
    func txtValue() throws {
        let keyAuthorization = "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA.9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI"
        let openssl = try run("/bin/sh", ["-c", "printf %s '\(keyAuthorization)' | openssl dgst -sha256 -binary | openssl base64 -A | tr '+/' '-_' | tr -d '='"])
        #expect(DNSHookSolver.txtValue(keyAuthorization: keyAuthorization) == openssl.stdout)
        #expect(DNSHookSolver.recordName(for: "*.example.org") == "_acme-challenge.example.org.")
    }

    @Test("the JWK thumbprint is SHA-256 over the canonical JWK (RFC 7638), and the JWS verifies with openssl")
    func thumbprintAndSignature() throws {
        let key = AccountKey()
        let jwk = key.jwkJSON
        #expect(jwk.hasPrefix(#"{"crv":"P-256","kty":"EC","x":""#))
        let expected = try run("/bin/sh", ["-c", "printf %s '\(jwk)' | openssl dgst -sha256 -binary | openssl base64 -A | tr '+/' '-_' | tr -d '='"])
        #expect(key.thumbprint == expected.stdout)

        // The signature is r‖s over "protected.payload": turned into DER, openssl verifies it
        // with the account key's public half.
        let body = try JWS.body(payload: Data(#"{"a":1}"#.utf8), url: "https://ca.example/x", nonce: "n1", key: key, reference: .kid("https://ca.example/acct/1"))
        let object = try JSONSerialization.jsonObject(with: body) as! [String: String]
        let signingInput = "\(object["protected"]!).\(object["payload"]!)"
        let signature = try #require(Data(base64URL: object["signature"]!))
        #expect(signature.count == 64)
        let directory = TempDirectory()
        try directory.write("input", signingInput)
        try directory.write("key.pem", key.pem)
        try directory.write("sig.der", bytes: derSignature(r: Array(signature.prefix(32)), s: Array(signature.suffix(32))))
        _ = try OpenSSL.expectSuccess(["pkey", "-in", directory.file("key.pem"), "-pubout", "-out", directory.file("pub.pem")])
        let verified = try OpenSSL.run(["dgst", "-sha256", "-verify", directory.file("pub.pem"), "-signature", directory.file("sig.der"), directory.file("input")])
        #expect(verified.stdout.contains("Verified OK"), "\(verified.stdout)\(verified.stderr)")
        let header = try JSONSerialization.jsonObject(with: try #require(Data(base64URL: object["protected"]!))) as! [String: String]
        #expect(header == ["alg": "ES256", "kid": "https://ca.example/acct/1", "nonce": "n1", "url": "https://ca.example/x"])
    }

    @Test("Retry-After: seconds or an HTTP date")
    func retryAfter() {
        #expect(RetryAfter.seconds("120") == 120)
        #expect(RetryAfter.seconds("-5") == 0)
        let inAMinute = Date().addingTimeInterval(60)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let seconds = RetryAfter.seconds(formatter.string(from: inAMinute)) ?? -1
        #expect(seconds > 55 && seconds <= 60)
        #expect(RetryAfter.seconds("soon") == nil)
    }

    @Test("problem documents become one readable line, subproblems by name")
    func problems() throws {
        let json = #"{"type":"urn:ietf:params:acme:error:rejectedIdentifier","detail":"Error creating new order","status":400,"subproblems":[{"type":"urn:ietf:params:acme:error:rejectedIdentifier","detail":"invalid domain","identifier":{"type":"dns","value":"bad.example"}}]}"#
        let problem = try JSONDecoder().decode(ACMEProblem.self, from: Data(json.utf8))
        #expect(problem.shortType == "rejectedIdentifier")
        #expect(problem.readable == "Error creating new order; bad.example: invalid domain")
        let failure = ACMEFailure(problem: problem, url: "https://acme.example.org/new-order", retryAfter: nil)
        #expect(failure.description == "acme.example.org: rejectedIdentifier: Error creating new order; bad.example: invalid domain (the CA will not certify that name; check --host)")
    }

    /// An ECDSA-Sig-Value (SEQUENCE of two INTEGERs) from raw r and s.
    private func derSignature(r: [UInt8], s: [UInt8]) -> [UInt8] {
        func integer(_ bytes: [UInt8]) -> [UInt8] {
            var value = Array(bytes.drop { $0 == 0 })
            if value.isEmpty { value = [0] }
            if value[0] & 0x80 != 0 { value.insert(0, at: 0) }
            return [0x02, UInt8(value.count)] + value
        }
        let body = integer(r) + integer(s)
        return [0x30, UInt8(body.count)] + body
    }
}

extension Data {
    /// base64url without padding, as JWS writes it.
    init?(base64URL text: String) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        self.init(base64Encoded: base64)
    }
}
