/// `mailtls check --fix`: repairs what is safe to repair without a person deciding — modes
/// and owners of the TLS files themselves, and missing or stale hash links — and says what
/// it did. Directories on the path are left alone: changing /etc or /tmp is the admin's call.
public enum Fixer {
    public static func fix(_ files: TLSFileSet) throws -> [String] {
        var actions: [String] = []
        let keys = Set([files.serverKey, files.clientKey].compactMap { $0 })
        let others = Set([files.serverCertificate, files.clientCertificate, files.caFile, files.crlFile].compactMap { $0 }).subtracting(keys)
        for key in keys.sorted() {
            actions += try repair(key, wantedMode: files.groupReadableKeyAllowed ? 0o640 : 0o600, forbidden: files.groupReadableKeyAllowed ? 0o137 : 0o177)
        }
        for file in others.sorted() {
            actions += try repair(file, wantedMode: nil, forbidden: 0o022)
        }
        if let path = files.caPath, FileReading.isDirectory(path) {
            let outcome = try Rehash.run(path, options: RehashOptions(now: Int64(time(nil))), dryRun: false)
            let changed = outcome.plan.changes.count
            if changed > 0 { actions.append("mailtls rehash \(path): \(changed) hash link\(changed == 1 ? "" : "s") made or removed") }
        }
        return actions
    }

    /// Clears `forbidden` mode bits (or sets `wantedMode`) and gives the file to root.
    private static func repair(_ path: String, wantedMode: mode_t?, forbidden: mode_t) throws -> [String] {
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return [] }
        var actions: [String] = []
        let mode = info.st_mode & 0o7777
        if mode & forbidden != 0 {
            let newMode = wantedMode ?? (mode & ~forbidden)
            guard chmod(path, newMode) == 0 else { throw MailTLSError.system(path, "change its mode", errno: errno) }
            actions.append("chmod \(FileSafety.octal(newMode)) \(path) (was \(FileSafety.octal(mode)))")
        }
        if info.st_uid != 0 && geteuid() == 0 {
            guard chown(path, 0, info.st_gid) == 0 else { throw MailTLSError.system(path, "give it to root", errno: errno) }
            actions.append("chown root \(path) (was uid \(info.st_uid))")
        }
        return actions
    }
}
