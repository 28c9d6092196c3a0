import MailTLS
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `mailtls audit`: a domain's inbound mail TLS as a sending MTA sees it. MX (null MX, no MX,
/// CNAMEs), each MX host's addresses and DANE (RFC 7672) through a validating resolver
/// trusted by its AD bit, MTA-STS (RFC 8461) and TLS-RPT (RFC 8460), then every MX address
/// probed with the SMTP prober, and a verdict per address, per MX and for the domain.
public struct DomainAuditor: Sendable {
    public var options: AuditOptions
    /// The run's resolver check (``AuditResolverCheck/run(_:)``): without validation, DANE is
    /// not judged.
    public var resolverCheck: AuditResolverCheck

    public init(options: AuditOptions, resolverCheck: AuditResolverCheck) {
        self.options = options
        self.resolverCheck = resolverCheck
    }

    /// Checks the resolver, then returns an auditor for the run.
    public static func make(_ options: AuditOptions) async -> DomainAuditor {
        DomainAuditor(options: options, resolverCheck: await AuditResolverCheck.run(options.resolver))
    }

    public func audit(_ name: String) async -> AuditDomainReport {
        let domain = Self.normalized(name)
        let log = AuditLookupLog()
        var report = AuditDomainReport(domain: domain, verdict: .dnsError, reason: "", resolver: resolverCheck.resolver,
                                       resolverValidates: resolverCheck.validates, mx: [], sts: nil, tlsrpt: nil, lookups: [],
                                       findings: resolverCheck.findings.filter { $0.severity != .ok })
        async let stsPart = MTASTSAudit(options: options, log: log).run(domain)
        async let tlsrptPart = Self.tlsrpt(domain, options: options, log: log)
        let hosts = await mailExchangers(domain, log: log, report: &report)
        let sts = await stsPart
        report.sts = sts.report
        report.findings += sts.findings
        let tlsrpt = await tlsrptPart
        report.tlsrpt = tlsrpt.report
        report.findings += tlsrpt.findings

        if let hosts {
            let auditor = MXAuditor(options: options, validates: resolverCheck.validates, log: log)
            report.mx = await withTaskGroup(of: (Int, AuditMXReport).self) { group in
                for (index, host) in hosts.enumerated() {
                    group.addTask { (index, await auditor.audit(host: host.name, preference: host.preference, policy: sts.policy)) }
                }
                var results: [(Int, AuditMXReport)] = []
                for await result in group { results.append(result) }
                return results.sorted { $0.0 < $1.0 }.map(\.1)
            }
            report.verdict = AddressVerdict.combine(report.mx.map(\.verdict)) ?? .unreachable
            let weakest = report.mx.first { $0.verdict == report.verdict }
            report.reason = weakest.map { "\($0.host): \($0.reason)" } ?? "no MX host"
            report.findings += Self.findings(report.mx)
        }
        report.lookups = (resolverCheck.lookup.map { [$0] } ?? []) + log.all
        return report
    }

    /// The MX hosts to audit (nil when the domain's verdict is already known: no such
    /// domain, null MX, a failed lookup), with `report`'s verdict and findings updated.
    private func mailExchangers(_ domain: String, log: AuditLookupLog, report: inout AuditDomainReport) async -> [MailHost]? {
        switch await log.lookup(options.resolver, domain, .mx) {
        case .failure(let error):
            report.verdict = .dnsError
            report.reason = error.problem
            report.findings.append(Finding(.error, domain, error.problem, fix: error.remedy, rule: "audit-mx"))
            return nil
        case .success(let answer):
            switch answer.rcode {
            case .servFail:
                report.verdict = .dnssecBogus
                report.reason = "the MX lookup failed (SERVFAIL\(answer.extendedError.map { ", extended error \($0.infoCode)" } ?? "")): senders defer the mail"
                report.findings.append(Finding(.error, domain, report.reason, fix: "fix the zone's DNSSEC signatures", rule: "audit-mx"))
                return nil
            case .nxDomain:
                report.verdict = .noSuchDomain
                report.reason = "the domain does not exist (NXDOMAIN\(answer.authenticated ? ", proven with DNSSEC" : ""))"
                report.findings.append(Finding(.error, domain, report.reason, rule: "audit-mx"))
                return nil
            case .noError:
                break
            default:
                report.verdict = .dnsError
                report.reason = "the MX lookup got \(answer.rcode)"
                report.findings.append(Finding(.error, domain, report.reason, rule: "audit-mx"))
                return nil
            }
            let mailHosts = MailHosts(domain: domain, answer: answer)
            switch mailHosts {
            case .noMail:
                report.verdict = .noMail
                report.reason = "null MX (RFC 7505): the domain accepts no mail"
                return nil
            case .implicit:
                report.findings.append(Finding(.ok, domain, "no MX records: senders use the domain's own address (RFC 5321 §5.1)", rule: "audit-mx"))
            case .exchangers:
                if !answer.authenticated, resolverCheck.validates {
                    report.findings.append(Finding(.warning, domain, "the MX records are not signed (no AD): DANE still applies to MX hosts whose own records are secure, but an attacker can change the MX list",
                                                   fix: "sign the zone with DNSSEC", rule: "audit-mx-insecure"))
                }
            }
            return mailHosts.hosts
        }
    }

    /// One finding per MX host and address that a sender would not deliver to securely.
    static func findings(_ hosts: [AuditMXReport]) -> [Finding] {
        var findings: [Finding] = []
        for host in hosts {
            if host.addresses.isEmpty {
                findings.append(Finding(host.verdict.severity, host.host, "\(host.verdict.rawValue): \(host.reason)", rule: "audit-mx-verdict"))
            }
            for address in host.addresses {
                findings.append(Finding(address.verdict.severity, "\(host.host) [\(address.address)]", "\(address.verdict.rawValue): \(address.reason)",
                                        rule: "audit-mx-verdict"))
            }
        }
        return findings
    }

    /// The TLS-RPT record, read by the one TLS-RPT parser.
    static func tlsrpt(_ domain: String, options: AuditOptions, log: AuditLookupLog) async -> (report: AuditTLSRPTReport?, findings: [Finding]) {
        let name = "_smtp._tls." + domain
        guard case .success(let answer) = await log.lookup(options.resolver, name, .txt) else { return (nil, []) }
        let reading = TLSRPTRecord.read(answer.texts.map { [$0] }, name: name)
        guard reading.announcements > 0 else { return (nil, []) }
        return (AuditTLSRPTReport(rua: reading.record?.rua ?? []), reading.findings)
    }

    /// Lower case, no trailing dot.
    static func normalized(_ name: String) -> String {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        return (trimmed.hasSuffix(".") ? String(trimmed.dropLast()) : trimmed).lowercased()
    }
}
