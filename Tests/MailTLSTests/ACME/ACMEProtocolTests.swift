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

    /// A reply as a DNS server sends it: the question, then two TXT answers whose owner
    /// names are compression pointers to the question (offset 12), one split in two strings.
    static func txtReply(id: UInt16) -> [UInt8] {
        var reply: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xFF), 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 0]
        reply += DNSTXTLookup.query(name: "_acme-challenge.mx.example.org.", id: id)!.dropFirst(12)
        func answer(_ strings: [String]) -> [UInt8] {
            let data = strings.flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) }
            return [0xC0, 12, 0, 16, 0, 1, 0, 0, 0, 60, 0, UInt8(data.count)] + data
        }
        return reply + answer(["abc"]) + answer(["def", "ghi"])
    }

    @Test("DNS TXT replies: values read through name compression; a reply to another query is refused")
    func dnsReply() {
        #expect(DNSTXTLookup.parseTXT(Self.txtReply(id: 0x1234), id: 0x1234) == ["abc", "defghi"])
        #expect(DNSTXTLookup.parseTXT(Self.txtReply(id: 0x1234), id: 0x4321) == nil)
        #expect(DNSTXTLookup.query(name: String(repeating: "a", count: 64) + ".example", id: 1) == nil)
    }

    /// The DNS reply parser reads what the network sends, and lives in MailTLSACME, outside
    /// the fuzz package: here it gets 100,000 mutations of a real reply and random bytes.
    /// A debug build traps on any out-of-bounds read, so surviving is the assertion.
    @Test("DNS reply parser survives 100,000 mutated and random replies")
    func dnsReplyMutations() {
        var generator = SystemRandomNumberGenerator()
        let seed = Self.txtReply(id: 7)
        var parsed = 0
        for round in 0..<100_000 {
            var reply = seed
            if round % 10 == 0 {
                reply = (0..<Int.random(in: 0...64, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            } else {
                for _ in 0..<Int.random(in: 1...4, using: &generator) {
                    switch Int.random(in: 0...2, using: &generator) {
                    case 0: reply[Int.random(in: 0..<reply.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
                    case 1: reply = Array(reply.prefix(Int.random(in: 0...reply.count, using: &generator)))
                    default: reply.insert(UInt8.random(in: 0...255, using: &generator), at: Int.random(in: 0...reply.count, using: &generator))
                    }
                    if reply.isEmpty { break }
                }
            }
            if DNSTXTLookup.parseTXT(reply, id: 7) != nil { parsed += 1 }
        }
        #expect(parsed > 0)
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
