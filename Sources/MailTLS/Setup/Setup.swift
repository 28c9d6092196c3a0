#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import X509

/// `mailtls setup`: the first-time flow on defaults. Makes (or keeps) the host key and a
/// self-signed certificate for this machine in a certs directory, and says what to put
/// into the MTA's configuration. Running it again changes nothing that is still good.
public enum Setup {
    public struct Result: Sendable {
        public var layout: CertsLayout
        public var hostName: String
        public var written: [WrittenFile]
        /// Files that were already there and good, so were kept.
        public var kept: [String]
        public var fingerprint: Fingerprint
        public var spkiSHA256: String
    }

    public static func run(directory: String, hostName: String, keyOptions: KeyOptions = KeyOptions(),
                           days: Int = 365, now: Date = Date()) throws -> Result {
        let layout = CertsLayout(directory: directory, stem: "host")
        try Directories.make(directory)
        var written: [WrittenFile] = []
        var kept: [String] = []
        let key: Certificate.PrivateKey
        if FileReading.exists(layout.keyPath) {
            key = try MaterialFile.load(layout.keyPath).privateKey()
            kept.append(layout.keyPath)
        } else {
            let made = try KeyMaker.make(layout, options: keyOptions, force: false, now: now)
            key = made.key
            written.append(made.written)
        }
        var certificateDER: [UInt8]
        if FileReading.exists(layout.certificatePath) {
            let (certificate, der) = try MaterialFile.load(layout.certificatePath).firstCertificate()
            guard certificate.publicKey == key.publicKey else {
                throw MailTLSError(layout.certificatePath, "does not match \(layout.keyPath)",
                                   remedy: "make a matching certificate with mailtls self --force, or restore the key it was made for")
            }
            guard certificate.notValidAfter > now else {
                throw MailTLSError(layout.certificatePath, "expired on \(UTCTimestamp.readable(certificate.notValidAfter))",
                                   remedy: "renew it: mailtls self --force (self-signed) or mailtls csr --file new for a CA")
            }
            certificateDER = der
            kept.append(layout.certificatePath)
        } else {
            let subject = Subject(fields: [Subject.Field(SubjectAttribute.commonName, hostName)])
            let certificate = try SelfSigner.make(subject: try subject.distinguishedName(), altNames: SubjectAltNames(),
                                                  key: key, days: days, now: now)
            written.append(try FileInstaller.install(try Encoding.pem(certificate), at: layout.certificatePath,
                                                     kind: "certificate", mode: .shared, force: false, now: now))
            certificateDER = try Encoding.der(certificate)
        }
        let file = try MaterialFile.parse(Array(PEMScanner.encode(certificateDER, label: "CERTIFICATE").utf8), path: layout.certificatePath)
        let fingerprint = Fingerprint.all(in: file, algorithms: DigestAlgorithm.allCases)[0]
        let spki = Hex.lower(DigestAlgorithm.sha256.digest(key.publicKey.spkiDER))
        return Result(layout: layout, hostName: hostName, written: written, kept: kept, fingerprint: fingerprint, spkiSHA256: spki)
    }
}
