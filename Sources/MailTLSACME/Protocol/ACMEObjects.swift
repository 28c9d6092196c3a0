import Foundation

/// The resources of RFC 8555 §7.1, as far as mailtls reads them. Unknown members are
/// ignored, so a server that adds fields never breaks a renewal.
public struct ACMEDirectory: Decodable, Sendable {
    public struct Meta: Decodable, Sendable {
        public var termsOfService: String?
        public var externalAccountRequired: Bool?
    }

    public var newNonce: String
    public var newAccount: String
    public var newOrder: String
    public var revokeCert: String
    public var meta: Meta?
}

/// An identifier to be certified: ACME's `{"type": "dns", "value": "mail.example.org"}`.
struct ACMEIdentifier: Codable, Sendable, Equatable {
    var type: String
    var value: String

    static func dns(_ name: String) -> ACMEIdentifier { ACMEIdentifier(type: "dns", value: name) }
}

struct ACMEOrder: Decodable, Sendable {
    var status: String
    var expires: String?
    var identifiers: [ACMEIdentifier]
    var authorizations: [String]
    var finalize: String
    var certificate: String?
    var error: ACMEProblem?
}

struct ACMEAuthorization: Decodable, Sendable {
    var status: String
    var identifier: ACMEIdentifier
    var challenges: [ACMEChallenge]
    var wildcard: Bool?
}

struct ACMEChallenge: Decodable, Sendable {
    var type: String
    var url: String
    var status: String
    var token: String?
    var error: ACMEProblem?
}

/// An RFC 7807 problem document, as ACME servers send with every error.
public struct ACMEProblem: Decodable, Sendable, Equatable {
    public var type: String?
    public var detail: String?
    public var status: Int?
    public var subproblems: [ACMEProblem]?
    var identifier: ACMEIdentifier?

    /// The last part of `urn:ietf:params:acme:error:NAME`, e.g. `rateLimited`.
    public var shortType: String {
        guard let type else { return "error" }
        let prefix = "urn:ietf:params:acme:error:"
        return type.hasPrefix(prefix) ? String(type.dropFirst(prefix.count)) : type
    }

    /// The server's words, with the subproblems (one per name) appended.
    public var readable: String {
        var text = detail ?? shortType
        for sub in subproblems ?? [] {
            let name = sub.identifier.map { "\($0.value): " } ?? ""
            text += "; \(name)\(sub.detail ?? sub.shortType)"
        }
        return text
    }
}
