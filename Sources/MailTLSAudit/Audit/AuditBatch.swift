/// Many domains, at most `concurrency` at a time, each report handed on as soon as it is
/// done (in the order they finish) and then dropped: memory stays flat whatever the list's
/// length.
public enum AuditBatch {
    public static func run<Domains: AsyncSequence & Sendable>(
        _ domains: Domains, auditor: DomainAuditor, concurrency: Int,
        each: (AuditDomainReport) async -> Void
    ) async throws where Domains.Element == String {
        let limit = max(1, concurrency)
        try await withThrowingTaskGroup(of: AuditDomainReport.self) { group in
            var running = 0
            for try await domain in domains {
                if running >= limit, let report = try await group.next() {
                    running -= 1
                    await each(report)
                }
                group.addTask { await auditor.audit(domain) }
                running += 1
            }
            while let report = try await group.next() { await each(report) }
        }
    }
}
