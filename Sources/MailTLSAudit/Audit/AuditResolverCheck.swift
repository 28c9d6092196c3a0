import MailTLS

/// Whether the resolver can judge DNSSEC, asked once per run before any domain: without AD
/// on the root, DANE is not judged at all (domains are not called insecure for it).
public struct AuditResolverCheck: Sendable {
    /// `resolver 127.0.0.1:53`.
    public var resolver: String
    public var validates: Bool
    /// The resolver's own findings: "does not validate" (error), "not on loopback" (warning).
    public var findings: [Finding]
    public var lookup: AuditLookup?

    public init(resolver: String, validates: Bool, findings: [Finding], lookup: AuditLookup?) {
        self.resolver = resolver
        self.validates = validates
        self.findings = findings
        self.lookup = lookup
    }

    /// Asks the root's SOA with DO and reads the AD bit (``DNSResolver/probeValidation()``).
    public static func run(_ resolver: DNSResolver) async -> AuditResolverCheck {
        do {
            let probe = try await resolver.probeValidation()
            return AuditResolverCheck(resolver: probe.resolver, validates: probe.validates, findings: probe.findings,
                                      lookup: AuditLookup(probe.answer))
        } catch let error as DNSLookupError {
            return AuditResolverCheck(resolver: resolver.description, validates: false,
                                      findings: [Finding(error.mailTLSError, rule: "dns-resolver-validates")],
                                      lookup: AuditLookup(name: ".", type: .soa, error: error.problem))
        } catch {
            return AuditResolverCheck(resolver: resolver.description, validates: false,
                                      findings: [Finding(.error, resolver.description, "\(error)", rule: "dns-resolver-validates")], lookup: nil)
        }
    }
}
