/// Creating the directories mailtls writes into.
public enum Directories {
    /// Makes `path` and any missing parents, 0755 (certificate directories are read by the MTA).
    public static func make(_ path: String) throws {
        if FileReading.isDirectory(path) { return }
        let parent = Paths.directory(of: path)
        if parent != path && parent != "." && parent != "/" && !FileReading.exists(parent) {
            try make(parent)
        }
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw MailTLSError.system(path, "create the directory", errno: errno)
        }
        guard FileReading.isDirectory(path) else {
            throw MailTLSError(path, "exists but is not a directory", remedy: "choose another --dir")
        }
    }
}
