import Foundation
import Testing
@testable import MailTLS

/// `mailtls tlsa`, `rollover` and `check --tlsa` as an admin runs them.
@Suite("DANE: CLI")
struct DANECLITests {
    func mailtls(_ arguments: [String], in dir: TempDirectory, input: String? = nil) throws -> RunResult {
        try MailTLSBinary.run(arguments, in: dir.path, input: input)
    }

    /// A one-line `mailtls: <subject>: <problem> (<remedy>)` error with exit status 1.
    func expectFailure(_ result: RunResult, _ prefix: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == 1, "\(result.stderr)", sourceLocation: sourceLocation)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.hasPrefix("mailtls: \(prefix)") && result.stderr.hasSuffix(")\n"), "\(result.stderr)", sourceLocation: sourceLocation)
    }

    @Test("tlsa prints the openssl pipeline's digest as a zone line, for a certificate or a key", arguments: [KeyAlgorithm.rsa, .ecdsaP256, .ed25519])
    func tlsaEqualsOpenSSL(_ algorithm: KeyAlgorithm) async throws {
        let dir = TempDirectory()
        #expect(try mailtls(["rsa", "--algorithm", algorithm.rawValue], in: dir).status == 0)
        // No certificate yet: the key's record.
        let fromKey = try mailtls(["tlsa", "--host", "mail.example.org"], in: dir)
        #expect(try mailtls(["self", "--batch", "--subject", "/CN=mail.example.org"], in: dir).status == 0)
        let digest = try DANEFixtures.opensslDigest(
            "openssl x509 -in host.cert -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256", in: dir.path)
        let line = "_25._tcp.mail.example.org. IN TLSA 3 1 1 \(digest)\n"
        let fromCert = try mailtls(["tlsa", "--host", "mail.example.org"], in: dir)
        #expect(fromCert.status == 0 && fromCert.stdout == line)
        #expect(fromKey.stdout == line, "host.key gives the same 3 1 1 as host.cert")
        let sha512 = try DANEFixtures.opensslDigest("openssl x509 -in host.cert -outform der | openssl dgst -sha512", in: dir.path)
        let full = try mailtls(["tlsa", "host.cert", "--selector", "0", "--match", "2", "--host", "mx.example.org", "--port", "465"], in: dir)
        #expect(full.stdout == "_465._tcp.mx.example.org. IN TLSA 3 0 2 \(sha512)\n")
        #expect(full.stderr.contains("change with every new certificate"))
        let generic = try mailtls(["tlsa", "--host", "mail.example.org", "--format", "generic"], in: dir)
        #expect(generic.stdout == "_25._tcp.mail.example.org. IN TYPE52 \\# 35 030101\(digest)\n")
        let json = try mailtls(["tlsa", "--host", "mail.example.org", "--format", "json"], in: dir)
        let decoded = try JSONDecoder().decode([TLSAJSONRecord].self, from: Data(json.stdout.utf8))
        #expect(decoded == [TLSAJSONRecord(try TLSAZoneParser.parse(line, path: "-")[0].record, owner: "_25._tcp.mail.example.org.", source: "host.cert")])
    }

    @Test("tlsa --usage 2 for a CA made with mailtls ca; the default is the top of chain.pem")
    func tlsaForCA() async throws {
        let dir = TempDirectory()
        #expect(try mailtls(["ca", "init", "--subject", "/O=Example/CN=Example Mail CA", "--algorithm", "ecdsa-p256"], in: dir).status == 0)
        try FileManager.default.createDirectory(atPath: dir.file("certs"), withIntermediateDirectories: true)
        #expect(try mailtls(["csr", "--dir", "certs", "--batch", "--subject", "/CN=mail.example.org", "--algorithm", "ecdsa-p256"], in: dir).status == 0)
        let signed = try mailtls(["ca", "sign", "certs/host.csr", "--yes"], in: dir)
        #expect(signed.status == 0, "\(signed.stderr)")
        let digest = try DANEFixtures.opensslDigest(
            "openssl x509 -in ca/ca.cert -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256", in: dir.path)
        let line = "_25._tcp.mail.example.org. IN TLSA 2 1 1 \(digest)\n"
        #expect(try mailtls(["tlsa", "--usage", "2", "ca/ca.cert", "--host", "mail.example.org"], in: dir).stdout == line)
        let fromDirectory = try mailtls(["tlsa", "--usage", "2", "--dir", "certs", "--host", "mail.example.org"], in: dir)
        #expect(fromDirectory.stdout == line && fromDirectory.stderr.isEmpty, "fullchain.pem carries the CA: \(fromDirectory.stderr)")
        // Served without the CA, a DANE client could not match the 2 1 1 record: tlsa says so.
        try FileManager.default.moveItem(atPath: dir.file("certs/fullchain.pem"), toPath: dir.file("fullchain.pem"))
        let withoutCA = try mailtls(["tlsa", "--usage", "2", "--dir", "certs", "--host", "mail.example.org"], in: dir)
        #expect(withoutCA.stdout == line && withoutCA.status == 0)
        #expect(withoutCA.stderr.contains("mailtls: warning: certs/host.cert: does not match the 2 1 1 record just computed: no CA certificate in the presented chain matches"),
                "\(withoutCA.stderr)")
        try FileManager.default.moveItem(atPath: dir.file("fullchain.pem"), toPath: dir.file("certs/fullchain.pem"))
        expectFailure(try mailtls(["tlsa", "--usage", "2", "certs/host.cert", "--host", "mail.example.org"], in: dir),
                      "certs/host.cert: CN = mail.example.org is not a CA certificate")
        // check --tlsa with the 2 1 1 record: the leaf chains to the CA in fullchain.pem.
        try dir.write("ta.txt", line)
        let check = try mailtls(["check", "--dir", "certs", "--tlsa", "ta.txt", "--host", "mail.example.org"], in: dir)
        // host.cert alone does not carry the anchor, which DANE-TA(2) needs the server to send.
        #expect(check.stdout.contains("WARN  tlsa                    certs/host.cert: matches none of the 1 TLSA records"), "\(check.stdout)")
        #expect(check.stdout.contains("fullchain.pem"))
        var files = TLSFileSet.certsDirectory(CertsLayout(directory: dir.file("certs")))
        files.serverCertificate = dir.file("certs/fullchain.pem")
        let direct = await Checker.run(files, hostName: "mail.example.org", tlsa: dir.file("ta.txt")).findings.filter { $0.rule == "tlsa" }
        #expect(direct.map(\.severity) == [.ok], "\(direct)")
    }

    @Test("rollover from start to finish on the command line")
    func rolloverWalk() async throws {
        let dir = TempDirectory()
        #expect(try mailtls(["self", "--batch", "--subject", "/CN=mail.example.org", "--algorithm", "ecdsa-p256"], in: dir).status == 0)
        let current = try mailtls(["tlsa", "--host", "mail.example.org"], in: dir).stdout
        let plan = try mailtls(["rollover", "plan", "--host", "mail.example.org", "--ttl", "300"], in: dir)
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(dir.mode("next.key") == 0o600)
        let lines = plan.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "; wrote key: next.key (ECDSA P-256, mode 0600)")
        let records = lines.filter { !$0.hasPrefix(";") }
        #expect(records.count == 2)
        #expect(records[0] == String(current.dropLast()) + "  ; current key (host.key)")
        #expect(records[1].hasSuffix("  ; next key (next.key)"))
        #expect(plan.stdout.contains("; then wait at least 10 minutes (2 x TTL 300 s)"))

        // Not yet published: refused, one line, nothing changed.
        try dir.write("old.txt", current)
        let before = DirectoryState.of(dir.path)
        expectFailure(try mailtls(["rollover", "next", "--records", "old.txt", "--host", "mail.example.org", "--self"], in: dir),
                      "old.txt: does not hold next.key's record 3 1 1 ")
        #expect(DirectoryState.of(dir.path) == before)
        expectFailure(try mailtls(["rollover", "finish", "--host", "mail.example.org"], in: dir), "next.key: still exists")

        // Published (here: plan's output, as dig +short would give the data), from stdin.
        let digLines = records.map { $0.components(separatedBy: " IN TLSA ")[1].components(separatedBy: "  ;")[0] }.joined(separator: "\n")
        let next = try mailtls(["rollover", "next", "--host", "mail.example.org", "--self", "--days", "30"], in: dir, input: digLines + "\n")
        #expect(next.status == 0, "\(next.stderr)")
        #expect(next.stdout.contains("next.key's record 3 1 1 is published (standard input)"))
        #expect(next.stdout.contains("moved next.key -> host.key"))
        let backups = dir.listing().filter { $0.hasPrefix("host.key.") }
        #expect(backups.count == 1 && dir.mode(backups[0]) == 0o600)

        let finish = try mailtls(["rollover", "finish", "--host", "mail.example.org"], in: dir)
        #expect(finish.status == 0)
        let finishLines = finish.stdout.split(separator: "\n").map(String.init)
        #expect(finishLines[1] == records[1].replacingOccurrences(of: "next key (next.key)", with: "current key (host.key)"))
        #expect(finishLines[2] == "; and remove the old key's record (\(backups[0])):")
        #expect(finishLines[3] == ";   " + current.dropLast())
        // The server now matches the new set and not the old one.
        try dir.write("new.txt", finishLines[1])
        let good = try mailtls(["check", "--tlsa", "new.txt", "--host", "mail.example.org"], in: dir)
        #expect(good.stdout.contains("ok    tlsa"))
        let stale = try mailtls(["check", "--tlsa", "old.txt", "--host", "mail.example.org"], in: dir)
        #expect(stale.stdout.contains("WARN  tlsa") && stale.stdout.contains("matches none of the 1 TLSA records in old.txt"))
    }

    @Test("errors: one line and exit 1; usage errors exit 2")
    func errors() async throws {
        let dir = TempDirectory()
        expectFailure(try mailtls(["tlsa"], in: dir), "host.cert: no such file")
        expectFailure(try mailtls(["rollover", "plan", "--host", "mail.example.org"], in: dir), "host.key: no such file: there is no key in service")
        expectFailure(try mailtls(["rollover", "next", "--host", "mail.example.org", "--records", "x.txt"], in: dir), "x.txt: no such file")
        try dir.write("zone.txt", "_25._tcp.mail.example.org. IN TLSA 3 1 1 zz\n")
        expectFailure(try mailtls(["rollover", "next", "--host", "mail.example.org", "--records", "zone.txt"], in: dir),
                      "zone.txt: line 1: the record data is not hexadecimal")
        expectFailure(try mailtls(["rollover", "next", "--host", "mail.example.org"], in: dir, input: ""), "standard input: holds no TLSA record")
        for arguments in [["tlsa", "--usage", "1"], ["tlsa", "--usage", "0"], ["tlsa", "--selector", "2"], ["tlsa", "--match", "3"],
                          ["tlsa", "--format", "bind"], ["rollover", "plan", "--match", "0"], ["rollover", "next", "--port", "0"]] {
            let result = try mailtls(arguments, in: dir)
            #expect(result.status == 2, "\(arguments): \(result.status) \(result.stderr)")
        }
    }
}
