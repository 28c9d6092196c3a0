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
    static func run(targets: String, make: (String) throws -> ProbeOptions, concurrency: Int, json: Bool) async throws -> Int32 {
        let text = targets == "-" ? String(decoding: try readStandardInput(), as: UTF8.self)
                                  : String(decoding: try FileReading.bytes(of: targets), as: UTF8.self)
        let lines = text.split(whereSeparator: \.isNewline).map { String($0).trimmingSpacesAndTabs() }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        guard !lines.isEmpty else { throw MailTLSError(targets, "lists no host", remedy: "one HOST or HOST:PORT per line") }
        let options = try lines.map(make)
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

    static func readStandardInput() throws -> [UInt8] {
        var bytes: [UInt8] = []
        while let line = readLine(strippingNewline: false) { bytes += Array(line.utf8) }
        return bytes
    }
}

/// Counts by verdict and TLS version, and certificates expiring within 30 days.
struct ProbeSummary {
    var count = 0
    var verdicts: [String: Int] = [:]
    var versions: [String: Int] = [:]
    var expiringSoon = 0
    var worstStatus: Int32 = 0

    mutating func add(_ report: ProbeReport) {
        count += 1
        verdicts[report.verdict.rawValue, default: 0] += 1
        versions[report.tlsVersion ?? "no TLS", default: 0] += 1
        if let notAfter = report.chain.first?.notAfter, notAfter < UTCTimestamp.iso8601(Date.now.addingTimeInterval(30 * 86_400)) {
            expiringSoon += 1
        }
        worstStatus = ExitStatus.worse(worstStatus, report.verdict.exitStatus)
    }

    var lines: [String] {
        ["summary: \(count) hosts; " + verdicts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "),
         "TLS versions: " + versions.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "),
         "certificates expiring within 30 days: \(expiringSoon)"]
    }
}
