import MailTLS

/// `tlsrpt read`'s text output: one line for the whole set, then per organisation its
/// policies with their session counts and an aligned table of failures, the failures by
/// result type, and the findings (duplicates, failures with what to do) as `check` rows.
/// Unreadable inputs are not here: they go to stderr as remarks.
enum TLSRPTText {
    static func lines(_ summary: TLSRPTSummary) -> [String] {
        var lines: [String] = []
        let range = summary.start.map { start in " from \(start) to \(summary.end ?? "?")" } ?? ""
        let duplicates = summary.duplicates == 0 ? "" : " (\(count(summary.duplicates, "duplicate")) counted once)"
        lines.append("\(count(summary.reports, "report"))\(duplicates)\(range): "
                     + "\(summary.successfulSessions + summary.failedSessions) sessions, \(summary.failedSessions) failed\(share(summary.failedSessions, of: summary.successfulSessions + summary.failedSessions))")
        if summary.messagesWithoutReport > 0 {
            lines.append("\(count(summary.messagesWithoutReport, "message")) held no TLS report and \(summary.messagesWithoutReport == 1 ? "was" : "were") left out")
        }
        for organization in summary.organizations {
            let contact = organization.contactInfo.map { " (\($0))" } ?? ""
            lines.append("\(organization.name)\(contact): \(count(organization.reports, "report"))")
            for policy in organization.policies {
                lines.append("  \(policy.policyType) \(policy.policyDomain.isEmpty ? "(no policy-domain)" : policy.policyDomain): "
                             + "\(policy.successfulSessions) successful, \(policy.failedSessions) failed")
                guard !policy.failures.isEmpty else { continue }
                let rows = [["failed", "result type", "receiving MX", "receiving IP"]]
                    + policy.failures.map { [String($0.sessions), $0.resultType, $0.receivingMXHostname ?? "-", $0.receivingIP ?? "-"] }
                lines += table(rows, indent: "    ")
            }
        }
        if !summary.failuresByResultType.isEmpty {
            lines.append("failures by result type: " + summary.failuresByResultType.map { "\($0.resultType) \($0.sessions)" }.joined(separator: ", "))
        }
        lines += summary.findings.filter { $0.severity != .error }.map(FindingPrinter.row)
        return lines
    }

    /// Rows padded to aligned columns (the last one left unpadded).
    static func table(_ rows: [[String]], indent: String) -> [String] {
        var widths = [Int](repeating: 0, count: rows.first?.count ?? 0)
        for row in rows { for (column, cell) in row.enumerated() { widths[column] = max(widths[column], cell.count) } }
        return rows.map { row in
            indent + row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count + 2)
            }.joined()
        }
    }

    static func count(_ number: Int, _ noun: String) -> String { "\(number) \(noun)\(number == 1 ? "" : "s")" }

    /// ` (5.4 %)`, or nothing when there is nothing to divide.
    static func share(_ part: Int, of whole: Int) -> String {
        guard whole > 0, part > 0 else { return "" }
        let tenths = (part * 1000 + whole / 2) / whole
        return " (\(tenths / 10).\(tenths % 10) %)"
    }
}
