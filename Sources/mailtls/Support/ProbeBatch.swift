#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import MailTLS
#if canImport(Glibc)
import Glibc
#endif

/// `probe --targets`: many hosts at once, at most `concurrency` in flight, one result line per
/// host as it finishes (JSON lines with --json), a progress line on a terminal, and a summary.
enum ProbeBatch {
    static func run(targets: String, make: (ProbeTarget) throws -> ProbeOptions, concurrency: Int, json: Bool) async throws -> Int32 {
        let options = try ProbeTarget.list(from: targets).map(make)
        let progress = isatty(2) == 1
        var summary = ProbeSummary()
        try await withThrowingTaskGroup(of: ProbeReport.self) { tasks in
            var next = 0
            func launch() {
                guard next < options.count else { return }
                let option = options[next]
                next += 1
                tasks.addTask { await Prober.probe(option) }
            }
            for _ in 0..<min(concurrency, options.count) { launch() }
            while let report = try await tasks.next() {
                summary.add(report)
                if json {
                    try JSONOutput.printLine(report)
                } else {
                    print("\(report.verdict.rawValue.padding(to: 9))\(report.host):\(report.port)  \(report.tlsVersion ?? "-")  \(report.reason)")
                }
                if progress { Terminal.progress("\(summary.count)/\(options.count) probed") }
                launch()
            }
        }
        if progress { Terminal.progress("") }
        for line in summary.lines { Terminal.error(line) }
        return summary.worstStatus
    }
}

/// The summary's lines on stderr.
extension ProbeSummary {
    var lines: [String] {
        ["summary: \(count) hosts; " + verdicts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "),
         "TLS versions: " + versions.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "),
         "certificates expiring within 30 days: \(expiringSoon)"]
    }
}
