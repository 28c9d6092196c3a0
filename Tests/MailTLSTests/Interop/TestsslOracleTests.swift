import Foundation
import Testing
@testable import MailTLS

/// testssl.sh (Debian's `testssl`) as an independent oracle for what an SMTP client sees of a
/// STARTTLS server: it runs `testssl -t smtp` against `mailtls serve` (a CA-signed ECDSA
/// certificate) and the fields it writes to its flat JSON file must agree with `mailtls probe
/// --json` for the same server: the leaf's SHA-256 fingerprint, notAfter, names, the
/// negotiated protocol, and that STARTTLS was offered (testssl reaches a certificate only
/// through STARTTLS).
///
/// testssl is slow: only `-S` (server defaults: the certificate) and `-P` (server preference:
/// the negotiated protocol) run. Measured on the 2-core test machine: `-S` 40 s and `-P` 23 s
/// run alone; the test (both in one run) 38 s beside a release build, 92 s beside three
/// builds. Without testssl the suite
/// is skipped (with the reason) unless MAILTLS_REQUIRE_MTA=1, when its absence fails it.
@Suite("testssl.sh vs probe", .enabled(if: Testssl.shouldRun, Testssl.skipReason), .serialized)
struct TestsslOracleTests {
    @Test("testssl -t smtp -S -P and mailtls probe see the same certificate, protocol and STARTTLS")
    func agreement() async throws {
        let path = try #require(Testssl.path, "testssl is not installed (apt-get install testssl.sh; scripts/test installs it)")
        let directory = try SafeDirectory.make()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let made = try DANEFixtures.caChain(directory: directory, host: "mx.testssl.test")
        let server = try await startServer(made.certs.directory)

        let probe = try await offPool {
            try MailTLSBinary.run(["probe", "127.0.0.1:\(server.port)", "--servername", "mx.testssl.test", "--ca", made.ca.certificatePath, "--json"])
        }
        let jsonFile = directory + "/testssl.json"
        let started = Date()
        let testssl = try await offPool {
            try run(path, ["--quiet", "--color", "0", "--warnings", "off", "--connect-timeout", "10", "--openssl-timeout", "10",
                           "--jsonfile", jsonFile, "-t", "smtp", "-S", "-P", "127.0.0.1:\(server.port)"])
        }
        let seconds = Date().timeIntervalSince(started)
        await server.stop()

        #expect(probe.status == 0, "\(probe.stdout) \(probe.stderr)")
        let ours = try #require(try JSONSerialization.jsonObject(with: Data(probe.stdout.utf8)) as? [String: Any])
        let leaf = try #require((ours["chain"] as? [[String: Any]])?.first, "\(probe.stdout)")
        let data = try #require(FileManager.default.contents(atPath: jsonFile), "testssl wrote no JSON (exit \(testssl.status)): \(testssl.stdout.suffix(2000)) \(testssl.stderr)")
        let theirs = try Testssl.findings(data)
        let context = "testssl (\(Int(seconds)) s, exit \(testssl.status)): \(theirs)"

        // STARTTLS: offered before TLS (ours), and testssl got through it to a certificate.
        #expect((ours["capabilitiesBefore"] as? [String])?.contains("STARTTLS") == true)
        #expect(theirs["service"] == "smtp", "\(context)")
        #expect(theirs["cert_fingerprintSHA256"] != nil, "testssl reached no certificate through STARTTLS: \(context)")

        // The certificate: fingerprint, expiry (testssl prints it to the minute, UTC), names.
        let fingerprint = (leaf["sha256"] as? String ?? "").replacingOccurrences(of: ":", with: "").uppercased()
        #expect(fingerprint.count == 64 && theirs["cert_fingerprintSHA256"] == fingerprint, "ours \(fingerprint); \(context)")
        let notAfter = (leaf["notAfter"] as? String ?? "").replacingOccurrences(of: "T", with: " ")
        #expect(notAfter.count >= 16 && theirs["cert_notAfter"] == String(notAfter.prefix(16)), "ours \(notAfter); \(context)")
        let ourNames = ((leaf["altNames"] as? [String]) ?? []).map { $0.hasPrefix("DNS:") ? String($0.dropFirst(4)) : $0 }
        let theirNames = (theirs["cert_subjectAltName"] ?? "").split(separator: " ").map(String.init)
        #expect(!ourNames.isEmpty && Set(ourNames) == Set(theirNames), "ours \(ourNames); \(context)")
        #expect(theirs["cert_commonName"] == "mx.testssl.test" && (leaf["subject"] as? String)?.contains("CN = mx.testssl.test") == true,
                "ours \(leaf["subject"] ?? "none"); \(context)")

        // The negotiated protocol: ours "TLSv1.3", testssl's "Default protocol TLS1.3".
        let ourProtocol = (ours["tlsVersion"] as? String ?? "").replacingOccurrences(of: "TLSv", with: "TLS")
        #expect(!ourProtocol.isEmpty && theirs["protocol_negotiated"] == "Default protocol \(ourProtocol)", "ours \(ourProtocol); \(context)")
    }
}

/// Debian's testssl.sh, and whether its suite runs.
enum Testssl {
    static let path: String? = ["/usr/bin/testssl", "/usr/bin/testssl.sh"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static var shouldRun: Bool { path != nil || ProcessInfo.processInfo.environment["MAILTLS_REQUIRE_MTA"] == "1" }
    static let skipReason: Comment = "testssl is not installed (apt-get install testssl.sh), and MAILTLS_REQUIRE_MTA is not 1"

    /// testssl's flat JSON (`--jsonfile`): an array of {id, finding, …}; the first finding of each id.
    static func findings(_ data: Data) throws -> [String: String] {
        let entries = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] ?? []
        var findings: [String: String] = [:]
        for entry in entries {
            guard let id = entry["id"] as? String, findings[id] == nil else { continue }
            findings[id] = (entry["finding"] as? String)?.trimmingCharacters(in: .whitespaces)
        }
        return findings
    }
}
