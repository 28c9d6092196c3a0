import Foundation
import Testing
import MailTLS

enum Shipping {
    /// The package's root folder (this file is Tests/MailTLSTests/Shipping/VersionTests.swift).
    static let packageRoot: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
}

@Suite("Shipping: --version")
struct VersionTests {
    /// `Package.resolved`'s pins: package identity → version.
    static func resolvedVersions() throws -> [String: String] {
        let data = try Data(contentsOf: URL(fileURLWithPath: Shipping.packageRoot + "/Package.resolved"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let pins = try #require(json["pins"] as? [[String: Any]])
        var versions: [String: String] = [:]
        for pin in pins {
            if let identity = pin["identity"] as? String, let state = pin["state"] as? [String: Any],
               let version = state["version"] as? String {
                versions[identity] = version
            }
        }
        return versions
    }

    /// The `checkouts` folder of the build this test runs from (`.build`, `.build-ship`, …).
    static func checkouts() -> String? {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = dir.appendingPathComponent("checkouts").path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        let fallback = Shipping.packageRoot + "/.build/checkouts"
        return FileManager.default.fileExists(atPath: fallback) ? fallback : nil
    }

    @Test("every component's version is the one Package.resolved pins")
    func versionsMatchPackageResolved() throws {
        let resolved = try Self.resolvedVersions()
        for component in MailTLSVersion.components {
            #expect(resolved[component.package] == component.version,
                    "Version.swift says \(component.package) \(component.version); Package.resolved pins \(resolved[component.package] ?? "nothing")")
        }
    }

    @Test("every BoringSSL revision is the one the checked-out package vendors (its hash.txt)")
    func boringSSLRevisionsMatchCheckouts() throws {
        let checkouts = try #require(Self.checkouts(), "no checkouts folder beside the build")
        for component in MailTLSVersion.components {
            guard let revision = component.boringSSL else { continue }
            let sources = checkouts + "/" + component.package + "/Sources"
            let folder = try #require(try FileManager.default.contentsOfDirectory(atPath: sources)
                .first { $0.hasSuffix("BoringSSL") && FileManager.default.fileExists(atPath: sources + "/" + $0 + "/hash.txt") },
                "\(sources) has no C…BoringSSL/hash.txt")
            let text = try String(contentsOfFile: sources + "/" + folder + "/hash.txt", encoding: .utf8)
            #expect(text.contains("revision \(revision)"),
                    "\(component.package) vendors BoringSSL \(text.trimmingCharacters(in: .whitespacesAndNewlines)), Version.swift says \(revision)")
        }
    }

    @Test("mailtls --version prints its version, then the crypto stack one package a line")
    func versionOutput() throws {
        let result = try MailTLSBinary.run(["--version"])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "mailtls \(MailTLSVersion.string)")
        for component in MailTLSVersion.components {
            #expect(lines.contains { $0.hasPrefix("\(component.package) \(component.version)") }, "no line for \(component.package) in: \(result.stdout)")
        }
        #expect(lines.contains { $0.hasPrefix("swift-crypto ") && $0.contains("(BoringSSL ") })
    }
}
