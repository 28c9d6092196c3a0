import Foundation
import Testing
@testable import MailTLS

extension Reliability {
    /// Replays the fuzz targets' seeds and saved crash inputs (`Fuzz/seeds/TARGET/`,
    /// `Fuzz/regressions/TARGET/`) through the same parser calls, in the normal test run: a parser
    /// that crashes on one of them crashes this test process.
    @Suite("Reliability: fuzz regressions replayed")
    struct FuzzRegressionTests {
        static let fuzzRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fuzz").path

        static func inputs(_ target: String) -> [[UInt8]] {
            var result: [[UInt8]] = []
            // The fixture folders scripts/fuzz also seeds these targets from.
            let fixtures = ["FuzzMaterial": ["bad-inputs", "subject-hash/tricky"], "FuzzPEM": ["bad-inputs"], "FuzzReceived": ["headers"]]
            for dir in (fixtures[target] ?? []).map(Fixtures.path) + ["seeds", "regressions"].map({ fuzzRoot + "/" + $0 + "/" + target }) {
                for name in ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted() {
                    if let data = FileManager.default.contents(atPath: dir + "/" + name) { result.append(Array(data)) }
                }
            }
            return result
        }

        /// The same calls as the fuzz targets in Fuzz/Sources/TARGET/TARGET.swift.
        static let targets: [String: @Sendable ([UInt8]) -> Void] = [
            "FuzzMaterial": { _ = try? MaterialFile.parse($0, path: "fuzz.pem") },
            "FuzzPEM": { _ = try? PEMScanner.blocks(in: String(decoding: $0, as: UTF8.self)) },
            "FuzzSubject": { _ = try? SubjectParser.parse(String(decoding: $0, as: UTF8.self)) },
            "FuzzSendmail": {
                _ = SendmailConfig.parseMC(String(decoding: $0, as: UTF8.self), source: "fuzz.mc")
                _ = SendmailConfig.parseCF(String(decoding: $0, as: UTF8.self), source: "fuzz.cf")
            },
            "FuzzPostfix": { _ = PostfixConfig.parse(String(decoding: $0, as: UTF8.self), source: "main.cf") },
            "FuzzReceived": {
                _ = try? ReceivedHeaders.parse($0, source: "fuzz.eml")
                _ = ReceivedHeaders.parseHop(String(decoding: $0, as: UTF8.self))
            },
            "FuzzTLSAZone": { _ = try? TLSAZoneParser.parse(String(decoding: $0, as: UTF8.self), path: "fuzz.zone") },
            "FuzzSTSPolicy": { bytes in
                if let policy = STSPolicyParser.read(bytes, source: "fuzz").policy {
                    for pattern in policy.mx { _ = policy.covers(mxHost: String(pattern.map { $0 == "*" ? "x" : $0 })) }
                }
                let rrset = bytes.split(separator: 0, omittingEmptySubsequences: false).map { record in
                    record.split(separator: 1, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
                }
                _ = STSRecord.read(rrset, name: "_mta-sts.fuzz")
                _ = TLSRPTRecord.read(rrset, name: "_smtp._tls.fuzz")
            },
            "FuzzSMTPReply": { bytes in
                var reader = SMTPReplyReader()
                reader.append(bytes)
                while let reply = try? reader.nextReply() { _ = reply }
            },
            "FuzzServerHello": { _ = ServerHelloFacts.parse($0) },
        ]

        @Test("seeds and saved crash inputs parse without crashing", arguments: targets.keys.sorted())
        func replay(_ target: String) throws {
            let inputs = Self.inputs(target)
            for input in inputs { Self.targets[target]!(input) }
            #expect(FileManager.default.fileExists(atPath: Self.fuzzRoot + "/Sources/" + target), "no fuzz target \(target)")
        }

        /// Bugs the fuzz targets found, fixed in session 1; their inputs stay here as regressions.
        @Test("regression: a TLSA record with an overflowing TTL is refused, not a crash")
        func overflowingTTL() throws {
            let dir = TempDirectory("regression-ttl")
            try dir.write("tlsa.txt", "_25._tcp.mail.example.org. 99999999999999999w IN TLSA 3 1 1 0011\n")
            let result = try MailTLSBinary.run(["check", "--tlsa", "tlsa.txt"], in: dir.path)
            #expect(result.status == 1 || result.status == 3, "\(result.transcript)")
            #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("runtime failure"))
        }

        @Test("regression: a self-referencing sendmail.mc macro expands in bounded time")
        func macroBomb() throws {
            let dir = TempDirectory("regression-m4")
            try dir.write("sendmail.mc", "define(`A', `A A A A A A A A A A')dnl\ndefine(`confSERVER_CERT', `A')dnl\n")
            let started = Date()
            let files = try SendmailConfig.load(dir.file("sendmail.mc"))
            #expect(Date().timeIntervalSince(started) < 2)
            #expect((files.serverCertificate?.count ?? 0) <= M4Defines.maxExpansion)
            let result = try MailTLSBinary.run(["check", "--config", "sendmail.mc"], in: dir.path)
            #expect(result.status == 1)
        }

        /// Found by the long fuzz run of session 2 (FuzzPostfix: 40 s and gigabytes for one input).
        @Test("regression: main.cf parameters that refer to themselves many times over expand in bounded time")
        func postfixExpansionBomb() throws {
            let text = "tls_dir = " + Array(repeating: "$tls_dir", count: 10).joined(separator: " ")
                + "\nsmtpd_tls_cert_file = $tls_dir/host.cert\n"
            let started = Date()
            let files = PostfixConfig.parse(text, source: "main.cf")
            #expect(Date().timeIntervalSince(started) < 2)
            #expect((files.serverCertificate?.count ?? 0) <= PostfixConfig.maxExpansion)
            // Ordinary references still expand.
            let plain = PostfixConfig.parse("tls_dir = /etc/postfix/tls\nsmtpd_tls_cert_file = ${tls_dir}/host.cert\n", source: "main.cf")
            #expect(plain.serverCertificate == "/etc/postfix/tls/host.cert")
        }
    }
}
