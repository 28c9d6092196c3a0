import Crypto
import Foundation
import SwiftASN1
import Testing
import X509
@testable import MailTLS

/// The chain verifier against `openssl verify`, the oracle: for each hand-made chain (built
/// here with swift-certificates, so dates, constraints and usages can be anything), mailtls
/// must reach OpenSSL's verdict, and say why in the terms the commands act on.
@Suite("Chain verifier vs openssl verify")
struct ChainVerifierOpenSSLTests {
    /// One certificate of a test chain, with the key that signs below it.
    struct Issued {
        var certificate: Certificate
        var key: Certificate.PrivateKey
        var pem: String { (try? Encoding.pem(certificate)) ?? "" }
        var presented: PresentedCertificate { PresentedCertificate(certificate: certificate, der: try! Encoding.der(certificate)) }
    }

    static let day: TimeInterval = 86_400

    /// Signs a certificate for `subject` with `issuer` (self-signed when nil).
    static func issue(_ subject: String, by issuer: Issued? = nil, ca: Bool? = nil, pathLength: Int? = nil,
                      names: [String] = [], usage: [ExtendedKeyUsage.Usage]? = nil,
                      from start: TimeInterval = -day, to end: TimeInterval = 30 * day) throws -> Issued {
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let name = try DistinguishedName { CommonName(subject) }
        let extensions = try Certificate.Extensions {
            if let ca {
                Critical(ca ? BasicConstraints.isCertificateAuthority(maxPathLength: pathLength) : .notCertificateAuthority)
            }
            if !names.isEmpty {
                SubjectAlternativeNames(names.map { name in
                    IPAddressText.bytes(name).map { GeneralName.ipAddress(ASN1OctetString(contentBytes: $0[...])) } ?? .dnsName(name)
                })
            }
            if let usage { try ExtendedKeyUsage(usage) }
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: key.publicKey,
            notValidBefore: Date().addingTimeInterval(start), notValidAfter: Date().addingTimeInterval(end),
            issuer: issuer?.certificate.subject ?? name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions, issuerPrivateKey: issuer?.key ?? key)
        return Issued(certificate: certificate, key: key)
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        /// The chain as presented (leaf first), the trusted certificates, the name to check.
        var make: @Sendable () throws -> (chain: [Issued], trusted: [Issued], host: String)
        var purpose: String = "sslserver"
        /// What mailtls must say when OpenSSL refuses; nil when OpenSSL accepts.
        var expected: (@Sendable (ChainProblem) -> Bool)?
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "leaf, intermediate, trusted root") {
            let root = try issue("Root", ca: true), inter = try issue("Inter", by: root, ca: true)
            return ([try issue("mx", by: inter, ca: false, names: ["mx.example.org"]), inter], [root], "mx.example.org")
        },
        Case(name: "intermediate not sent", make: {
            let root = try issue("Root", ca: true), inter = try issue("Inter", by: root, ca: true)
            return ([try issue("mx", by: inter, ca: false, names: ["mx.example.org"])], [root], "mx.example.org")
        }, expected: { if case .issuerNotFound(_, let issuer) = $0 { return issuer == "CN = Inter" } else { return false } }),
        Case(name: "chain ends at a root that is not trusted", make: {
            let root = try issue("Root", ca: true), other = try issue("Other", ca: true)
            return ([try issue("mx", by: root, ca: false, names: ["mx.example.org"]), root], [other], "mx.example.org")
        }, expected: { $0 == .untrustedRoot(subject: "CN = Root") }),
        Case(name: "expired intermediate", make: {
            let root = try issue("Root", ca: true), inter = try issue("Inter", by: root, ca: true, from: -60 * day, to: -day)
            return ([try issue("mx", by: inter, ca: false, names: ["mx.example.org"]), inter], [root], "mx.example.org")
        }, expected: { if case .issuerExpired(let subject, _) = $0 { return subject == "CN = Inter" } else { return false } }),
        Case(name: "intermediate that is no CA", make: {
            let root = try issue("Root", ca: true), inter = try issue("Inter", by: root, ca: false)
            return ([try issue("mx", by: inter, ca: false, names: ["mx.example.org"]), inter], [root], "mx.example.org")
        }, expected: { $0 == .issuerNotCA(subject: "CN = Inter") }),
        Case(name: "path length exceeded", make: {
            let root = try issue("Root", ca: true, pathLength: 0), inter = try issue("Inter", by: root, ca: true)
            return ([try issue("mx", by: inter, ca: false, names: ["mx.example.org"]), inter], [root], "mx.example.org")
        }, expected: { if case .policy = $0 { return true } else { return false } }),
        Case(name: "expired leaf", make: {
            let root = try issue("Root", ca: true)
            return ([try issue("mx", by: root, ca: false, names: ["mx.example.org"], from: -60 * day, to: -day)], [root], "mx.example.org")
        }, expected: { if case .leafExpired = $0 { return true } else { return false } }),
        Case(name: "leaf not yet valid", make: {
            let root = try issue("Root", ca: true)
            return ([try issue("mx", by: root, ca: false, names: ["mx.example.org"], from: day, to: 30 * day)], [root], "mx.example.org")
        }, expected: { if case .leafNotYetValid = $0 { return true } else { return false } }),
        Case(name: "another host name", make: {
            let root = try issue("Root", ca: true)
            return ([try issue("mx", by: root, ca: false, names: ["mx.example.org"])], [root], "mail.example.net")
        }, expected: { $0 == .nameMismatch(wanted: ["mail.example.net"], named: ["mx.example.org"]) }),
        Case(name: "a wildcard covers one label") {
            let root = try issue("Root", ca: true)
            return ([try issue("mx", by: root, ca: false, names: ["*.example.org"])], [root], "mx.example.org")
        },
        Case(name: "a wildcard does not cover two labels", make: {
            let root = try issue("Root", ca: true)
            return ([try issue("mx", by: root, ca: false, names: ["*.example.org"])], [root], "a.mx.example.org")
        }, expected: { if case .nameMismatch = $0 { return true } else { return false } }),
        Case(name: "the Common Name counts when there is no subjectAltName") {
            let root = try issue("Root", ca: true)
            return ([try issue("mx.example.org", by: root, ca: false)], [root], "mx.example.org")
        },
        Case(name: "an IP address in subjectAltName") {
            let root = try issue("Root", ca: true)
            return ([try issue("mx", by: root, ca: false, names: ["192.0.2.25"])], [root], "192.0.2.25")
        },
        Case(name: "a client-only certificate serving", make: {
            let root = try issue("Root", ca: true)
            return ([try issue("mx", by: root, ca: false, names: ["mx.example.org"], usage: [.clientAuth])], [root], "mx.example.org")
        }, expected: { $0 == .wrongPurpose("serverAuth") }),
        Case(name: "a server-only certificate as a client", make: {
            let root = try issue("Root", ca: true)
            return ([try issue("client", by: root, ca: false, usage: [.serverAuth])], [root], "")
        }, purpose: "sslclient", expected: { $0 == .wrongPurpose("clientAuth") }),
        Case(name: "a client certificate from the trusted CA", make: {
            let root = try issue("Root", ca: true)
            return ([try issue("client", by: root, ca: false, usage: [.clientAuth])], [root], "")
        }, purpose: "sslclient"),
        Case(name: "a client certificate through an intermediate that is no CA", make: {
            let root = try issue("Root", ca: true), inter = try issue("Inter", by: root, ca: false)
            return ([try issue("client", by: inter, ca: false, usage: [.clientAuth]), inter], [root], "")
        }, purpose: "sslclient", expected: { $0 == .issuerNotCA(subject: "CN = Inter") }),
        Case(name: "a client certificate through an expired intermediate", make: {
            let root = try issue("Root", ca: true), inter = try issue("Inter", by: root, ca: true, from: -60 * day, to: -day)
            return ([try issue("client", by: inter, ca: false, usage: [.clientAuth]), inter], [root], "")
        }, purpose: "sslclient", expected: { if case .issuerExpired = $0 { return true } else { return false } }),
        Case(name: "a self-signed CA:FALSE certificate that is itself trusted (pinned)") {
            let leaf = try issue("mx", ca: false, names: ["mx.example.org"])
            return ([leaf], [leaf], "mx.example.org")
        },
        Case(name: "a self-signed certificate that is not trusted", make: {
            let other = try issue("Other", ca: true)
            return ([try issue("mx", ca: false, names: ["mx.example.org"])], [other], "mx.example.org")
        }, expected: { $0 == .selfSignedUntrusted }),
    ]

    @Test("mailtls and openssl verify agree", arguments: cases)
    func agrees(_ testCase: Case) async throws {
        let (chain, trusted, host) = try testCase.make()
        let dir = TempDirectory("verify")
        try dir.write("leaf.pem", chain[0].pem)
        try dir.write("untrusted.pem", chain.dropFirst().map(\.pem).joined())
        try dir.write("trusted.pem", trusted.map(\.pem).joined())
        var arguments = ["verify", "-CAfile", "trusted.pem", "-purpose", testCase.purpose]
        if chain.count > 1 { arguments += ["-untrusted", "untrusted.pem"] }
        if !host.isEmpty { arguments += IPAddressText.bytes(host) == nil ? ["-verify_hostname", host] : ["-verify_ip", host] }
        let openssl = try OpenSSL.run(arguments + ["leaf.pem"], in: dir.path)
        let opensslAccepts = openssl.status == 0

        let anchors = trusted.map(\.certificate)
        let verifier = testCase.purpose == "sslclient" ? ChainVerifier.client(anchors: anchors)
                                                       : ChainVerifier.server(name: host, anchors: anchors)
        let verdict = await verifier.verify(chain.map(\.presented))
        #expect(verdict.isVerified == opensslAccepts, "openssl: \(openssl.stdout)\(openssl.stderr); mailtls: \(verdict)")
        #expect(opensslAccepts == (testCase.expected == nil), "the case expects OpenSSL to \(testCase.expected == nil ? "accept" : "refuse"): \(openssl.stderr)")
        if let expected = testCase.expected, let problem = verdict.problem {
            #expect(expected(problem), "mailtls said: \(problem)")
        }
    }

    @Test("serve's verify= word: NO without a certificate, OK when it verifies, FAIL otherwise")
    func clientVerifyWord() async throws {
        let root = try Self.issue("Root", ca: true), other = try Self.issue("Other", ca: true)
        let client = try Self.issue("client", by: root, ca: false, usage: [.clientAuth])
        let der = [try Encoding.der(client.certificate)]
        #expect(await ClientCertificateCheck.verdict(presented: [], trusted: [root.certificate]) == .no)
        #expect(await ClientCertificateCheck.verdict(presented: der, trusted: [root.certificate]) == .ok)
        #expect(await ClientCertificateCheck.verdict(presented: der, trusted: [other.certificate]) == .fail)
        #expect(await ClientCertificateCheck.verdict(presented: [[0x30, 0x03, 0x02, 0x01, 0x00]], trusted: [root.certificate]) == .fail)
    }
}
