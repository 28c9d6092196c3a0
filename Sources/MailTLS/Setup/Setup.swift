#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import X509

/// `mailtls setup`: the first-time flow on defaults. Makes (or keeps) the host key and a
/// certificate for this machine in a certs directory — self-signed, or signed by a private
/// CA with `ca` — and a `cacert.pem` so Sendmail has the CA file it insists on. Running it
/// again changes nothing that is still good.
public enum Setup {
    public struct Options: Sendable {
        public var directory: String
        public var hostName: String
        public var key: KeyOptions
        public var days: Int
        /// A CA directory to sign with (made when missing); nil for a self-signed certificate.
        public var caDirectory: String?
        /// The system's CA bundle, split into CA/ so the MTA can verify public peers.
        public var systemBundle: String?

        public init(directory: String, hostName: String, key: KeyOptions = KeyOptions(), days: Int = 365, caDirectory: String? = nil,
                    systemBundle: String? = "/etc/ssl/certs/ca-certificates.crt") {
            self.directory = directory
            self.hostName = hostName
            self.key = key
            self.days = days
            self.caDirectory = caDirectory
            self.systemBundle = systemBundle
        }
    }

    public struct Result: Sendable {
        public var layout: CertsLayout
        public var hostName: String
        public var written: [WrittenFile]
        /// Files that were already there and good, so were kept.
        public var kept: [String]
        public var fingerprint: Fingerprint
        public var spkiSHA256: String
        /// Whether host.cert comes with chain files (CA-signed).
        public var hasChain: Bool
        /// What filling and linking CA/ reported (a certificate left out, an expired CA).
        public var findings: [Finding]
    }

    public static func run(_ options: Options, now: Date = Date()) throws -> Result {
        let layout = CertsLayout(directory: options.directory, stem: "host")
        try Directories.make(options.directory)
        var written: [WrittenFile] = []
        var kept: [String] = []
        var ca: CertificateAuthority?
        if let caDirectory = options.caDirectory {
            let caLayout = CALayout(directory: caDirectory)
            if !FileReading.exists(caLayout.certificatePath) {
                written += try CAInit.run(caLayout, options: .init(subject: CAInit.defaultSubject(for: options.hostName)), now: now)
            }
            ca = try CertificateAuthority.open(caLayout)
        }

        let key: Certificate.PrivateKey
        if FileReading.exists(layout.keyPath) {
            key = try MaterialFile.load(layout.keyPath).privateKey()
            kept.append(layout.keyPath)
        } else {
            let made = try KeyMaker.make(layout, options: options.key, force: false, now: now)
            key = made.key
            written.append(made.written)
        }

        let certificate: Certificate
        if FileReading.exists(layout.certificatePath) {
            certificate = try checkedExisting(layout, key: key, now: now)
            kept.append(layout.certificatePath)
        } else {
            let subject = Subject(fields: [Subject.Field(SubjectAttribute.commonName, options.hostName)])
            if let caLayout = ca?.layout {
                let request = try RequestMaker.make(subject: subject, altNames: SubjectAltNames(), key: key)
                // Signed under the CA's lock, as `ca sign` does, so a concurrent CA change is not lost.
                written += try CertificateAuthority.changing(caLayout) { authority in
                    let proposal = try CASigning.propose(authority, request: request, source: options.hostName, profile: .serverClient,
                                                         days: options.days, output: layout, allowDuplicate: true, now: now)
                    return try CASigning.sign(&authority, proposal, force: false, now: now).written
                }
                certificate = try MaterialFile.load(layout.certificatePath).firstCertificate().certificate
            } else {
                certificate = try SelfSigner.make(subject: try subject.distinguishedName(), altNames: SubjectAltNames(),
                                                  key: key, days: options.days, now: now)
                written.append(try FileInstaller.install(try Encoding.pem(certificate), at: layout.certificatePath,
                                                         kind: "certificate", mode: .shared, force: false, now: now))
            }
        }

        // Sendmail verifies peers only when CACertFile exists and holds a certificate; the
        // CA (or, self-signed, the host's own certificate) is the small file it should be.
        if FileReading.exists(layout.caBundlePath) {
            kept.append(layout.caBundlePath)
        } else {
            let trusted = ca?.certificate ?? certificate
            written.append(try FileInstaller.install(try Encoding.pem(trusted), at: layout.caBundlePath,
                                                     kind: "CA bundle", mode: .shared, force: false, now: now))
        }

        // CA/: the hashed directory Sendmail's confCACERT_PATH names (with it undefined,
        // Sendmail 8.17 offers no STARTTLS). Filled once from the system bundle, then kept
        // linked; a private CA's certificate goes in too.
        let caDirectory = layout.caDirectoryPath
        var findings: [Finding] = []
        if FileReading.isDirectory(caDirectory) {
            kept.append(caDirectory)
        } else {
            try Directories.make(caDirectory)
            var count = 0
            if let bundle = options.systemBundle, FileReading.exists(bundle) {
                let split = try BundleSplit.split(bundle, into: caDirectory)
                count += split.written.count
                findings += split.findings
            }
            if let authority = ca {
                let name = Paths.join(caDirectory, "mailtls-ca-\(Hex.lower(authority.keyIdentifier.prefix(4))).pem")
                try AtomicFile.write(try Encoding.pem(authority.certificate), to: name, mode: .shared, existing: .refuse)
                count += 1
            }
            written.append(WrittenFile(path: caDirectory, backup: nil, kind: "CA directory (\(count) certificates)"))
        }
        findings += try Rehash.run(caDirectory, options: RehashOptions(now: Int64(now.timeIntervalSince1970)), dryRun: false).findings

        let der = try Encoding.der(certificate)
        let fingerprint = Fingerprint(kind: .certificate, label: NameFormatter.oneLine(certificate.subject),
                                      digests: Dictionary(uniqueKeysWithValues: DigestAlgorithm.allCases.map {
                                          ($0.rawValue, Hex.colonUpper($0.digest(der)))
                                      }))
        let spki = Hex.lower(DigestAlgorithm.sha256.digest(key.publicKey.spkiDER))
        return Result(layout: layout, hostName: options.hostName, written: written, kept: kept, fingerprint: fingerprint,
                      spkiSHA256: spki, hasChain: FileReading.exists(layout.fullChainPath), findings: findings)
    }

    /// The certificate already in place, if it belongs to the key and has not expired.
    private static func checkedExisting(_ layout: CertsLayout, key: Certificate.PrivateKey, now: Date) throws -> Certificate {
        let (certificate, _) = try MaterialFile.load(layout.certificatePath).firstCertificate()
        guard certificate.publicKey == key.publicKey else {
            throw MailTLSError(layout.certificatePath, "does not match \(layout.keyPath)",
                               remedy: "make a matching certificate with mailtls self --force, or restore the key it was made for")
        }
        guard certificate.notValidAfter > now else {
            throw MailTLSError(layout.certificatePath, "expired on \(UTCTimestamp.readable(certificate.notValidAfter))",
                               remedy: "renew it: mailtls self --force (self-signed) or mailtls csr --file new for a CA")
        }
        return certificate
    }
}
