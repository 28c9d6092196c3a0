import Testing
import Foundation
@testable import MailTLS

/// Keys mailtls writes must pass `openssl pkey -check` in every format, and carry the
/// PEM label of that format; `--force` keeps the old key as a dated 0600 backup.
@Suite("Interop: keys")
struct KeyInteropTests {
    static let combinations: [(KeyAlgorithm, KeyFormat)] = KeyAlgorithm.allCases.flatMap { algorithm in
        algorithm.formats.map { (algorithm, $0) }
    }

    @Test("openssl pkey -check accepts every key type and format", arguments: combinations)
    func opensslChecksKey(_ algorithm: KeyAlgorithm, _ format: KeyFormat) throws {
        let dir = TempDirectory()
        let layout = CertsLayout(directory: dir.path)
        _ = try KeyMaker.make(layout, options: KeyOptions(algorithm: algorithm, format: format), force: false)
        let text = try dir.read("host.key")
        #expect(text.hasPrefix("-----BEGIN \(format.pemLabel)-----\n"))
        #expect(text.hasSuffix("-----END \(format.pemLabel)-----\n"))
        #expect(dir.mode("host.key") == 0o600)
        let check = try OpenSSL.run(["pkey", "-in", layout.keyPath, "-check", "-noout"])
        #expect(check.status == 0 && check.stdout.contains("Key is valid"), "\(check.stderr)")
        let text2 = try OpenSSL.expectSuccess(["pkey", "-in", layout.keyPath, "-noout", "-text"])
        switch algorithm {
        case .rsa: #expect(text2.contains("Private-Key: (2048 bit, 2 primes)"))
        case .ecdsaP256: #expect(text2.contains("NIST CURVE: P-256"))
        case .ecdsaP384: #expect(text2.contains("NIST CURVE: P-384"))
        case .ed25519: #expect(text2.contains("ED25519 Private-Key"))
        }
    }

    @Test("RSA sizes 3072 and 4096 are what openssl reads", arguments: [3072, 4096])
    func rsaSizes(_ bits: Int) throws {
        let dir = TempDirectory()
        _ = try KeyMaker.make(CertsLayout(directory: dir.path), options: KeyOptions(algorithm: .rsa, bits: bits), force: false)
        let text = try OpenSSL.expectSuccess(["pkey", "-in", dir.file("host.key"), "-noout", "-text"])
        #expect(text.contains("Private-Key: (\(bits) bit, 2 primes)"))
    }

    @Test("--force keeps the old key as a dated 0600 backup with the same bytes")
    func forceKeepsBackup() throws {
        let dir = TempDirectory()
        let layout = CertsLayout(directory: dir.path)
        let now = Date(timeIntervalSince1970: 1_795_000_000)
        _ = try KeyMaker.make(layout, options: KeyOptions(algorithm: .ecdsaP256), force: false, now: now)
        let old = try dir.bytes("host.key")
        #expect(throws: MailTLSError.self) {
            try KeyMaker.make(layout, options: KeyOptions(algorithm: .ecdsaP256), force: false, now: now)
        }
        #expect(try dir.bytes("host.key") == old)
        let (_, written) = try KeyMaker.make(layout, options: KeyOptions(algorithm: .ecdsaP256), force: true, now: now)
        let stamp = UTCTimestamp.compact(now)
        #expect(written.backup == dir.file("host.key.\(stamp)"))
        #expect(try dir.bytes("host.key.\(stamp)") == old)
        #expect(dir.mode("host.key.\(stamp)") == 0o600)
        #expect(try dir.bytes("host.key") != old)
        _ = try KeyMaker.make(layout, options: KeyOptions(algorithm: .ecdsaP256), force: true, now: now)
        #expect(dir.exists("host.key.\(stamp).1"), "a second backup in the same second must not overwrite the first")
        #expect(try dir.bytes("host.key.\(stamp)") == old)
    }
}
