#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import X509

/// What the rules look at: the files, the options, and each file read once.
public final class CheckContext {
    public let files: TLSFileSet
    public let hostName: String
    public let warnDays: Int
    public let now: Date
    private var cache: [String: Result<MaterialFile, MailTLSError>] = [:]

    public init(files: TLSFileSet, hostName: String, warnDays: Int = 30, now: Date = Date()) {
        self.files = files
        self.hostName = hostName
        self.warnDays = warnDays
        self.now = now
    }

    /// The file at `path`, read and classified once; the error says why it cannot be used.
    public func material(_ path: String) -> Result<MaterialFile, MailTLSError> {
        if let cached = cache[path] { return cached }
        let result: Result<MaterialFile, MailTLSError>
        do {
            result = .success(try MaterialFile.load(path))
        } catch let error as MailTLSError {
            result = .failure(error)
        } catch {
            result = .failure(MailTLSError(path, "cannot be read (\(error))"))
        }
        cache[path] = result
        return result
    }

    /// The key at `path`, if it reads as exactly one private key.
    public func key(_ path: String) -> Certificate.PrivateKey? {
        guard case .success(let file) = material(path) else { return nil }
        return try? file.privateKey()
    }

    /// The certificates at `path`, leaf first, if the file reads.
    public func certificates(_ path: String) -> [Certificate] {
        presented(path).map(\.certificate)
    }

    /// The certificates at `path` with their DER as stored, leaf first, if the file reads.
    public func presented(_ path: String) -> [PresentedCertificate] {
        guard case .success(let file) = material(path) else { return [] }
        return file.certificates.map { PresentedCertificate(certificate: $0.certificate, der: $0.der) }
    }

    /// What the MTA trusts: CACertFile and CACertPath, each file read once.
    public lazy var trust: TrustAnchors = TrustAnchors.load(caFile: files.caFile, caPath: files.caPath, read: certificates(_:))

    /// The server and client key/certificate pairs that are configured, without repeats.
    public var pairs: [(role: String, certificate: String, key: String)] {
        var result: [(String, String, String)] = []
        if let certificate = files.serverCertificate, let key = files.serverKey { result.append(("server", certificate, key)) }
        if let certificate = files.clientCertificate, let key = files.clientKey,
           !result.contains(where: { $0.1 == certificate && $0.2 == key }) {
            result.append(("client", certificate, key))
        }
        return result
    }
}

/// One check an MTA's TLS set-up must pass. Each rule is small, named, and says why it
/// matters; `Checker` runs them all.
public protocol CheckRule: Sendable {
    /// Stable name, used in output and `--json`.
    var name: String { get }
    func evaluate(_ context: CheckContext) async -> [Finding]
}

extension CheckRule {
    func finding(_ severity: Severity, _ file: String?, _ message: String, fix: String? = nil) -> Finding {
        Finding(severity, file, message, fix: fix, rule: name)
    }
}
