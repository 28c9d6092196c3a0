/// `rehash`: plan the hash links of a CA directory, then, unless it is a dry run or
/// nothing changes, take the directory's lock and make them so.
///
/// A run that finds every link right writes nothing at all: no lock file, no cache, no
/// link touched. A run that changes links plans under the lock (taken before the scan
/// when the lock file exists, else taken and the plan redone) and then applies it.
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
        if dryRun {
            let plan = try plan(directory, options: options)
            return Outcome(plan: plan, applied: false, findings: plan.findings)
        }
        // Lock first when the lock file is already there (opening it writes nothing), so the
        // usual run scans once; otherwise plan unlocked and create the lock only if links
        // must change, so a directory that needs nothing gets no lock file either.
        var lock: DirectoryLock? = nil
        if FileReading.exists(Paths.join(directory, ".mailtls.lock")) {
            lock = try? DirectoryLock(directory)
        }
        defer { lock?.release() }
        var plan = try plan(directory, options: options)
        if plan.changes.isEmpty {
            return Outcome(plan: plan, applied: false, findings: plan.findings)
        }
        if lock == nil {
            lock = try DirectoryLock(directory)
            // Re-plan under the lock (another run may have been first); files read a moment
            // ago come from the first plan's records.
            plan = try RehashPlan.make(directory, options: options, cache: plan.cache)
        }
        let failures = RehashApply.apply(plan)
        if !plan.changes.isEmpty {
            plan.cache.write(keeping: plan.liveNames, directory: directory)
        }
        return Outcome(plan: plan, applied: true, findings: plan.findings + failures)
    }
}
