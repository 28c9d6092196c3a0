import MailTLS

/// The one printer of ``Finding``s, in two forms: `check`'s table of every rule on
/// standard output, and the one-line remarks that commands which change things (`rehash`,
/// `bundle`, `setup`, `acme`) write on standard error beside what they did, in mailtls's
/// error-line form.
enum FindingPrinter {
    /// `mailtls: warning: CA/old.pem: expired on … (remove it …)`; errors without the level.
    static func remark(_ finding: Finding) -> String {
        let level = finding.severity == .warning ? "warning: " : ""
        let subject = finding.subject.map { "\($0): " } ?? ""
        let fix = finding.fix.map { " (\($0))" } ?? ""
        return "mailtls: \(level)\(subject)\(finding.message)\(fix)"
    }

    /// Writes each finding that is not `ok` as a remark on standard error.
    static func printRemarks(_ findings: [Finding]) {
        for finding in findings where finding.severity != .ok { Terminal.error(remark(finding)) }
    }

    /// `ERROR key-permissions         host.key: is group-readable … (fix: chmod 0600 host.key)`.
    static func row(_ finding: Finding) -> String {
        let mark: String
        switch finding.severity {
        case .ok: mark = "ok   "
        case .warning: mark = "WARN "
        case .error: mark = "ERROR"
        }
        let rule = (finding.rule ?? "").padding(to: 24)
        let subject = finding.subject.map { "\($0): " } ?? ""
        let fix = finding.fix.map { " (fix: \($0))" } ?? ""
        return "\(mark) \(rule)\(subject)\(finding.message)\(fix)"
    }
}

extension String {
    func padding(to width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
