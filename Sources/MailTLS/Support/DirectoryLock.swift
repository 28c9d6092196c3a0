/// An advisory lock on a directory, so two mailtls runs (say, cron and an admin) never
/// change the same directory at once. Held until `release` or process exit.
///
/// The lock is `flock` on `DIR/.mailtls.lock`, which is removed again on release, so a run
/// leaves nothing behind. Removing a lock file is only safe with a check: after locking, the
/// file locked must still be the one the name points to (a run that opened the old file just
/// before it was removed would otherwise hold a lock nobody else can see); if not, try again.
public final class DirectoryLock {
    private var fd: Int32 = -1
    private let path: String

    /// Takes the lock on `directory` or fails at once with a message naming it.
    public init(_ directory: String) throws {
        path = Paths.join(directory, ".mailtls.lock")
        for _ in 0..<3 {
            let candidate = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
            guard candidate >= 0 else { throw MailTLSError.system(directory, "lock the directory", errno: errno) }
            guard flock(candidate, LOCK_EX | LOCK_NB) == 0 else {
                close(candidate)
                throw Self.busy(directory)
            }
            var held = stat(), named = stat()
            if fstat(candidate, &held) == 0 && stat(path, &named) == 0 && held.st_ino == named.st_ino && held.st_dev == named.st_dev {
                fd = candidate
                StaleTempFiles.remove(in: directory)
                return
            }
            close(candidate) // the previous holder removed that file; lock the current one
        }
        throw Self.busy(directory)
    }

    private static func busy(_ directory: String) -> MailTLSError {
        MailTLSError(directory, "another mailtls run is changing this directory", remedy: "wait for it to finish and run again")
    }

    public func release() {
        if fd >= 0 {
            unlink(path) // while still holding the lock: see the type's comment
            close(fd)
        }
        fd = -1
    }

    deinit { release() }
}
