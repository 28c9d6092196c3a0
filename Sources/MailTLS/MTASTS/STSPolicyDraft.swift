/// `mta-sts policy`'s choices: the patterns (given, or the domain's MX hosts), the mode and
/// max_age, checked before anything is written.
public enum STSPolicyDraft {
    /// A first policy is `testing`: senders report (TLS-RPT) but deliver, so a mistake costs
    /// no mail. Switch to `enforce` once the reports are clean (`mta-sts change --mode enforce`).
    public static let defaultMode = STSPolicy.Mode.testing
    /// One week: RFC 8461 §3.2 recommends max_age "in the range of weeks or greater"; a week
    /// protects across a week of sender restarts while keeping an MX change's wait short.
    public static let defaultMaxAge = 604_800

    /// Refuses a max_age out of RFC 8461's range and a pattern that is no host name, before
    /// anything is looked up.
    public static func checkOptions(patterns: [String], maxAge: Int) throws {
        guard (0...STSPolicy.maximumMaxAge).contains(maxAge) else {
            throw MailTLSError("--max-age \(maxAge)", "is not 0 to \(STSPolicy.maximumMaxAge) seconds", remedy: "use \(defaultMaxAge) (a week) or more")
        }
        for pattern in patterns where !STSPolicyParser.isMXPattern(pattern) {
            throw MailTLSError("--mx \(pattern)", "is not a host name or *. and a host name", remedy: "give e.g. --mx mail.example.org or --mx '*.example.org'")
        }
    }

    /// The publication for `domain`, and remarks on the patterns against the real MX hosts
    /// (`mxHosts`: the lookup's result; a failure is a warning, the patterns unchecked).
    public static func make(domain: String, patterns: [String], mode: STSPolicy.Mode, maxAge: Int,
                            mxHosts: Result<[String], MailTLSError>) throws -> (STSPublication, [Finding]) {
        try checkOptions(patterns: patterns, maxAge: maxAge)
        let domain = STSPublication.bare(domain)
        var findings: [Finding] = []
        var mx = patterns
        switch mxHosts {
        case .success(let hosts):
            if mx.isEmpty {
                mx = hosts.map(STSMXCoverage.bare)
                if mx.isEmpty, mode != .none {
                    throw MailTLSError(domain, "has no MX records", remedy: "give the MX host names with --mx")
                }
            } else {
                findings = STSMXCoverage.findings(STSPolicy(mode: mode == .none ? .testing : mode, maxAge: maxAge, mx: mx),
                                                  mxHosts: hosts, domain: domain, subject: domain)
                    .filter { $0.severity != .ok }
            }
        case .failure(let error):
            if mx.isEmpty, mode != .none {
                throw MailTLSError(error.subject, "the MX records of \(domain) could not be looked up: \(error.problem)",
                                   remedy: "give the MX host names with --mx, or a working resolver with --nameserver")
            }
            if !mx.isEmpty {
                findings.append(Finding(.warning, domain, "the MX records could not be looked up (\(error.problem)), so the mx patterns are unchecked",
                                        fix: "run mailtls mta-sts check \(domain) once DNS answers", rule: STSMXCoverage.rule))
            }
        }
        let publication = STSPublication(domain: domain, policy: STSPolicy(mode: mode, maxAge: maxAge, mx: mx))
        return (publication, findings)
    }
}
