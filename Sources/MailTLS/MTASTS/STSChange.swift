#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Changing a published policy without a window in which senders hold a policy that
/// refuses a real MX host (RFC 8461 §3.1, §10.1).
///
/// A sender keeps a fetched policy for up to its `max_age`, and refetches earlier only when
/// it notices a new id. So adding a new MX host `X` (in place of `Y`) is done in steps, each
/// one a run of ``next(_:)`` on the policy file, which looks at the file, its age and the
/// real MX records to say which step is due:
///
/// 1. **widen**: the policy gets `mx: X` beside the old patterns (old ∪ new), and a new id.
///    Publish both. Senders may keep the old policy (without X) until its max_age has passed
///    since the widened one was published.
/// 2. **wait** until then: the file's modification time plus the old max_age (a widened
///    policy keeps the old max_age, so the file's own max_age is the old one).
/// 3. **move the MX records** (add X, remove Y): every sender's policy now covers X.
/// 4. **narrow**: once Y is no MX host any more, `mx: Y` is removed and the id bumped. This
///    needs no wait: a sender still holding the widened policy merely allows Y too.
///
/// Changing the mode (`testing` → `enforce`) is one step: senders holding the old policy just
/// keep not enforcing until they refetch. ``next(_:)`` refuses `enforce` while an MX host is
/// uncovered.
public enum STSChange {
    public struct Request: Sendable {
        public var domain: String
        public var current: STSPolicyFile.Contents
        public var add: [String]
        public var remove: [String]
        public var mode: STSPolicy.Mode?
        /// The domain's MX hosts as DNS has them now; nil when DNS could not be asked.
        public var mxHosts: [String]?
        public var now: Date

        public init(domain: String, current: STSPolicyFile.Contents, add: [String] = [], remove: [String] = [],
                    mode: STSPolicy.Mode? = nil, mxHosts: [String]?, now: Date = Date()) {
            self.domain = domain
            self.current = current
            self.add = add
            self.remove = remove
            self.mode = mode
            self.mxHosts = mxHosts
            self.now = now
        }
    }

    /// The step that is due.
    public enum Step: Sendable, Equatable {
        /// Write and publish this widened policy; then wait until `waitUntil` before moving the MX records.
        case widen(STSPublication, waitUntil: Date)
        /// The widened policy is published (the file's time); senders may hold the old one until then.
        case waiting(until: Date)
        /// The wait is over: change the MX records (add `add`, remove `remove`), then run again.
        case moveMX(add: [String], remove: [String])
        /// Write and publish this narrowed policy: the change is complete.
        case narrow(STSPublication)
        /// Write and publish the policy in its new mode.
        case mode(STSPublication)
        /// The file already is what was asked for.
        case nothing

        /// The policy this step writes (widen, narrow, mode); nil when it writes nothing.
        public var publication: STSPublication? {
            switch self {
            case .widen(let publication, _), .narrow(let publication), .mode(let publication): return publication
            case .waiting, .moveMX, .nothing: return nil
            }
        }
    }

    /// The next step of the change `request` describes.
    public static func next(_ request: Request) throws -> Step {
        let file = request.current.path
        guard let policy = request.current.reading.policy else {
            let error = request.current.reading.findings.first { $0.severity == .error }
            throw MailTLSError(file, "is not a valid policy: \(error?.message ?? "unreadable")", remedy: "write one with mailtls mta-sts policy")
        }
        for pattern in request.add + request.remove where !STSPolicyParser.isMXPattern(pattern) {
            throw MailTLSError(pattern, "is not an MX host name or *. and a host name", remedy: "give e.g. --add-mx mx2.example.org")
        }
        if let mode = request.mode {
            guard request.add.isEmpty, request.remove.isEmpty else {
                throw MailTLSError(file, "a mode change and an MX change at once", remedy: "change one thing at a time: first the MX hosts, then the mode")
            }
            if mode == policy.mode { return .nothing }
            if mode == .enforce, let hosts = request.mxHosts {
                let uncovered = STSMXCoverage.uncovered(policy, mxHosts: hosts)
                if !uncovered.isEmpty {
                    throw MailTLSError(file, "does not cover the MX host\(uncovered.count == 1 ? "" : "s") \(uncovered.joined(separator: ", ")): enforce would make senders refuse \(uncovered.count == 1 ? "it" : "them")",
                                       remedy: "first add them with mailtls mta-sts change --add-mx")
                }
            }
            var changed = policy
            changed.mode = mode
            return .mode(STSPublication(domain: request.domain, policy: changed))
        }
        let missing = request.add.filter { !policy.mx.contains($0) }
        if !missing.isEmpty {
            var widened = policy
            widened.mx += missing
            return .widen(STSPublication(domain: request.domain, policy: widened),
                          waitUntil: request.now.addingTimeInterval(Double(policy.maxAge)))
        }
        let present = request.remove.filter { policy.mx.contains($0) }
        guard !present.isEmpty else { return .nothing }
        if !request.add.isEmpty {
            let until = request.current.modified.addingTimeInterval(Double(policy.maxAge))
            if request.now < until { return .waiting(until: until) }
        }
        var narrowed = policy
        narrowed.mx.removeAll { present.contains($0) }
        guard let hosts = request.mxHosts else {
            throw MailTLSError("_mta-sts.\(request.domain)", "the MX records could not be looked up, so it is unknown whether \(present.joined(separator: ", ")) still receive mail",
                               remedy: "run it where the resolver answers (--nameserver)")
        }
        let stillServed = STSMXCoverage.uncovered(narrowed, mxHosts: hosts)
        if !stillServed.isEmpty {
            let added = request.add.filter { pattern in !hosts.contains { HostNameMatch.matches(STSMXCoverage.bare($0), pattern: pattern) } }
            return .moveMX(add: added, remove: stillServed)
        }
        return .narrow(STSPublication(domain: request.domain, policy: narrowed))
    }
}
