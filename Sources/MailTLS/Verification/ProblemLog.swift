import X509
import NIOConcurrencyHelpers

/// Where the verifier's policies write why they rejected a candidate chain.
///
/// swift-certificates' `Verifier` reports failures as text only; the policies here keep
/// the structured ``ChainProblem`` beside it so that callers can tell a missing
/// intermediate (a warning for `check`) from an issuer that is no CA (an error).
final class ProblemLog: Sendable {
    struct Entry: Sendable {
        var chain: [Certificate]
        var problem: ChainProblem
    }

    private let entries = NIOLockedValueBox<[Entry]>([])

    func record(_ problem: ChainProblem, chain: [Certificate]) {
        entries.withLockedValue { $0.append(Entry(chain: chain, problem: problem)) }
    }

    /// The most useful problem: the best-ranked, and among equals the longest chain
    /// (it got furthest).
    func mostUseful() -> ChainProblem? {
        entries.withLockedValue { entries in
            entries.enumerated().min { a, b in
                if a.element.problem.rank != b.element.problem.rank { return a.element.problem.rank < b.element.problem.rank }
                if a.element.chain.count != b.element.chain.count { return a.element.chain.count > b.element.chain.count }
                return a.offset < b.offset
            }?.element.problem
        }
    }
}
