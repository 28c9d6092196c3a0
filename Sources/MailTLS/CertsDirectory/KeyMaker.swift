#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import X509

/// What `mailtls rsa` (and `csr`/`self` when the key is missing) are asked to make.
public struct KeyOptions: Sendable, Equatable {
    public var algorithm: KeyAlgorithm
    public var bits: Int
    /// nil means the algorithm's default (PKCS#8, as OpenSSL 3 writes).
    public var format: KeyFormat?

    public init(algorithm: KeyAlgorithm = .rsa, bits: Int = 2048, format: KeyFormat? = nil) {
        self.algorithm = algorithm
        self.bits = bits
        self.format = format
    }

    /// Rejects combinations before any work is done (and before any file is touched).
    public func validated() throws -> KeyOptions {
        if algorithm == .rsa && !KeyAlgorithm.rsaSizes.contains(bits) {
            throw MailTLSError("--bits \(bits)", "is not an RSA size mailtls makes", remedy: "use 2048, 3072 or 4096")
        }
        if let format, !algorithm.formats.contains(format) {
            throw MailTLSError("--format \(format.rawValue)", "does not apply to \(algorithm.rawValue) keys",
                               remedy: "use \(algorithm.formats.map(\.rawValue).joined(separator: " or "))")
        }
        return self
    }
}

/// A file mailtls wrote, and the backup it kept of what was there before.
public struct WrittenFile: Sendable, Equatable, Codable {
    public var path: String
    public var backup: String?
    /// What it is: `key`, `request`, `certificate`.
    public var kind: String
}

/// Making and loading the private key of a certs directory.
public enum KeyMaker {
    /// Writes a new key at `layout.keyPath`, 0600 from the start. Refuses when a key exists,
    /// unless `force`, in which case the old key is kept as `host.key.<UTC time>`.
    public static func make(_ layout: CertsLayout, options: KeyOptions, force: Bool, now: Date = Date())
        throws -> (key: Certificate.PrivateKey, written: WrittenFile)
    {
        let options = try options.validated()
        try Directories.make(layout.directory)
        try FileInstaller.ensureFree(layout.keyPath, kind: "key", force: force)
        let generated = try GeneratedKey.generate(options.algorithm, bits: options.bits)
        let pem = try generated.pem(options.format ?? options.algorithm.formats[0])
        let written = try FileInstaller.install(pem, at: layout.keyPath, kind: "key", mode: .secret, force: force, now: now)
        return (generated.certificateKey, written)
    }

    /// The key at `layout.keyPath`, or a new one made with `options` when there is none
    /// (as the old Makefile's `csr` and `self` called `rsa`).
    public static func loadOrMake(_ layout: CertsLayout, options: KeyOptions)
        throws -> (key: Certificate.PrivateKey, written: WrittenFile?)
    {
        if FileReading.exists(layout.keyPath) {
            return (try MaterialFile.load(layout.keyPath).privateKey(), nil)
        }
        let made = try make(layout, options: options, force: false)
        return (made.key, made.written)
    }
}
