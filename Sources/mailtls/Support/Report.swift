import MailTLS

/// The short "what was made, where" lines every writing command prints (mkcert's habit).
enum Report {
    static func written(_ files: [WrittenFile]) {
        for file in files {
            print("wrote \(file.kind): \(file.path)")
            if let backup = file.backup { print("  kept the old \(file.kind) as \(backup)") }
        }
    }
}
