/// `bundle split`: one file per certificate (and CRL) of a PEM bundle such as Debian's
/// `ca-certificates.crt` or FreeBSD's `ca-root.crt`, so `rehash` can link them.
public enum BundleSplit {
    public struct Outcome: Sendable {
        /// Files written, in bundle order.
        public var written: [String] = []
        /// Files that were already there with the same bytes (a re-split of the same bundle).
        public var present: [String] = []
        /// Certificates that repeat an earlier one in the bundle.
        public var duplicates = 0
        public var findings: [Finding] = []
    }

    /// Splits `bundle` into `directory` (made if missing). Never overwrites a file: a
    /// name taken by different bytes is an error for that certificate.
    public static func split(_ bundle: String, into directory: String) throws -> Outcome {
        let file = try TrustFile.load(bundle)
        guard !file.objects.isEmpty else {
            throw MailTLSError(bundle, "holds no certificate", remedy: "name a PEM bundle such as /etc/ssl/certs/ca-certificates.crt")
        }
        if file.privateKeyCount > 0 {
            throw MailTLSError(bundle, "holds a private key, which must not go into a CA directory",
                               remedy: "take the certificates out of it by hand, or name the CA bundle instead")
        }
        try Directories.make(directory)
        var outcome = Outcome()
        var seen = Set<[UInt8]>()
        for object in file.objects {
            guard seen.insert(object.sha256).inserted else { outcome.duplicates += 1; continue }
            let name = TrustFileNaming.fileName(for: object)
            let path = Paths.join(directory, name)
            let label = object.kind == .certificate ? "CERTIFICATE" : "X509 CRL"
            switch try TrustWriter.write(PEMScanner.encode(object.der, label: label), to: path) {
            case .written: outcome.written.append(path)
            case .alreadyThere: outcome.present.append(path)
            case .nameTaken:
                outcome.findings.append(Finding(.error, path, "exists with other contents; not overwritten",
                                                fix: "move it away and split again"))
            }
        }
        return outcome
    }
}

/// Writing one certificate file into a CA directory, atomically and never over another file.
enum TrustWriter {
    enum Result { case written, alreadyThere, nameTaken }

    static func write(_ text: String, to path: String) throws -> Result {
        if FileReading.exists(path) {
            return (try? FileReading.bytes(of: path)) == Array(text.utf8) ? .alreadyThere : .nameTaken
        }
        do {
            try AtomicFile.write(text, to: path, mode: .shared, existing: .refuse)
            return .written
        } catch let error as MailTLSError where error.problem == "already exists" {
            return .nameTaken
        }
    }
}
