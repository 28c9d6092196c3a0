import Foundation
import Testing
@testable import MailTLS

/// The `mailtls probe` command against `mailtls serve` (both as processes): verdicts, exit
/// statuses (0 OK, 3 FAIL/NO, 1 otherwise), `--json`, `--targets`, `--tls-on-connect`.
@Suite("probe CLI vs mailtls serve")
struct ProbeCLITests {
    static func json(_ text: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try #require(object as? [String: Any], "not a JSON object: \(text)")
    }

    @Test("a fresh mailtls setup, served: OK pinned with --ca cacert.pem, FAIL for another name, another CA or no --ca")
    func setupServed() throws {
        let work = TempDirectory("probe-cli")
        let certs = work.file("certs")
        let setup = try MailTLSBinary.run(["setup", "--dir", certs, "--host", "mail.example.org"])
        try #require(setup.status == 0, "\(setup.stderr)")
        let serve = try ServeProcess(["--dir", certs, "--hostname", "mail.example.org"], in: work.path)
        defer { serve.stop() }
        let target = "127.0.0.1:\(serve.port)"

        let ok = try MailTLSBinary.run(["probe", target, "--ca", certs + "/cacert.pem", "--servername", "mail.example.org", "--timeout", "5"])
        #expect(ok.status == 0, "\(ok.stdout)\(ok.stderr)")
        #expect(ok.stdout.contains("verdict: OK"), "\(ok.stdout)")
        #expect(ok.stdout.contains("pinned"), "\(ok.stdout)")
        #expect(ok.stdout.contains("TLSv1.3"), "\(ok.stdout)")
        #expect(ok.stdout.contains("STARTTLS"), "capabilities before TLS are shown: \(ok.stdout)")

        let json = try MailTLSBinary.run(["probe", target, "--ca", certs + "/cacert.pem", "--servername", "mail.example.org", "--json", "--timeout", "5"])
        #expect(json.status == 0, "\(json.stderr)")
        let report = try Self.json(json.stdout)
        for key in ["host", "port", "verdict", "reason", "banner", "capabilitiesBefore", "capabilitiesAfter", "startTLSOfferedAfterTLS",
                    "tlsVersion", "cipher", "group", "chain", "verification", "timings"] {
            #expect(report[key] != nil, "--json lacks \(key): \(json.stdout)")
        }
        #expect(report["verdict"] as? String == "OK")
        #expect(report["host"] as? String == "127.0.0.1")
        #expect(report["port"] as? Int == serve.port)
        #expect(report["startTLSOfferedAfterTLS"] as? Bool == false)
        let chain = try #require(report["chain"] as? [[String: Any]])
        for key in ["subject", "issuer", "altNames", "notBefore", "notAfter", "key", "sha256", "spkiSHA256"] {
            #expect(chain.first?[key] != nil, "chain entry lacks \(key)")
        }
        let fingerprint = try OpenSSL.expectSuccess(["x509", "-in", certs + "/host.cert", "-noout", "-fingerprint", "-sha256"])
        #expect(fingerprint.uppercased().contains((chain.first?["sha256"] as? String ?? "?").uppercased()))

        let wrongName = try MailTLSBinary.run(["probe", target, "--ca", certs + "/cacert.pem", "--servername", "other.example.org", "--timeout", "5"])
        #expect(wrongName.status == 3, "\(wrongName.stdout)")
        #expect(wrongName.stdout.contains("verdict: FAIL"), "\(wrongName.stdout)")
        #expect(wrongName.stdout.contains("other.example.org"), "\(wrongName.stdout)")

        let otherCA = try MailTLSBinary.run(["probe", target, "--ca", try ProbeCertificates.path("root.pem"), "--servername", "mail.example.org", "--timeout", "5"])
        #expect(otherCA.status == 3, "\(otherCA.stdout)")
        #expect(otherCA.stdout.contains("verdict: FAIL"), "\(otherCA.stdout)")

        // Without --ca the probe uses the system bundle when there is one (a self-signed
        // certificate is not in it: FAIL), else no trust at all (NO). Either way: exit 3.
        let noTrust = try MailTLSBinary.run(["probe", target, "--servername", "mail.example.org", "--json", "--timeout", "5"])
        #expect(noTrust.status == 3, "\(noTrust.stdout)")
        let expected = FileManager.default.fileExists(atPath: "/etc/ssl/certs/ca-certificates.crt") ? "FAIL" : "NO"
        #expect(try Self.json(noTrust.stdout)["verdict"] as? String == expected, "\(noTrust.stdout)")

        // The session log of mailtls serve names the TLS facts.
        #expect(serve.waitForLog("TLSv1.3"), "\(serve.log)")
    }

