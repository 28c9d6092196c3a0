import MailTLS
import NIOConcurrencyHelpers

/// Every lookup one domain's audit makes, in the order the answers came: the audit's lookups
/// run concurrently, and `--json` shows them all.
final class AuditLookupLog: Sendable {
    private let entries = NIOLockedValueBox<[AuditLookup]>([])

    var all: [AuditLookup] { entries.withLockedValue { $0 } }

    /// Asks `resolver` and writes the answer (or why there is none) in the log.
    func lookup(_ resolver: DNSResolver, _ name: String, _ type: DNSRecordType) async -> Result<DNSAnswer, DNSLookupError> {
        do {
            let answer = try await resolver.lookup(name: name, type: type)
            entries.withLockedValue { $0.append(AuditLookup(answer)) }
            return .success(answer)
        } catch let error as DNSLookupError {
            entries.withLockedValue { $0.append(AuditLookup(name: name, type: type, error: error.problem)) }
            return .failure(error)
        } catch {
            let failure = DNSLookupError(.sendFailed("\(error)"), resolver: resolver.description, name: name, type: type)
            entries.withLockedValue { $0.append(AuditLookup(name: name, type: type, error: failure.problem)) }
            return .failure(failure)
        }
    }
}
