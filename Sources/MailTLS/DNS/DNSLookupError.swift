/// Why a lookup has no reply to give: the resolver did not answer in time, or what came back
/// is not a reply to the question. (NXDOMAIN, NODATA and SERVFAIL are replies, not errors.)
public struct DNSLookupError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The name cannot be put in a query (empty or over-long label, over 255 octets).
        case invalidName
        /// glibc's resolver could not be set up (res_ninit failed, or the address was refused).
        case resolverUnavailable
        /// No reply within the timeout, after every try (also: replies with a wrong ID or
        /// question, which glibc drops while it waits).
        case noReply
        /// The query could not be sent or the reply not received (errno's words).
        case sendFailed(String)
        /// The reply is not a DNS message.
        case unparsable(DNSWireError)
        /// The reply parses but answers another query (ID, question) or is no reply at all.
        case mismatched(String)
    }

    public var kind: Kind
    /// `resolver 127.0.0.1:53` or `system resolver 127.0.0.53:53`.
    public var resolver: String
    public var name: String
    public var type: DNSRecordType

    public init(_ kind: Kind, resolver: String, name: String, type: DNSRecordType) {
        self.kind = kind
        self.resolver = resolver
        self.name = name
        self.type = type
    }

    /// What went wrong, in a few words.
    public var problem: String {
        switch kind {
        case .invalidName: return "\(name) is not a domain name that can be looked up"
        case .resolverUnavailable: return "cannot set up glibc's resolver to ask for \(name) \(type)"
        case .noReply: return "no reply for \(name) \(type)"
        case .sendFailed(let reason): return "asking for \(name) \(type) failed: \(reason)"
        case .unparsable(let error): return "the reply for \(name) \(type) is not a DNS message: \(error)"
        case .mismatched(let reason): return "the reply for \(name) \(type) \(reason)"
        }
    }

    public var remedy: String {
        switch kind {
        case .invalidName: return "check the name"
        case .resolverUnavailable: return "check /etc/resolv.conf or give --nameserver"
        case .noReply, .sendFailed: return "check that the resolver runs and answers, or give another with --nameserver"
        case .unparsable, .mismatched: return "the resolver or something on the path is broken; try another with --nameserver"
        }
    }

    /// The project's error form: `<resolver>: <problem> (<remedy>)`.
    public var mailTLSError: MailTLSError { MailTLSError(resolver, problem, remedy: remedy) }

    public var description: String { mailTLSError.description }
}
