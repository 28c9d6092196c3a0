import Foundation
import MailTLS

/// What mailtls keeps in the certs directory's `acme/` (0700): the account key
/// (`account.key`, 0600), the accounts it registered with that key, one per ACME server
/// (`accounts.json`), and how the certificate was issued (`renewal.json`), so a renewal
/// from cron repeats it without any options.
public struct ACMEState: Sendable {
    public let certsDirectory: String

    public init(certsDirectory: String) {
        self.certsDirectory = certsDirectory
    }

    public var directory: String { Paths.join(certsDirectory, "acme") }
    public var keyPath: String { Paths.join(directory, "account.key") }
    var accountsPath: String { Paths.join(directory, "accounts.json") }
    var renewalPath: String { Paths.join(directory, "renewal.json") }

    /// One registration with one server.
    public struct Account: Codable, Sendable, Equatable {
        public var server: String
        public var url: String
        public var contact: [String]
        public var created: String
        /// The `--ca-bundle` the account was registered with (a private ACME server), so later
        /// runs reach the server the same way; absent in accounts.json written before it was kept.
        public var caBundle: String?

        /// The server the account lives at, trusted as when it was registered.
        public var acmeServer: ACMEServer { ACMEServer(directory: server, caBundle: caBundle) }
    }

    /// Makes `acme/` (0700: it holds the account key) when missing.
    func ensureDirectory() throws {
        try Directories.make(certsDirectory)
        if !FileReading.exists(directory) {
            guard mkdir(directory, 0o700) == 0 || errno == EEXIST else {
                throw MailTLSError(directory, "cannot be made: \(String(cString: strerror(errno)))", remedy: "check the permissions of \(certsDirectory)")
            }
        }
    }

    /// The account key, made (0600 from the first byte) when there is none yet.
    func loadOrMakeKey() throws -> (key: AccountKey, made: Bool) {
        if FileReading.exists(keyPath) { return (try loadKey(), false) }
        try ensureDirectory()
        let key = AccountKey()
        try AtomicFile.write(key.pem, to: keyPath, mode: .secret, existing: .refuse)
        return (key, true)
    }

    func loadKey() throws -> AccountKey {
        let text = String(decoding: try FileReading.bytes(of: keyPath), as: UTF8.self)
        do {
            return try AccountKey(pem: text)
        } catch {
            throw MailTLSError(keyPath, "is not a P-256 account key", remedy: "restore it from a backup, or move it aside and register again with mailtls acme account")
        }
    }

    func accounts() throws -> [Account] {
        guard FileReading.exists(accountsPath) else { return [] }
        return try decode([Account].self, from: accountsPath)
    }

    func account(for server: String) throws -> Account? {
        try accounts().first { $0.server == server }
    }

    func record(_ account: Account) throws {
        var all = try accounts().filter { $0.server != account.server }
        all.append(account)
        try write(all, to: accountsPath)
    }

    func renewal() throws -> RenewalSettings? {
        guard FileReading.exists(renewalPath) else { return nil }
        return try decode(RenewalSettings.self, from: renewalPath)
    }

    func record(_ renewal: RenewalSettings) throws {
        try write(renewal, to: renewalPath)
    }

    private func decode<T: Decodable>(_ type: T.Type, from path: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(try FileReading.bytes(of: path)))
        } catch let error as MailTLSError {
            throw error
        } catch {
            throw MailTLSError(path, "is damaged (not the JSON mailtls wrote)", remedy: "restore it from a backup, or remove it and run mailtls acme account / acme issue again")
        }
    }

    private func write<T: Encodable>(_ value: T, to path: String) throws {
        try ensureDirectory()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(Array(try encoder.encode(value)) + [10], to: path, mode: .shared, existing: .replace)
    }
}

/// How a certificate was issued, kept so `mailtls acme renew` does the same again.
public struct RenewalSettings: Codable, Sendable, Equatable {
    public var server: ACMEServer
    public var names: [String]
    public var challenge: ChallengeMethod
    public var deployHook: String?
    public var mta: String?

    public init(server: ACMEServer, names: [String], challenge: ChallengeMethod, deployHook: String?, mta: String? = nil) {
        self.server = server
        self.names = names
        self.challenge = challenge
        self.deployHook = deployHook
        self.mta = mta
    }
}
