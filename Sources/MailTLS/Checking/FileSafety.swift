/// Sendmail's `safefile()` as it applies to TLS files (FACTS.md, sendmail/tls.c): a file it
/// finds unsafe is silently not used, and STARTTLS disappears from EHLO. The same rules,
/// checked here, name the file and the fix instead.
public enum FileSafety {
    /// What kind of TLS file is being judged.
    public enum Kind: Sendable { case key, certificate, directory }

    /// A problem with one file or one directory on its path.
    public struct Problem: Sendable, Equatable {
        public var path: String
        public var message: String
        public var fix: String
    }

    /// The problems Sendmail would find with `path` (empty: safe).
    /// - Parameters:
    ///   - trustedUIDs: owners besides root that are acceptable (TrustedUser, RunAsUser).
    ///   - groupReadableKeyAllowed: `DontBlameSendmail=GroupReadableKeyFile`.
    public static func sendmailProblems(_ path: String, kind: Kind, trustedUIDs: Set<uid_t>,
                                        groupReadableKeyAllowed: Bool) -> [Problem] {
        var problems: [Problem] = []
        var info = stat()
        guard stat(path, &info) == 0 else {
            return [Problem(path: path, message: "cannot be read: \(String(cString: strerror(errno)))", fix: "create it, or correct the path in the MTA's configuration")]
        }
        let type = info.st_mode & S_IFMT
        if kind == .directory {
            if type != S_IFDIR { problems.append(Problem(path: path, message: "is not a directory", fix: "point the setting at a directory")) }
        } else if type != S_IFREG {
            problems.append(Problem(path: path, message: "is not a regular file", fix: "replace it with a regular file"))
        }
        let owners = trustedUIDs.union([0])
        if !owners.contains(info.st_uid) {
            problems.append(Problem(path: path, message: "is owned by uid \(info.st_uid), not root", fix: "chown root \(path)"))
        }
        let mode = info.st_mode & 0o7777
        if mode & 0o022 != 0 && kind != .directory {
            problems.append(Problem(path: path, message: "is \(mode & 0o020 != 0 ? "group" : "world")-writable (mode \(octal(mode)))",
                                    fix: "chmod go-w \(path)"))
        }
        if kind == .key {
            if mode & 0o004 != 0 {
                problems.append(Problem(path: path, message: "is world-readable (mode \(octal(mode))): Sendmail refuses it",
                                        fix: "chmod 0600 \(path)"))
            } else if mode & 0o040 != 0 && !groupReadableKeyAllowed {
                problems.append(Problem(path: path, message: "is group-readable (mode \(octal(mode))): Sendmail refuses it unless DontBlameSendmail=GroupReadableKeyFile",
                                        fix: "chmod 0600 \(path)"))
            }
        }
        problems += directoryPathProblems(kind == .directory ? path : Paths.directory(of: path), owners: owners)
        return problems
    }

    /// Every directory from `directory` up to `/` must be writable by root only.
    static func directoryPathProblems(_ directory: String, owners: Set<uid_t>) -> [Problem] {
        var problems: [Problem] = []
        var current = AbsolutePath.of(directory)
        while true {
            var info = stat()
            if stat(current, &info) == 0 {
                let mode = info.st_mode & 0o7777
                if mode & 0o002 != 0 {
                    problems.append(Problem(path: current, message: "is a world-writable directory on the path (mode \(octal(mode)))",
                                            fix: "chmod o-w \(current), or keep TLS files in a directory only root can write"))
                } else if mode & 0o020 != 0 {
                    problems.append(Problem(path: current, message: "is a group-writable directory on the path (mode \(octal(mode)))",
                                            fix: "chmod g-w \(current)"))
                }
                if !owners.contains(info.st_uid) {
                    problems.append(Problem(path: current, message: "is a directory on the path owned by uid \(info.st_uid), not root",
                                            fix: "chown root \(current)"))
                }
            }
            if current == "/" || current.isEmpty { break }
            current = Paths.directory(of: current)
        }
        return problems
    }

    static func octal(_ mode: mode_t) -> String {
        let text = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - text.count)) + text
    }

    /// The uid of a user name (or a numeric uid), for TrustedUser/RunAsUser.
    public static func uid(of user: String) -> uid_t? {
        if let number = uid_t(user) { return number }
        guard let entry = getpwnam(user) else { return nil }
        return entry.pointee.pw_uid
    }
}
