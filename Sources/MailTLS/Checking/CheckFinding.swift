/// How bad a finding is. `error` means the MTA will fail or silently disable something;
/// `warning` means it works today but will bite (expiry, a big CA file).
public enum CheckSeverity: String, Sendable, Codable, Comparable {
    case ok, warning, error

    private var rank: Int { self == .ok ? 0 : (self == .warning ? 1 : 2) }
    public static func < (lhs: CheckSeverity, rhs: CheckSeverity) -> Bool { lhs.rank < rhs.rank }
}

/// One result of one rule: which rule, how bad, about which file, why, and how to fix it.
public struct CheckFinding: Sendable, Equatable, Codable {
    /// The rule's name, e.g. `key-permissions`: stable, for monitoring and `--json`.
    public var rule: String
    public var severity: CheckSeverity
    /// The file (or setting) the finding is about; nil for findings about the whole set.
    public var file: String?
    public var message: String
    /// What to do; nil for `ok` findings.
    public var fix: String?

    public init(rule: String, severity: CheckSeverity, file: String?, message: String, fix: String? = nil) {
        self.rule = rule
        self.severity = severity
        self.file = file
        self.message = message
        self.fix = fix
    }
}

/// The outcome of a whole check: the findings and the exit status they mean.
public struct CheckReport: Sendable, Codable {
    public var files: TLSFileSet
    public var findings: [CheckFinding]

    public var worst: CheckSeverity { findings.map(\.severity).max() ?? .ok }
    /// 0 all good, 3 warnings only, 1 errors (ARCHITECTURE.md's convention).
    public var exitStatus: Int32 {
        switch worst {
        case .ok: return 0
        case .warning: return 3
        case .error: return 1
        }
    }

    public var verdict: String {
        let errors = findings.filter { $0.severity == .error }.count
        let warnings = findings.filter { $0.severity == .warning }.count
        switch worst {
        case .ok: return "OK: \(files.mta.rawValue) can use these files (\(findings.count) checks passed)"
        case .warning: return "WARNINGS: \(warnings) warning\(warnings == 1 ? "" : "s"), no errors"
        case .error: return "ERRORS: \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s"); \(files.mta.rawValue) will not use TLS as configured"
        }
    }
}
