/// `rehash`: plan the hash links of a CA directory, then, unless it is a dry run or
/// nothing changes, take the directory's lock and make them so.
///
/// A run that finds every link right writes nothing at all: no lock file, no cache, no
/// link touched. A run that changes links re-plans under the lock (another run may have
/// been first) and then applies the plan.
public enum Rehash {
    /// What a run planned and what applying it found.
    public struct Outcome: Sendable {
        public var plan: RehashPlan
        public var applied: Bool
        /// The plan's findings plus any failure while applying it.
        public var findings: [Finding]
    }

    /// The plan alone; writes nothing.
    public static func plan(_ directory: String, options: RehashOptions) throws -> RehashPlan {
        try RehashPlan.make(directory, options: options, cache: RehashCache.load(directory: directory))
    }

    public static func run(_ directory: String, options: RehashOptions, dryRun: Bool) throws -> Outcome {
        let first = try plan(directory, options: options)
        if dryRun || first.changes.isEmpty {
            return Outcome(plan: first, applied: false, findings: first.findings)
        }
        let lock = try DirectoryLock(directory)
        defer { lock.release() }
        // Re-plan under the lock; files read a moment ago come from the first plan's records.
        let plan = try RehashPlan.make(directory, options: options, cache: first.cache)
        let failures = RehashApply.apply(plan)
        if !plan.changes.isEmpty {
            // Best effort: a cache that cannot be written only costs the next run some reading.
            try? AtomicFile.write(plan.cache.serialized(keeping: plan.liveNames), to: Paths.join(directory, RehashCache.fileName), mode: .shared, existing: .replace)
        }
        return Outcome(plan: plan, applied: true, findings: plan.findings + failures)
    }
}
