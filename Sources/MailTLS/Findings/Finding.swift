/// How bad a finding is: `error`, the MTA will fail or silently leave TLS out (exit 1);
/// `warning`, it works today but will bite (exit 3); `ok`, a check that passed (exit 0).
public enum Severity: String, Sendable, Codable, Comparable, CaseIterable {
    case ok, warning, error

    private var rank: Int { self == .ok ? 0 : (self == .warning ? 1 : 2) }
    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }

    /// ARCHITECTURE.md's exit status: 0 all good, 3 warnings only, 1 errors.
    public var exitStatus: Int32 {
        switch self {
        case .ok: return 0
        case .warning: return 3
        case .error: return 1
        }
    }
}

/// One thing a checking command found, about one file or host: how bad, what, and what to
/// do. Every checking command (`check`, `rehash`, `bundle`, `probe`, `setup`, the ACME
/// deployment) reports in this one form, prints it with the one printer and gives it as
/// `{"severity", "subject", "message", "fix", "rule"}` in `--json`.
public struct Finding: Sendable, Equatable, Codable {
    public var severity: Severity
    /// The file or host the finding is about; nil for findings about the whole set.
    public var subject: String?
    public var message: String
    /// What to do; nil when there is nothing to do.
    public var fix: String?
    /// The `check` rule that found it (`key-permissions`): stable, for monitoring.
    public var rule: String?

    public init(_ severity: Severity, _ subject: String?, _ message: String, fix: String? = nil, rule: String? = nil) {
        self.severity = severity
        self.subject = subject
        self.message = message
        self.fix = fix.flatMap { $0.isEmpty ? nil : $0 }
        self.rule = rule
    }

    /// A failure reported as an error finding (the file is then left out, the run goes on).
    public init(_ error: MailTLSError, rule: String? = nil) {
        self.init(.error, error.subject, error.problem, fix: error.remedy, rule: rule)
    }
}

/// The one rule from findings to a process's exit status.
public enum ExitStatus {
    /// 1 if any error, 3 if only warnings, else 0.
    public static func of(_ findings: [Finding]) -> Int32 {
        (findings.map(\.severity).max() ?? .ok).exitStatus
    }

    /// The worse of two exit statuses: 1 outranks 3 outranks 0 (anything else counts as 1).
    public static func worse(_ a: Int32, _ b: Int32) -> Int32 {
        func severity(_ status: Int32) -> Severity { status == 0 ? .ok : status == 3 ? .warning : .error }
        return max(severity(a), severity(b)).exitStatus
    }
}
