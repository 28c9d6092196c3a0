import MailTLS

/// A domain's MX host names through the resolver, for the policy's mx patterns: no MX
/// records means the domain itself (RFC 5321 §5.1), a null MX none.
public enum STSMXLookup {
    public static func hosts(of domain: String, resolver: DNSResolver) async -> Result<[String], MailTLSError> {
        let answer: DNSAnswer
        do {
            answer = try await resolver.lookup(name: domain, type: .mx)
        } catch let error as DNSLookupError {
            return .failure(error.mailTLSError)
        } catch {
            return .failure(MailTLSError(resolver.description, "\(error)"))
        }
        guard answer.rcode == .noError else {
            return .failure(MailTLSError(domain, "the MX lookup got \(answer.rcode)", remedy: "check the domain's DNS"))
        }
        return .success(MailHosts(domain: domain, answer: answer).hosts.map(\.name))
    }
}
