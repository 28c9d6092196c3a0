/// Something a CA-directory operation noticed about one file: an error (the file could
/// not be used, exit 1) or a warning (it was used, but an MTA may still trip over it, exit 3).
public struct Finding: Sendable, Equatable, Encodable {
    public enum Severity: String, Sendable, Encodable {
        case error
        case warning
    }

    public var severity: Severity
    public var file: String
    public var problem: String
    public var remedy: String

    public init(_ severity: Severity, _ file: String, _ problem: String, remedy: String = "") {
        self.severity = severity
        self.file = file
        self.problem = problem
        self.remedy = remedy
    }

    init(_ error: MailTLSError) {
        self.init(.error, error.subject, error.problem, remedy: error.remedy)
    }

    /// ARCHITECTURE.md's exit status: 1 if any error, 3 if only warnings, else 0.
    public static func exitStatus(_ findings: [Finding]) -> Int32 {
        if findings.contains(where: { $0.severity == .error }) { return 1 }
        return findings.isEmpty ? 0 : 3
    }
}
