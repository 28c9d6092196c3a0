/// `bundle join`: a CACertFile (`cacert.pem`) from a CA directory: every certificate once,
/// sorted by subject and then fingerprint (so the same set of certificates always gives
/// the same bytes), each under a `# subject` comment line so people can read the file.
public enum BundleJoin {
    public struct Outcome: Sendable {
        public var text: String
        public var certificateCount: Int
        public var duplicates: Int
        public var findings: [Finding]
    }

    /// Joins the certificate files (`*.pem *.crt *.cer`, PEM or DER) of `directory`.
    /// Hash links are skipped (they point at files read anyway); a file that cannot be
    /// read is an error, so a bundle is never silently short.
    public static func join(_ directory: String, now: Int64) throws -> Outcome {
        let scan = try DirectoryScan.scan(directory)
        var objects: [(name: String, object: TrustObject, file: String)] = []
        var findings: [Finding] = []
        for candidate in scan.candidates {
            let path = Paths.join(directory, candidate.name)
            let file = try TrustFile.load(path)
            for object in file.certificates {
                objects.append((object.nameText, object, path))
            }
        }
        objects.sort { ($0.name, Hex.lower($0.object.sha256)) < ($1.name, Hex.lower($1.object.sha256)) }
        var seen = Set<[UInt8]>()
        var text = ""
        var duplicates = 0
        for entry in objects {
            guard seen.insert(entry.object.sha256).inserted else { duplicates += 1; continue }
            if let expiry = entry.object.expiry, expiry < now {
                findings.append(Finding(.warning, entry.file, "expired; included anyway", fix: "remove it from \(directory) if it is no longer needed"))
            }
            if !text.isEmpty { text += "\n" }
            text += "# \(entry.name.replacingNewlines())\n" + PEMScanner.encode(entry.object.der, label: "CERTIFICATE")
        }
        if seen.isEmpty {
            throw MailTLSError(directory, "holds no certificate", remedy: "add CA certificates first: mailtls bundle add CERT --to \(directory)")
        }
        return Outcome(text: text, certificateCount: seen.count, duplicates: duplicates, findings: findings)
    }
}

extension String {
    /// One line, whatever a name holds.
    func replacingNewlines() -> String {
        String(map { $0 == "\n" || $0 == "\r" ? " " : $0 })
    }
}
