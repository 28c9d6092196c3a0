#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `mailtls config … --apply FILE`: puts the TLS settings into an existing sendmail.mc,
/// submit.mc or main.cf, touching only those settings. Idempotent: when the file already
/// says it, nothing is written and no backup is made.
public enum ConfigEditor {
    public struct Result: Sendable, Equatable {
        public var path: String
        /// nil when the file already had these settings.
        public var backup: String?
        public var changed: Bool
    }

    /// The new text of `text` with `lines` applied.
    public static func edited(_ text: String, with lines: ConfigLines) -> String {
        switch lines.target {
        case .sendmail, .submit: return editedMC(text, lines)
        case .postfix: return editedMainCF(text, lines)
        }
    }

    public static func apply(_ lines: ConfigLines, to path: String, now: Date = Date()) throws -> Result {
        let original = String(decoding: try FileReading.bytes(of: path), as: UTF8.self)
        let updated = edited(original, with: lines)
        guard updated != original else { return Result(path: path, backup: nil, changed: false) }
        let backup = try AtomicFile.backUp(path, stamp: UTCTimestamp.compact(now))
        var info = stat()
        let mode: AtomicFile.Mode = stat(path, &info) == 0 && info.st_mode & 0o077 == 0 ? .secret : .shared
        try AtomicFile.write(updated, to: path, mode: mode, existing: .replace)
        return Result(path: path, backup: backup, changed: true)
    }

    /// sendmail.mc: drop the existing `define(\`confX', …)` lines for the settings, then put
    /// ours before the first MAILER line (defines after MAILER are not seen by it).
    static func editedMC(_ text: String, _ lines: ConfigLines) -> String {
        let names = Set(lines.settings.map(\.name))
        var kept: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            let isOurs = names.contains { trimmed.hasPrefix("define(`\($0)'") || trimmed.hasPrefix("define(\($0),") }
            if !isOurs { kept.append(line) }
        }
        let insertAt = kept.firstIndex { $0.drop { $0 == " " }.hasPrefix("MAILER(") } ?? (kept.last == "" ? kept.count - 1 : kept.count)
        kept.insert(contentsOf: lines.lines.map { Substring($0) }, at: insertAt)
        return kept.joined(separator: "\n")
    }

    /// main.cf: replace each setting (with its continuation lines) where it is, and add the
    /// missing ones at the end.
    static func editedMainCF(_ text: String, _ lines: ConfigLines) -> String {
        var pending = lines.settings
        var out: [String] = []
        var skippingContinuation = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if skippingContinuation && (line.first == " " || line.first == "\t") && !line.trimmingSpaces().isEmpty { continue }
            skippingContinuation = false
            if let equals = line.firstIndex(of: "="), line.first != "#", line.first != " ", line.first != "\t" {
                let name = String(line[..<equals]).trimmingSpaces()
                if let index = pending.firstIndex(where: { $0.name == name }) {
                    out.append("\(name) = \(pending[index].value)")
                    pending.remove(at: index)
                    skippingContinuation = true
                    continue
                }
                if lines.settings.contains(where: { $0.name == name }) {
                    skippingContinuation = true // a repeated setting: keep only the first
                    continue
                }
            }
            out.append(line)
        }
        if !pending.isEmpty {
            if out.last == "" { out.removeLast() }
            out.append("")
            out.append("# TLS files (mailtls config postfix)")
            out += pending.map { "\($0.name) = \($0.value)" }
            out.append("")
        }
        return out.joined(separator: "\n")
    }
}
