/// Temp files that a killed mailtls left behind (`.NAME.tmp-PID-RANDOM`, see `AtomicFile`).
/// They never collide with a later run (the names are unique), but they would pile up, so
/// a run that holds a directory's lock removes those whose process is gone.
enum StaleTempFiles {
    static func remove(in directory: String) {
        for name in DirectoryEntries.names(in: directory) ?? [] {
            guard name.hasPrefix("."), let range = name.firstRange(of: ".tmp-") else { continue }
            let pidText = name[range.upperBound...].prefix { $0 != "-" }
            guard let pid = Int32(pidText), pid > 0 else { continue }
            // kill(pid, 0) fails with ESRCH when no such process exists.
            if kill(pid, 0) != 0 && errno == ESRCH {
                unlink(Paths.join(directory, name))
            }
        }
    }
}
