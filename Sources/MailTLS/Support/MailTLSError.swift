/// The one error type the library throws: it names what is wrong (a file or a host),
/// what the problem is, and what the user should do about it.
///
/// The CLI prints it as a single line, `mailtls: <subject>: <problem> (<remedy>)`,
/// so every failure a mail admin sees says where to look and what to do next.
public struct MailTLSError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The file, directory or host the problem is about.
    public var subject: String
    /// What is wrong, in a few words.
    public var problem: String
    /// What to do about it; empty when there is nothing useful to say.
    public var remedy: String

    public init(_ subject: String, _ problem: String, remedy: String = "") {
        self.subject = subject
        self.problem = problem
        self.remedy = remedy
    }

    public var description: String {
        let line = subject.isEmpty ? problem : "\(subject): \(problem)"
        return remedy.isEmpty ? line : "\(line) (\(remedy))"
    }
}

extension MailTLSError {
    /// The error for a system call that failed on `path`, with `errno` turned into words.
    static func system(_ path: String, _ action: String, errno code: Int32, remedy: String = "") -> MailTLSError {
        let reason = String(cString: strerror(code))
        var fix = remedy
        if fix.isEmpty {
            switch code {
            case EACCES, EPERM: fix = "check the permissions of the file and its directory"
            case ENOSPC, EDQUOT: fix = "free some space on that file system and run again"
            case EROFS: fix = "the file system is read-only; choose another directory with --dir"
            case ENOENT: fix = "check the path"
            case ENOTDIR: fix = "a part of the path is a file, not a directory; check the path"
            case EISDIR: fix = "a directory is in the way; move it aside"
            case EEXIST: fix = "something already has that name; move it aside"
            default: fix = "check the path and its permissions"
            }
        }
        return MailTLSError(path, "cannot \(action): \(reason)", remedy: fix)
    }
}
