/// The `apply` half of `rehash`: removes, replaces and creates symlinks as planned,
/// checking just before each step that a link to be removed or replaced is still the
/// symlink the plan saw, so a file that appeared meanwhile is never deleted.
enum RehashApply {
    /// Applies `plan` and returns a finding for each step that failed.
    static func apply(_ plan: RehashPlan) -> [Finding] {
        var failures: [Finding] = []
        let directory = plan.directory
        let changes = plan.changes
        for link in changes where link.action == .remove {
            let path = Paths.join(directory, link.name)
            guard DirectoryScan.readLink(path) == link.target else { continue }
            if unlink(path) != 0 && errno != ENOENT {
                failures.append(Finding(MailTLSError.system(path, "remove the stale link", errno: errno)))
            }
        }
        for link in changes where link.action == .replace {
            let path = Paths.join(directory, link.name)
            guard DirectoryScan.readLink(path) == link.previousTarget else {
                failures.append(Finding(.error, path, "changed while rehash ran", fix: "run rehash again"))
                continue
            }
            let temp = Paths.join(directory, ".\(link.name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
            if symlink(link.target, temp) != 0 {
                failures.append(Finding(MailTLSError.system(path, "make the link", errno: errno)))
                continue
            }
            if rename(temp, path) != 0 {
                failures.append(Finding(MailTLSError.system(path, "replace the link", errno: errno)))
                unlink(temp)
            }
        }
        for link in changes where link.action == .create {
            let path = Paths.join(directory, link.name)
            if symlink(link.target, path) != 0 {
                let code = errno
                failures.append(code == EEXIST
                    ? Finding(.error, path, "appeared while rehash ran", fix: "run rehash again")
                    : Finding(MailTLSError.system(path, "make the link", errno: code)))
            }
        }
        if !changes.isEmpty { AtomicFile.syncDirectory(of: Paths.join(directory, "x")) }
        return failures
    }
}
