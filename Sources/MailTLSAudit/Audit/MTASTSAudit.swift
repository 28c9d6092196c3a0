import MailTLS

/// A domain's MTA-STS as a sender reads it: the `_mta-sts` TXT record (the one STS record
/// parser), then the policy (the one fetcher), with `mta-sts.DOMAIN` found through the
/// audit's own resolver unless `--connect-to` says where it is.
struct MTASTSAudit: Sendable {
    var options: AuditOptions
    var log: AuditLookupLog

    struct Outcome: Sendable {
        var report: AuditSTSReport?
        var policy: STSPolicy?
        var findings: [Finding]
    }

    func run(_ domain: String) async -> Outcome {
        let name = "_mta-sts." + domain
        let answer: DNSAnswer
        switch await log.lookup(options.resolver, name, .txt) {
        case .failure(let error):
            return Outcome(report: nil, policy: nil, findings: [Finding(.warning, name, error.problem, fix: error.remedy, rule: "mta-sts-record")])
        case .success(let reply):
            answer = reply
        }
        if answer.rcode == .servFail {
            return Outcome(report: nil, policy: nil, findings: [Finding(.warning, name, "the lookup failed (SERVFAIL): senders without a cached policy see no MTA-STS",
                                                                        rule: "mta-sts-record")])
        }
        let reading = STSRecord.read(answer.texts.map { [$0] }, name: name)
        guard reading.announcements > 0 else { return Outcome(report: nil, policy: nil, findings: reading.findings) }
        var report = AuditSTSReport(id: reading.record?.id, mode: nil, mx: [], maxAge: nil, url: nil, failure: nil)
        guard reading.record != nil else {
            report.failure = "the _mta-sts record is not usable"
            return Outcome(report: report, policy: nil, findings: reading.findings)
        }

        let fetched = await STSPolicyFetcher(STSFetchOptions(anchors: options.anchors, timeout: options.timeout,
                                                             connectTo: await connectTo(domain))).fetch(domain: domain)
        switch fetched {
        case .success(let policy):
            report.mode = policy.policy.mode.rawValue
            report.mx = policy.policy.mx
            report.maxAge = policy.policy.maxAge
            report.url = policy.url
            return Outcome(report: report, policy: policy.policy, findings: reading.findings + policy.findings)
        case .failure(let failure):
            report.url = failure.url
            report.failure = "\(failure.kind.rawValue): \(failure.reason)"
            return Outcome(report: report, policy: nil, findings: reading.findings + [failure.finding])
        }
    }

    /// `--connect-to` first; else the policy host's first address as the audit's resolver
    /// gives it (the fetch then never asks the system resolver).
    private func connectTo(_ domain: String) async -> [ConnectTo] {
        await STSPolicyHostAddress.connectTo(domain: domain, overrides: options.connectTo) { name, type in
            try? await log.lookup(options.resolver, name, type).get()
        }
    }
}