    @Test("NO, FAIL and OK on crafted certificates; --capath; exit 1 for a closed port")
    func verdictsAndStatus() throws {
        let work = TempDirectory("probe-cli")
        let serve = try ServeProcess(["--dir", try ProbeCertificates.path("chain")], in: work.path)
        defer { serve.stop() }
        let target = "127.0.0.1:\(serve.port)"
        let capath = work.file("capath")
        try FileManager.default.createDirectory(atPath: capath, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: try ProbeCertificates.path("root.pem"), toPath: capath + "/root.pem")

        let viaCapath = try MailTLSBinary.run(["probe", target, "--capath", capath, "--servername", "mail.example.org", "--json", "--timeout", "5"])
        #expect(viaCapath.status == 0, "\(viaCapath.stdout)")
        let report = try Self.json(viaCapath.stdout)
        #expect(report["verdict"] as? String == "OK")
        #expect((report["chain"] as? [Any])?.count == 2, "leaf and intermediate")

        let byIP = try MailTLSBinary.run(["probe", target, "--ca", try ProbeCertificates.path("root.pem"), "--timeout", "5"])
        #expect(byIP.status == 0, "the leaf names 127.0.0.1 as an IP SAN: \(byIP.stdout)")

        let closed = try MailTLSBinary.run(["probe", "127.0.0.1:\(try FreePort.find())", "--ca", try ProbeCertificates.path("root.pem"), "--timeout", "2"])
        #expect(closed.status == 1, "\(closed.stdout)")
        #expect(closed.stdout.contains("verdict: TEMP"), "\(closed.stdout)")

        let usage = try MailTLSBinary.run(["probe", target, "--ca", "a", "--capath", "b"])
        #expect(usage.status != 0 && usage.status != 3, "two trusts is a usage error: \(usage.status)")
    }

    @Test("--targets: one JSON line per endpoint, a summary on stderr, the worst exit status")
    func targets() throws {
        let work = TempDirectory("probe-cli")
        let good = try ServeProcess(["--dir", try ProbeCertificates.path("good")], in: work.path)
        let expired = try ServeProcess(["--dir", try ProbeCertificates.path("expired")], in: work.path)
        defer { good.stop(); expired.stop() }
        let closedPort = try FreePort.find()
        let root = try ProbeCertificates.path("root.pem")
        try work.write("all.txt", "# endpoints\n127.0.0.1:\(good.port)\n\n127.0.0.1:\(expired.port)\n127.0.0.1:\(closedPort)\n127.0.0.1:\(good.port)\n")
        let all = try MailTLSBinary.run(["probe", "--targets", work.file("all.txt"), "--ca", root, "--servername", "mail.example.org",
                                         "--json", "--timeout", "3", "--concurrency", "2"])
        #expect(all.status == 1, "TEMP is the worst: \(all.stdout)\(all.stderr)")
        let lines = all.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 4, "\(all.stdout)")
        var verdicts: [Int: [String]] = [:]
        for line in lines {
            let object = try Self.json(line)
            verdicts[object["port"] as? Int ?? -1, default: []].append(object["verdict"] as? String ?? "?")
        }
        #expect(verdicts[good.port] == ["OK", "OK"], "\(verdicts)")
        #expect(verdicts[expired.port] == ["FAIL"], "\(verdicts)")
        #expect(verdicts[Int(closedPort)] == ["TEMP"], "\(verdicts)")
        #expect(all.stderr.contains("summary: 4 hosts"), "\(all.stderr)")
        #expect(all.stderr.contains("FAIL 1") && all.stderr.contains("OK 2") && all.stderr.contains("TEMP 1"), "\(all.stderr)")
        #expect(all.stderr.contains("TLSv1.3 3"), "\(all.stderr)")

        // OK and FAIL only: 3. From stdin, as a table.
        let some = try MailTLSBinary.run(["probe", "--targets", "-", "--ca", root, "--servername", "mail.example.org", "--timeout", "3"],
                                         input: "127.0.0.1:\(good.port)\n127.0.0.1:\(expired.port)\n")
        #expect(some.status == 3, "\(some.stdout)\(some.stderr)")
        #expect(some.stdout.split(separator: "\n").count == 2, "\(some.stdout)")
        #expect(some.stdout.contains("OK") && some.stdout.contains("FAIL") && some.stdout.contains("expired"), "\(some.stdout)")

        let allGood = try MailTLSBinary.run(["probe", "--targets", "-", "--ca", root, "--servername", "mail.example.org", "--timeout", "3"],
                                            input: "127.0.0.1:\(good.port)\n")
        #expect(allGood.status == 0, "\(allGood.stdout)\(allGood.stderr)")

        let empty = try MailTLSBinary.run(["probe", "--targets", "-", "--ca", root], input: "# nothing\n")
        #expect(empty.status == 1, "\(empty.stderr)")
        #expect(empty.stderr.contains("lists no host"), "\(empty.stderr)")
    }

    @Test("--tls-on-connect against an SMTPS listener (openssl s_server): OK")
    func tlsOnConnect() throws {
        let work = TempDirectory("probe-cli")
        let server = try OpenSSLTLSServer(cert: try ProbeCertificates.path("good/host.cert"), key: try ProbeCertificates.path("good/host.key"),
                                          script: "220 smtps.example ESMTP\r\n250-smtps.example\r\n250 AUTH PLAIN\r\n221 bye\r\n", in: work.path)
        defer { server.stop() }
        let result = try MailTLSBinary.run(["probe", "127.0.0.1:\(server.port)", "--tls-on-connect", "--ca", try ProbeCertificates.path("root.pem"),
                                            "--servername", "mail.example.org", "--timeout", "3", "--json"])
        let report = try Self.json(result.stdout)
        #expect(result.status == 0, "\(result.stdout)")
        #expect(report["verdict"] as? String == "OK", "\(report["verdict"] ?? "") — \(report["reason"] ?? "")")
        #expect((report["banner"] as? [String])?.first == "smtps.example ESMTP", "\(result.stdout)")
    }
}
