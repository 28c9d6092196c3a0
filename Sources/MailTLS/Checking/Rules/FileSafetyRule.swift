/// Sendmail checks every TLS file like `safefile()` and silently drops STARTTLS when one is
/// unsafe; Postfix reads keys as root and does not check, but a key others can read is
/// still a leaked key.
struct FileSafetyRule: CheckRule {
    let name = "file-safety"

    func evaluate(_ context: CheckContext) -> [Finding] {
        let files = context.files
        let trusted = Set(files.trustedUsers.compactMap(FileSafety.uid(of:)))
        var items: [(String, FileSafety.Kind)] = []
        for key in [files.serverKey, files.clientKey].compactMap({ $0 }) where !items.contains(where: { $0.0 == key }) {
            items.append((key, .key))
        }
        for file in [files.serverCertificate, files.clientCertificate, files.caFile, files.crlFile].compactMap({ $0 })
            where !items.contains(where: { $0.0 == file }) {
            items.append((file, .certificate))
        }
        if let path = files.caPath { items.append((path, .directory)) }

        var findings: [Finding] = []
        var reportedDirectories = Set<String>()
        for (path, kind) in items where FileReading.exists(path) {
            var problems = FileSafety.sendmailProblems(path, kind: kind, trustedUIDs: trusted,
                                                       groupReadableKeyAllowed: files.groupReadableKeyAllowed)
            if files.mta == .postfix {
                // Postfix does not apply safefile(); only a readable key matters.
                problems = problems.filter { $0.path == path && $0.message.contains("readable") }
            }
            // A directory on the path of several files is reported once.
            problems = problems.filter { $0.path == path || reportedDirectories.insert($0.path).inserted }
            if problems.isEmpty {
                findings.append(finding(.ok, path, kind == .key ? "owned by root, readable by its owner only" : "safe for \(files.mta.rawValue)"))
            }
            for problem in problems {
                let consequence = files.mta == .sendmail ? "; Sendmail will not offer STARTTLS" : ""
                findings.append(finding(files.mta == .sendmail ? .error : .warning, problem.path, problem.message + consequence, fix: problem.fix))
            }
        }
        return findings
    }
}
