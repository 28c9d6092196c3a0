import MailTLS
import MailTLSAudit

/// `audit`'s text output: per domain a verdict line, its MX hosts with their DANE state and
/// each address probed, MTA-STS and TLS-RPT, then the findings that need action; in bulk one
/// line per domain; a summary at the end.
enum AuditText {
    static func printResolver(_ check: AuditResolverCheck) {
        Swift.print("resolver: \(check.resolver), \(check.validates ? "validates DNSSEC" : "does NOT validate DNSSEC: DANE not judged")")
        for finding in check.findings where finding.severity != .ok { Swift.print(FindingPrinter.row(finding)) }
    }

    static func printReport(_ report: AuditDomainReport, brief: Bool) {
        if brief {
            Swift.print("\(report.verdict.rawValue.padding(to: 15))\(report.domain)  \(report.reason)")
            return
        }
        Swift.print("\(report.domain): \(report.verdict.rawValue)")
        Swift.print("  \(report.reason)")
        for host in report.mx {
            let cname = host.expandedHost == host.host ? "" : " -> \(host.expandedHost)"
            Swift.print("  MX \(host.preference) \(host.host)\(cname)  addresses \(host.dane == .notJudged ? "(AD not trusted)" : host.addressesSecure ? "secure (AD)" : "not secure")  DANE \(host.dane.rawValue)")
            if let base = host.tlsaBase, !host.tlsa.isEmpty {
                for record in host.tlsa { Swift.print("    TLSA _25._tcp.\(base) \(shortened(record))") }
            }
            if let covered = host.stsCovered { Swift.print("    MTA-STS policy \(covered ? "covers" : "does NOT cover") this host") }
            for address in host.addresses {
                Swift.print("    \(address.address) (probed \(address.probed), SNI \(address.serverName))  \(address.verdict.rawValue)  \(address.tlsVersion ?? "no TLS")")
                Swift.print("      \(address.reason)")
                if let notAfter = address.certificateNotAfter { Swift.print("      certificate \(address.certificateSubject ?? ""), expires \(notAfter)") }
            }
            if host.addresses.isEmpty { Swift.print("    \(host.verdict.rawValue): \(host.reason)") }
        }
        if let sts = report.sts {
            if let mode = sts.mode {
                Swift.print("  MTA-STS: mode \(mode), mx \(sts.mx.joined(separator: " ")), max_age \(sts.maxAge ?? 0), id \(sts.id ?? "-")")
            } else {
                Swift.print("  MTA-STS: announced (id \(sts.id ?? "invalid")) but not usable: \(sts.failure ?? "")")
            }
        } else {
            Swift.print("  MTA-STS: none")
        }
        Swift.print("  TLS-RPT: " + (report.tlsrpt.map { $0.rua.isEmpty ? "invalid record" : $0.rua.joined(separator: ", ") } ?? "none"))
        let problems = report.findings.filter { $0.severity != .ok && !($0.rule ?? "").hasPrefix("dns-resolver") && $0.rule != "audit-mx-verdict" }
        for finding in problems { Swift.print("  " + FindingPrinter.row(finding)) }
    }

    /// `3 1 1 0A1B2C3D…` (the digest cut to fit a line).
    static func shortened(_ record: String) -> String {
        record.count > 40 ? String(record.prefix(38)) + "…" : record
    }

    static func summary(_ summary: AuditSummary) -> [String] {
        var lines = ["summary: \(summary.domains) domains; " + summary.verdicts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "),
                     "DANE: \(summary.daneDomains) of \(summary.domains) domains; MTA-STS: "
                        + (summary.stsModes.isEmpty ? "none" : summary.stsModes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
                        + "; TLS-RPT: \(summary.tlsrptDomains)",
                     "certificates expiring within 30 days: \(summary.expiringSoonCount)"]
        lines += summary.expiringSoon.map { "  " + $0 }
        return lines
    }
}
