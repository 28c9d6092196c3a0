/// Where mail for a domain goes, read from its MX answer: the one reading behind `audit` and
/// `mta-sts` (the policy's default patterns, `check`'s coverage).
public enum MailHosts: Sendable, Equatable {
    /// A null MX (`0 .`, RFC 7505): the domain accepts no mail.
    case noMail
    /// No MX records: senders use the domain's own address (RFC 5321 §5.1).
    case implicit(MailHost)
    /// The MX hosts by preference, each name once (a `.` among others left out).
    case exchangers([MailHost])

    /// Reads a NOERROR MX answer for `domain`.
    public init(domain: String, answer: DNSAnswer) {
        if answer.isNullMX {
            self = .noMail
            return
        }
        var seen = Set<String>()
        let hosts = answer.mailExchangers.filter { $0.exchange != .root }.compactMap { exchanger -> MailHost? in
            let name = exchanger.exchange.hostName
            return seen.insert(name).inserted ? MailHost(preference: Int(exchanger.preference), name: name) : nil
        }
        self = hosts.isEmpty ? .implicit(MailHost(preference: 0, name: domain)) : .exchangers(hosts)
    }

    /// The hosts to deliver to: none for a null MX.
    public var hosts: [MailHost] {
        switch self {
        case .noMail: return []
        case .implicit(let host): return [host]
        case .exchangers(let hosts): return hosts
        }
    }
}

/// One host mail is delivered to, with its MX preference (0 for the implicit MX).
public struct MailHost: Sendable, Equatable {
    public var preference: Int
    /// Lower case, no trailing dot.
    public var name: String

    public init(preference: Int, name: String) {
        self.preference = preference
        self.name = name
    }
}
