#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import X509

/// `mailtls ca init`: a new CA key, its self-signed certificate and an empty index.
public enum CAInit {
    public struct Options: Sendable {
        public var subject: Subject
        public var key: KeyOptions
        public var days: Int
        /// Permitted DNS subtrees (`example.org` covers the domain and its subdomains).
        public var nameConstraints: [String]

        public init(subject: Subject, key: KeyOptions = KeyOptions(algorithm: .ecdsaP384), days: Int = 3650, nameConstraints: [String] = []) {
            self.subject = subject
            self.key = key
            self.days = days
            self.nameConstraints = nameConstraints
        }
    }

    /// The options alone, checked before anything is made: name constraints are domains, the
    /// days in range, the key kind one mailtls makes.
    public static func check(_ options: Options) throws {
        for constraint in options.nameConstraints where !HostNameRules.isValid(constraint.hasPrefix(".") ? String(constraint.dropFirst()) : constraint) {
            throw MailTLSError("--name-constraint \(constraint)", "is not a domain name", remedy: "give a domain such as example.org")
        }
        guard (1...36500).contains(options.days) else {
            throw MailTLSError("--days \(options.days)", "is out of range", remedy: "give a number of days from 1 to 36500")
        }
        _ = try options.key.validated()
    }

    public static func run(_ layout: CALayout, options: Options, now: Date = Date()) throws -> [WrittenFile] {
        try check(options)
        try Directories.make(layout.directory)
        let lock = try DirectoryLock(layout.directory)
        defer { lock.release() }
        for path in [layout.keyPath, layout.certificatePath, layout.indexPath] where FileReading.exists(path) {
            throw MailTLSError(path, "already exists: this directory already holds a CA",
                               remedy: "use it as it is, or choose another --ca-dir for a new CA")
        }
        let options2 = try options.key.validated()
        let generated = try GeneratedKey.generate(options2.algorithm, bits: options2.bits)
        let key = generated.certificateKey
        let start = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        let keyID = KeyIdentifier.of(key.publicKey)
        var extensions = Certificate.Extensions()
        try extensions.append(.init(BasicConstraints.isCertificateAuthority(maxPathLength: 0), critical: true))
        try extensions.append(.init(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true), critical: true))
        try extensions.append(.init(SubjectKeyIdentifier(keyIdentifier: keyID[...]), critical: false))
        try extensions.append(.init(AuthorityKeyIdentifier(keyIdentifier: keyID[...]), critical: false))
        if !options.nameConstraints.isEmpty {
            try extensions.append(.init(NameConstraints(permittedDNSDomains: options.nameConstraints.map { $0.lowercased() }), critical: true))
        }
        let subject = try options.subject.distinguishedName()
        let certificate = try Certificate(
            version: .v3, serialNumber: SerialNumbers.random(), publicKey: key.publicKey,
            notValidBefore: start, notValidAfter: start.addingTimeInterval(Double(options.days) * 86_400),
            issuer: subject, subject: subject, signatureAlgorithm: SignatureChoice.algorithm(for: key.publicKey),
            extensions: extensions, issuerPrivateKey: key)
        try Directories.make(layout.issuedDirectory)
        try AtomicFile.write(try generated.pem(options2.format ?? options2.algorithm.formats[0]), to: layout.keyPath, mode: .secret, existing: .refuse)
        try AtomicFile.write(try Encoding.pem(certificate), to: layout.certificatePath, mode: .shared, existing: .refuse)
        try AtomicFile.write(Array(try JSONEncoder.ca.encode(CAIndex())) + [0x0A], to: layout.indexPath, mode: .shared, existing: .refuse)
        return [WrittenFile(path: layout.keyPath, backup: nil, kind: "CA key"),
                WrittenFile(path: layout.certificatePath, backup: nil, kind: "CA certificate"),
                WrittenFile(path: layout.indexPath, backup: nil, kind: "index")]
    }

    /// `/O=example.org/CN=example.org Mail CA` for host mail.example.org.
    public static func defaultSubject(for hostName: String) throws -> Subject {
        let domain = hostName.split(separator: ".").dropFirst().joined(separator: ".")
        let name = domain.isEmpty ? hostName : domain
        return try SubjectParser.parse("/O=\(name)/CN=\(name) Mail CA")
    }
}
