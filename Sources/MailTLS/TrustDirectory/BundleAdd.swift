/// `bundle add`: copy certificates into a CA directory (the old CA/Makefile's "enabling
/// additional certificates"), as PEM so OpenSSL can read them, never over an existing file.
public enum BundleAdd {
    public struct Outcome: Sendable {
        public var written: [String] = []
        /// Certificates the directory already holds, with the file that holds them.
        public var alreadyPresent: [(certificate: String, file: String)] = []
        public var findings: [Finding] = []
    }

    /// Adds every certificate of `files` to `directory`. A single-certificate file keeps
    /// its own name (with `.pem`); certificates from a bundle get names from their subjects.
    public static func add(_ files: [String], to directory: String) throws -> Outcome {
        guard FileReading.isDirectory(directory) else {
            throw MailTLSError(directory, "is not a directory", remedy: "make it first (mkdir), or name the CA directory")
        }
        // What is there already, by fingerprint.
        var present: [[UInt8]: String] = [:]
        for candidate in try DirectoryScan.scan(directory).candidates {
            let path = Paths.join(directory, candidate.name)
            guard let file = try? TrustFile.load(path) else { continue }
            for object in file.objects where present[object.sha256] == nil { present[object.sha256] = path }
        }
        let sources = try files.map { try TrustFile.load($0) }
        var outcome = Outcome()
        for source in sources {
            let certificates = source.certificates
            if certificates.isEmpty {
                outcome.findings.append(Finding(.error, source.path, "holds no certificate", fix: "name a CA certificate file"))
                continue
            }
            for object in certificates {
                if let existing = present[object.sha256] {
                    outcome.alreadyPresent.append((source.path, existing))
                    continue
                }
                let name = certificates.count == 1 ? pemName(for: source.path) : TrustFileNaming.fileName(for: object)
                let path = Paths.join(directory, name)
                switch try TrustWriter.write(PEMScanner.encode(object.der, label: "CERTIFICATE"), to: path) {
                case .written, .alreadyThere:
                    outcome.written.append(path)
                    present[object.sha256] = path
                case .nameTaken:
                    outcome.findings.append(Finding(.error, path, "exists and holds another certificate; not overwritten",
                                                    fix: "rename \(source.path) and add it again"))
                }
            }
        }
        return outcome
    }

    /// `ca.cer` → `ca.pem`, `root.crt` stays `root.crt` if it ends in a name OpenSSL reads.
    static func pemName(for path: String) -> String {
        let name = Paths.fileName(of: path)
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name + ".pem" }
        let ext = name[name.index(after: dot)...].lowercased()
        if ext == "pem" || ext == "crt" { return name }
        return String(name[..<dot]) + ".pem"
    }
}
