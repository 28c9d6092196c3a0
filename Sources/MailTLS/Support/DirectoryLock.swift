/// An advisory lock on a directory, so two mailtls runs (say, cron and an admin) never
/// change the same directory at once. Held until `release` or process exit.
public final class DirectoryLock {
    private var fd: Int32

    /// Takes the lock on `directory` or fails at once with a message naming it.
    public init(_ directory: String) throws {
        let path = Paths.join(directory, ".mailtls.lock")
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw MailTLSError.system(directory, "lock the directory", errno: errno) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            fd = -1
            throw MailTLSError(directory, "another mailtls run is changing this directory", remedy: "wait for it to finish and run again")
        }
        StaleTempFiles.remove(in: directory)
    }

    public func release() {
        if fd >= 0 { close(fd) }
        fd = -1
    }

    deinit { release() }
}
