/// The outcome of a whole check: the files, the findings and the exit status they mean.
public struct CheckReport: Sendable, Codable {
    public var files: TLSFileSet
    public var findings: [Finding]

    public var worst: Severity { findings.map(\.severity).max() ?? .ok }
    public var exitStatus: Int32 { ExitStatus.of(findings) }

    public var verdict: String {
        let errors = findings.filter { $0.severity == .error }.count
        let warnings = findings.filter { $0.severity == .warning }.count
        switch worst {
        case .ok: return "OK: \(files.mta.rawValue) can use these files (\(findings.count) checks passed)"
        case .warning: return "WARNINGS: \(warnings) warning\(warnings == 1 ? "" : "s"), no errors"
        case .error:
            let counts = "ERRORS: \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")"
            if onlyDANEErrs { return counts + "; \(files.mta.rawValue) can use these files: the errors are in the DANE check (tlsa)" }
            return counts + "; \(files.mta.rawValue) will not use TLS as configured"
        }
    }

    /// Every error is the `tlsa` rule's (DNS bogus, no reply, a resolver that does not
    /// validate): the MTA itself will offer TLS, so the verdict must not say it won't.
    private var onlyDANEErrs: Bool {
        findings.allSatisfy { $0.severity != .error || $0.rule == TLSARule.ruleName }
    }
}
