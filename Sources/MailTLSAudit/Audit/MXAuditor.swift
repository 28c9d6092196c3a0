import MailTLS

/// One MX host: its A/AAAA (secure or not, CNAMEs followed), DANE when its addresses are
/// secure, its place in the MTA-STS policy, then every address probed separately.
struct MXAuditor: Sendable {
    var options: AuditOptions
    var validates: Bool
    var log: AuditLookupLog

    func audit(host: String, preference: Int, policy: STSPolicy?) async -> AuditMXReport {
        let covered = policy.map { $0.covers(mxHost: host) }
        var report = AuditMXReport(preference: preference, host: host, expandedHost: host, addressesSecure: false, dane: validates ? .none : .notJudged,
                                   tlsaBase: nil, tlsa: [], stsCovered: covered, verdict: .dnsError, reason: "", addresses: [])
        let resolver = options.resolver, log = log
        let hostAddresses: HostAddressAnswers
        switch await HostAddressAnswers.lookup(host, ask: { name, type in await log.lookup(resolver, name, type) }) {
        case .failure(let failure):
            if case .bogus = failure {
                report.verdict = .dnssecBogus
                report.dane = validates ? .bogus : .notJudged
            }
            report.reason = failure.reason
            return report
        case .success(let found):
            hostAddresses = found
        }
        let addresses = hostAddresses.addresses, secure = hostAddresses.secure
        report.expandedHost = hostAddresses.expanded
        report.addressesSecure = secure
        guard !addresses.isEmpty else {
            report.verdict = .unreachable
            report.reason = "\(host) has no address (A or AAAA)"
            return report
        }

        var dane = DANELookup(state: validates ? .none : .notJudged, base: nil, records: [], reason: "", failure: nil)
        if validates {
            if secure {
                dane = await DANELookup.run(host: host, expanded: report.expandedHost, resolver: options.resolver, log: log)
            } else {
                dane.reason = "the addresses of \(host) are not signed (no AD): DANE does not apply"
            }
        } else {
            dane.reason = "the resolver does not validate DNSSEC: DANE not judged"
        }
        report.dane = dane.state
        report.tlsaBase = dane.base
        report.tlsa = dane.records.map { "\($0.parameters) \(Hex.lower($0.data).uppercased())" }
        if let failure = dane.failure {
            report.verdict = failure
            report.reason = dane.reason
            return report
        }

        let found = dane
        let serverName = dane.state == .usable || dane.state == .unusable ? (dane.base ?? host) : host
        let probes = await withTaskGroup(of: (Int, AuditAddressReport).self) { group in
            for (index, address) in addresses.enumerated() {
                group.addTask {
                    (index, await probe(address, host: host, serverName: serverName, dane: found, policy: policy, covered: covered))
                }
            }
            var results: [(Int, AuditAddressReport)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
        report.addresses = probes
        report.verdict = AddressVerdict.combine(probes.map(\.verdict)) ?? .unreachable
        report.reason = probes.first { $0.verdict == report.verdict }?.reason ?? dane.reason
        if dane.state != .usable, !dane.reason.isEmpty, validates { report.reason = dane.reason + "; " + report.reason }
        return report
    }

    /// One SMTP STARTTLS probe of `address`, reached through `--connect-to` when it names the
    /// MX host or the address on the SMTP port.
    private func probe(_ address: String, host: String, serverName: String, dane: DANELookup, policy: STSPolicy?, covered: Bool?) async -> AuditAddressReport {
        let target = options.connectTo.first { $0.port == options.port && ($0.name.lowercased() == host || $0.name == address) }
            .map { ($0.address, $0.addressPort) } ?? (address, options.port)
        let probeOptions = ProbeOptions(host: target.0, port: target.1, ehloName: options.ehloName, serverName: serverName,
                                        trust: .certificates(options.anchors), timeout: options.timeout,
                                        tlsaRecords: dane.state == .usable ? dane.records : nil)
        let probe = await Prober.probe(probeOptions)
        let (verdict, reason) = AddressVerdict.judge(probe, dane: dane.state, policy: policy, covered: covered)
        let probed = target.0.contains(":") ? "[\(target.0)]:\(target.1)" : "\(target.0):\(target.1)"
        return AuditAddressReport(address: address, probed: probed, serverName: serverName, verdict: verdict, reason: reason,
                                  probeVerdict: probe.verdict, tlsVersion: probe.tlsVersion, verification: probe.verification,
                                  tlsaMatch: probe.tlsaMatch, certificateNotAfter: probe.chain.first?.notAfter,
                                  certificateSubject: probe.chain.first?.subject)
    }
}
