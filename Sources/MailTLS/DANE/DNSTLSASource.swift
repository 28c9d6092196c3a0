/// TLSA records from DNS, as a DANE sender finds them (RFC 7672 §2.2): through a validating
/// resolver trusted by its AD bit, only when the host's address records are secure, at the
/// CNAME-expanded name first (``TLSALookup``). What `check --tlsa dns`, `probe --tlsa dns`
/// and `rollover next --records dns` read.
///
/// Throws when DANE cannot be judged or senders would defer: the resolver does not validate,
/// a lookup is bogus (SERVFAIL) or gets no reply. Returns no records, with a note, when DANE
/// does not apply (nothing published, or not signed).
public struct DNSTLSASource: TLSARecordSource {
    public var resolver: DNSResolver

    public init(resolver: DNSResolver) {
        var resolver = resolver
        resolver.dnssec = true
        self.resolver = resolver
    }

    public func published(host: String, port: Int) async throws -> PublishedTLSA {
        let warnings = try await checkValidates().findings.filter { $0.severity == .warning }
        let (expanded, notSecure) = try await addresses(host)
        if let notSecure { return PublishedTLSA(records: [], origin: "DNS (\(resolver))", note: notSecure, resolverWarnings: warnings) }
        let lookup = await TLSALookup.run(host: host, expanded: expanded, port: port, ask: ask)
        let owner = "_\(port)._tcp.\(lookup.base ?? host)"
        switch lookup.state {
        case .bogus:
            throw MailTLSError(owner, lookup.reason,
                               remedy: lookup.failure == .dnssecBogus
                                   ? "re-sign the zone and check its DS (dig +cd shows the records, the resolver's log says why they failed)"
                                   : "check that the resolver runs and answers, or give another with --nameserver")
        case .none:
            let note = lookup.records.isEmpty
                ? lookup.reason + ": DANE does not apply here"
                : "DANE does not apply here (records not signed): the TLSA records at \(owner) came without AD"
            return PublishedTLSA(records: [], origin: "DNS (\(resolver))", note: note, resolverWarnings: warnings)
        case .usable, .unusable:
            let ttl = lookup.ttl
            return PublishedTLSA(records: lookup.records,
                                 origin: "DNS \(owner) (DNSSEC-validated\(ttl.map { ", TTL \($0) s" } ?? ""))",
                                 ttl: ttl, base: lookup.base, resolverWarnings: warnings)
        }
    }

    /// Without AD on the root's SOA nothing the resolver says about DNSSEC means anything:
    /// refuse to judge DANE rather than call the records unsigned. Returns the probe, whose
    /// warnings (a resolver off loopback) go with the records.
    func checkValidates() async throws -> DNSValidationProbe {
        let probe: DNSValidationProbe
        do {
            probe = try await resolver.probeValidation()
        } catch let error as DNSLookupError {
            throw error.mailTLSError
        }
        guard probe.validates else {
            let finding = probe.findings.first { $0.severity == .error }
            throw MailTLSError(probe.resolver, finding?.message ?? "this resolver does not validate DNSSEC; DANE cannot be judged",
                               remedy: finding?.fix ?? "use a validating resolver and give it with --nameserver")
        }
        return probe
    }

    /// The host's A and AAAA (``HostAddressAnswers``): where their CNAMEs lead, or why DANE
    /// does not apply (the answers are not signed, or there is no address). A bogus answer or
    /// no reply throws: senders defer.
    func addresses(_ host: String) async throws -> (expanded: String, notSecure: String?) {
        let found: HostAddressAnswers
        switch await HostAddressAnswers.lookup(host, ask: ask) {
        case .failure(.lookup(let error)): throw error.mailTLSError
        case .failure(let failure):
            throw MailTLSError(host, failure.reason,
                               remedy: "re-sign the zone and check its DS (dig +cd shows the records, the resolver's log says why they failed)")
        case .success(let answers): found = answers
        }
        if found.addresses.isEmpty { return (found.expanded, "\(host) has no address (A or AAAA), so no sender reaches it: DANE does not apply here") }
        if !found.secure { return (found.expanded, "DANE does not apply here (records not signed): the addresses of \(host) came without AD") }
        return (found.expanded, nil)
    }

    /// One question to the resolver, its error as a value (``TLSALookup/Ask``).
    var ask: TLSALookup.Ask {
        let resolver = resolver
        return { name, type in
            do {
                return .success(try await resolver.lookup(name: name, type: type))
            } catch let error as DNSLookupError {
                return .failure(error)
            } catch {
                return .failure(DNSLookupError(.sendFailed("\(error)"), resolver: resolver.description, name: name, type: type))
            }
        }
    }
}
