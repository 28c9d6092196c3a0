/// Whether a resolver can be trusted to judge DNSSEC: it must validate (AD on the root's SOA,
/// asked with DO, as Postfix probes `. NS`), and its AD bit means something only when the
/// path to it is trusted, i.e. it is on loopback (RFC 7672 §2.1.1).
public struct DNSValidationProbe: Sendable {
    /// How errors and reports name the resolver.
    public var resolver: String
    /// The root's SOA came back with AD.
    public var validates: Bool
    /// The resolver's address is on loopback; nil when it is not known.
    public var onLoopback: Bool?
    /// The answer the judgment rests on (for --json).
    public var answer: DNSAnswer

    /// What a report says: an error when the resolver does not validate (DANE cannot be
    /// judged; domains are not to be called insecure), a warning when it is off loopback.
    public var findings: [Finding] {
        var findings: [Finding] = []
        if validates {
            findings.append(Finding(.ok, resolver, "validates DNSSEC (the root's SOA came back with AD)", rule: "dns-resolver-validates"))
        } else {
            findings.append(Finding(.error, resolver, "this resolver does not validate DNSSEC; DANE cannot be judged (the root's SOA came back \(answer.rcode) without AD)",
                                    fix: "use a validating resolver on this host (unbound, or systemd-resolved with DNSSEC=yes) and give it with --nameserver",
                                    rule: "dns-resolver-validates"))
        }
        if onLoopback == false {
            findings.append(Finding(.warning, resolver, "is not on loopback: its AD bit crosses a network that nothing protects",
                                    fix: "run a validating resolver on 127.0.0.1 (RFC 7672 §2.1.1)", rule: "dns-resolver-local"))
        }
        return findings
    }
}

extension DNSResolver {
    /// Asks for `. SOA` with DO set and reports whether the AD bit came back, and whether the
    /// resolver is on loopback. A resolver that does not answer at all throws.
    public func probeValidation() async throws -> DNSValidationProbe {
        var resolver = self
        resolver.dnssec = true
        let answer = try await resolver.lookup(name: ".", type: .soa)
        return DNSValidationProbe(resolver: description, validates: answer.rcode == .noError && answer.authenticated,
                                  onLoopback: serverAddress?.isLoopback, answer: answer)
    }
}
