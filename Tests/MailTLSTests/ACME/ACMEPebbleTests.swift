import Foundation
import Testing

/// `mailtls acme` against a real ACME server (pebble), with real http-01 and dns-01
/// validation. The oracles: pebble accepts what mailtls sends and says what it issued and
/// revoked; `openssl verify` checks the deployed chain against pebble's root.
@Suite("ACME against pebble", .serialized, .enabled(if: PebbleServer.shouldRun))
struct ACMEPebbleTests {
    /// Runs `mailtls acme VERB …` with the server options and the certs directory.
    static func acme(_ verb: String, _ arguments: [String], server: PebbleServer, dir: String, serverOptions: Bool = true) async throws -> RunResult {
        let all = ["acme", verb, "--dir", dir] + arguments + (serverOptions ? server.serverArguments : [])
        return try await mailtls(all)
    }

    /// The mailtls binary, run off the cooperative pool (see `offPool`).
    static func mailtls(_ arguments: [String]) async throws -> RunResult {
        try await offPool { try MailTLSBinary.run(arguments) }
    }

    /// A pebble started off the cooperative pool.
    static func pebble(nonceRejectPercent: Int = 5, validityDays: Int? = nil) async throws -> PebbleServer {
        try await offPool { try PebbleServer(nonceRejectPercent: nonceRejectPercent, validityDays: validityDays) }
    }

    /// The TLSA 3 1 1 value of a certificate, as openssl computes it.
    static func tlsa311(_ certificate: String) throws -> String {
        let result = try run("/bin/sh", ["-c", "openssl x509 -in '\(certificate)' -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -r"])
        return String(result.stdout.prefix(64))
    }

    static func serial(_ certificate: String) throws -> String {
        try OpenSSL.expectSuccess(["x509", "-in", certificate, "-noout", "-serial"])
            .trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "serial=", with: "").lowercased()
    }

    static func mode(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_mode & 0o777) : -1
    }

    /// Files of a directory tree with their SHA-256, for "nothing changed" checks.
    static func snapshot(_ directory: String, excluding: Set<String> = []) -> [String: String] {
        var result: [String: String] = [:]
        let enumerator = FileManager.default.enumerator(atPath: directory)
        while let relative = enumerator?.nextObject() as? String {
            guard !excluding.contains(where: { relative.hasPrefix($0) }) else { continue }
            let path = directory + "/" + relative
            var info = stat()
            guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            let digest = (try? run("/usr/bin/sha256sum", [path]).stdout.prefix(64)).map(String.init) ?? "?"
            result[relative] = "\(digest) \(String(info.st_mode & 0o777, radix: 8))"
        }
        return result
    }

    @Test("account needs --agree-tos, then is created once and found again")
    func account() async throws {
        let server = try await Self.pebble()
        let dir = try server.certsDirectory()
        let refused = try await Self.acme("account", ["--email", "postmaster@example.test"], server: server, dir: dir)
        #expect(refused.status == 1)
        #expect(refused.stderr.split(separator: "\n").count == 1)
        #expect(refused.stderr.contains("--agree-tos"))

        let created = try await Self.acme("account", ["--email", "postmaster@example.test", "--agree-tos"], server: server, dir: dir)
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.contains("created account at 127.0.0.1:\(server.acmePort): https://127.0.0.1:\(server.acmePort)/my-account/"))
        #expect(Self.mode(dir + "/acme") == 0o700)
        #expect(Self.mode(dir + "/acme/account.key") == 0o600)
        // The key is the ES256 key the issue asks for: openssl reads it as P-256.
        let key = try OpenSSL.expectSuccess(["pkey", "-in", dir + "/acme/account.key", "-noout", "-text"])
        #expect(key.contains("P-256"))

        let again = try await Self.acme("account", [], server: server, dir: dir)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("existing account"))
        // The same account URL both times (the first line of each run ends with it).
        let url = { (text: String) in text.split(separator: "\n").first?.split(separator: " ").last.map(String.init) }
        #expect(url(created.stdout) != nil)
        #expect(url(again.stdout) == url(created.stdout))
    }

    @Test("issue with http-01 answered by mailtls: chain verifies to pebble's root, Sendmail's files in place, deploy hook runs")
    func issueHTTP01() async throws {
        let server = try await Self.pebble(nonceRejectPercent: 50)
        let dir = try server.certsDirectory()
        let hookOut = server.directory + "/hook.out"
        let issued = try await Self.acme("issue", ["--host", "mail.example.test", "--host", "MX.example.test", "--http-port", "\(server.httpPort)",
                                             "--agree-tos", "--email", "postmaster@example.test",
                                             "--deploy-hook", "echo \"$MAILTLS_CERT $MAILTLS_NAMES\" > \(hookOut)"],
                                  server: server, dir: dir)
        #expect(issued.status == 0, "\(issued.stdout)\(issued.stderr)")
        #expect(issued.stdout.contains("check: OK"))
        #expect(issued.stdout.contains("key kept"))

        let root = server.directory + "/pebble-root.pem"
        try server.rootPEM().write(toFile: root, atomically: true, encoding: .utf8)
        let verified = try OpenSSL.run(["verify", "-CAfile", root, "-untrusted", dir + "/chain.pem",
                                        "-purpose", "sslserver", "-verify_hostname", "mx.example.test", dir + "/host.cert"])
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        let text = try OpenSSL.expectSuccess(["x509", "-in", dir + "/host.cert", "-noout", "-ext", "subjectAltName"])
        #expect(text.contains("DNS:mail.example.test") && text.contains("DNS:mx.example.test"))
        // The certificate is for the key that was there (made here, as the directory had none).
        let certKey = try OpenSSL.expectSuccess(["x509", "-in", dir + "/host.cert", "-noout", "-pubkey"])
        let hostKey = try OpenSSL.expectSuccess(["pkey", "-in", dir + "/host.key", "-pubout"])
        #expect(certKey == hostKey)
        // fullchain = host.cert + chain.pem; cacert.pem and CA/ hold the issuer, as Sendmail needs.
        let full = try String(contentsOfFile: dir + "/fullchain.pem", encoding: .utf8)
        let leaf = try String(contentsOfFile: dir + "/host.cert", encoding: .utf8)
        let chain = try String(contentsOfFile: dir + "/chain.pem", encoding: .utf8)
        #expect(full == leaf + chain)
        #expect(try String(contentsOfFile: dir + "/cacert.pem", encoding: .utf8) == chain)
        let linked = try OpenSSL.run(["verify", "-CApath", dir + "/CA", "-partial_chain", dir + "/host.cert"])
        #expect(linked.status == 0, "CA/ should hold the issuer under its hash link: \(linked.stderr)")
        #expect(Self.mode(dir + "/host.key") == 0o600)
        #expect(Self.mode(dir + "/host.cert") == 0o644)
        #expect(try String(contentsOfFile: hookOut, encoding: .utf8) == "\(dir)/host.cert mail.example.test mx.example.test\n")
        #expect(!FileManager.default.fileExists(atPath: dir + "/acme/pending/new.cert"))
    }

    @Test("issue without --server uses the server of the one account in acme/, and the --ca-bundle it was registered with")
    func issueUsesTheAccountsServer() async throws {
        let server = try await Self.pebble()
        let dir = try server.certsDirectory()
        let account = try await Self.acme("account", ["--agree-tos"], server: server, dir: dir)
        #expect(account.status == 0, "\(account.stderr)")
        let issued = try await Self.acme("issue", ["--host", "mail.example.test", "--http-port", "\(server.httpPort)", "--timeout", "60"],
                                         server: server, dir: dir, serverOptions: false)
        #expect(issued.status == 0, "\(issued.stdout)\(issued.stderr)")
        #expect(issued.stdout.hasPrefix("ordering a certificate for mail.example.test from 127.0.0.1:\(server.acmePort)\n"), "\(issued.stdout)")
        #expect(!issued.stdout.contains("registered a new ACME account"))
        let root = server.directory + "/pebble-root-account.pem"
        try server.rootPEM().write(toFile: root, atomically: true, encoding: .utf8)
        let verified = try OpenSSL.run(["verify", "-CAfile", root, "-untrusted", dir + "/chain.pem", dir + "/host.cert"])
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
    }

    @Test("renew: nothing before it is due; when due, same key (TLSA 3 1 1 unchanged), new serial, dated backup")
    func renewKeepsKey() async throws {
        let server = try await Self.pebble(validityDays: 20)
        let dir = try server.certsDirectory()
        let issued = try await Self.acme("issue", ["--host", "mail.example.test", "--http-port", "\(server.httpPort)", "--agree-tos"], server: server, dir: dir)
        #expect(issued.status == 0, "\(issued.stdout)\(issued.stderr)")
        let tlsaBefore = try Self.tlsa311(dir + "/host.cert"), serialBefore = try Self.serial(dir + "/host.cert")
        let before = Self.snapshot(dir)

        let notDue = try await Self.acme("renew", ["--days", "7"], server: server, dir: dir, serverOptions: false)
        #expect(notDue.status == 0, "\(notDue.stderr)")
        #expect(notDue.stdout.split(separator: "\n").count == 1)
        #expect(notDue.stdout.contains("not due"))
        #expect(Self.snapshot(dir) == before)

        let renewed = try await Self.acme("renew", ["--days", "30"], server: server, dir: dir, serverOptions: false)
        #expect(renewed.status == 0, "\(renewed.stdout)\(renewed.stderr)")
        #expect(try Self.tlsa311(dir + "/host.cert") == tlsaBefore)
        #expect(try Self.serial(dir + "/host.cert") != serialBefore)
        let backups = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("host.cert.") }
        #expect(backups.count == 1)
        if let backup = backups.first { #expect(try Self.serial(dir + "/" + backup) == serialBefore) }
        #expect(try !FileManager.default.contentsOfDirectory(atPath: dir).contains { $0.hasPrefix("host.key.") })
    }

    @Test("--rekey: a new key replaces host.key (the old one kept, 0600), the TLSA value changes")
    func rekey() async throws {
        let server = try await Self.pebble()
        let dir = try server.certsDirectory()
        #expect(try await Self.acme("issue", ["--host", "mail.example.test", "--http-port", "\(server.httpPort)", "--agree-tos"], server: server, dir: dir).status == 0)
        let tlsaBefore = try Self.tlsa311(dir + "/host.cert")
        let keyBefore = try String(contentsOfFile: dir + "/host.key", encoding: .utf8)
        let rekeyed = try await Self.acme("issue", ["--host", "mail.example.test", "--http-port", "\(server.httpPort)", "--rekey", "--algorithm", "ecdsa-p256"], server: server, dir: dir)
        #expect(rekeyed.status == 0, "\(rekeyed.stdout)\(rekeyed.stderr)")
        #expect(rekeyed.stdout.contains("new key"))
        #expect(try Self.tlsa311(dir + "/host.cert") != tlsaBefore)
        #expect(try OpenSSL.expectSuccess(["pkey", "-in", dir + "/host.key", "-noout", "-text"]).contains("P-256"))
        #expect(Self.mode(dir + "/host.key") == 0o600)
        let oldKeys = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("host.key.") }
        #expect(oldKeys.count == 1)
        if let old = oldKeys.first {
            #expect(try String(contentsOfFile: dir + "/" + old, encoding: .utf8) == keyBefore)
            #expect(Self.mode(dir + "/" + old) == 0o600)
        }
    }

    @Test("--file new: the certificate is for new.key, and new.* is promoted like mailtls promote")
    func fileNew() async throws {
        let server = try await Self.pebble()
        let dir = try server.certsDirectory()
        #expect(try await Self.mailtls(["rsa", "--dir", dir]).status == 0)
        #expect(try await Self.mailtls(["rsa", "--dir", dir, "--file", "new", "--algorithm", "ecdsa-p384"]).status == 0)
        let newKey = try String(contentsOfFile: dir + "/new.key", encoding: .utf8)
        let oldKey = try String(contentsOfFile: dir + "/host.key", encoding: .utf8)
        let issued = try await Self.acme("issue", ["--host", "mail.example.test", "--http-port", "\(server.httpPort)", "--file", "new", "--agree-tos"], server: server, dir: dir)
        #expect(issued.status == 0, "\(issued.stdout)\(issued.stderr)")
        #expect(try String(contentsOfFile: dir + "/host.key", encoding: .utf8) == newKey)
        #expect(!FileManager.default.fileExists(atPath: dir + "/new.key"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/new.cert"))
        let backups = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("host.key.") }
        #expect(backups.count == 1)
        if let backup = backups.first { #expect(try String(contentsOfFile: dir + "/" + backup, encoding: .utf8) == oldKey) }
        let certKey = try OpenSSL.expectSuccess(["x509", "-in", dir + "/host.cert", "-noout", "-pubkey"])
        #expect(certKey == (try OpenSSL.expectSuccess(["pkey", "-in", dir + "/host.key", "-pubout"])))
    }

    @Test("dns-01 through the hook: TXT record set in the DNS pebble asks, then cleared")
    func dns01() async throws {
        let server = try await Self.pebble()
        let dir = try server.certsDirectory()
        let log = server.directory + "/dns-hook.log"
        let hook = try server.writeDNSHook(log: log)
        let issued = try await Self.acme("issue", ["--host", "mx2.example.test", "--challenge", "dns-01", "--dns-hook", hook, "--agree-tos",
                                             "--dns-server", "127.0.0.1:\(server.dnsPort)", "-v"], server: server, dir: dir)
        #expect(issued.status == 0, "\(issued.stdout)\(issued.stderr)")
        // mailtls asked the DNS pebble uses, and saw the record before telling the CA to look.
        #expect(issued.stdout.contains("_acme-challenge.mx2.example.test.: TXT record visible at 127.0.0.1:\(server.dnsPort)"), "\(issued.stdout)")
        let calls = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        #expect(calls.count == 2)
        #expect(calls.first?.hasPrefix("set _acme-challenge.mx2.example.test. ") == true)
        #expect(calls.first?.hasSuffix("env=set,mx2.example.test") == true)
        #expect(calls.last?.hasPrefix("clear _acme-challenge.mx2.example.test. ") == true)
        #expect(try OpenSSL.expectSuccess(["x509", "-in", dir + "/host.cert", "-noout", "-ext", "subjectAltName"]).contains("DNS:mx2.example.test"))
    }

    @Test("dns-01 with a hook that sets nothing: mailtls waits --dns-wait, then the CA's reason in one line")
    func dns01Missing() async throws {
        let server = try await Self.pebble()
        let dir = try server.certsDirectory()
        let hook = server.directory + "/lazy-hook.sh"
        try "#!/bin/sh\nexit 0\n".write(toFile: hook, atomically: true, encoding: .utf8)
        chmod(hook, 0o755)
        let failed = try await Self.acme("issue", ["--host", "mx5.example.test", "--challenge", "dns-01", "--dns-hook", hook, "--agree-tos",
                                             "--dns-server", "127.0.0.1:\(server.dnsPort)", "--dns-wait", "2", "-v"], server: server, dir: dir)
        #expect(failed.status == 1)
        #expect(failed.stdout.contains("still not visible at 127.0.0.1:\(server.dnsPort) after 2 s"), "\(failed.stdout)")
        #expect(failed.stderr.split(separator: "\n").count == 1)
        #expect(failed.stderr.contains("mx5.example.test") && failed.stderr.contains("TXT"), "\(failed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/host.cert"))
    }

    @Test("webroot: the token is written for an existing web server and removed afterwards")
    func webroot() async throws {
        let server = try await Self.pebble()
        let dir = try server.certsDirectory()
        let webroot = try server.certsDirectory("www")
        // The "existing web server": Python's, serving the webroot on the port pebble validates.
        guard var web = spawnDaemon(["/usr/bin/python3", "-m", "http.server", "\(server.httpPort)", "--bind", "127.0.0.1", "--directory", webroot]) else {
            Issue.record("cannot start python3 -m http.server")
            return
        }
        defer { stopDaemon(&web) }
        let deadline = Date().addingTimeInterval(10)
        while !SMTPClient.canConnect(port: server.httpPort) && Date() < deadline { usleep(50_000) }
        let issued = try await Self.acme("issue", ["--host", "www.example.test", "--webroot", webroot, "--agree-tos"], server: server, dir: dir)
        #expect(issued.status == 0, "\(issued.stdout)\(issued.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: webroot + "/.well-known/acme-challenge").isEmpty)
    }

    @Test("revoke: pebble records it with the reason; a second revoke says already revoked")
    func revoke() async throws {
        let server = try await Self.pebble()
        let dir = try server.certsDirectory()
        #expect(try await Self.acme("issue", ["--host", "mail.example.test", "--http-port", "\(server.httpPort)", "--agree-tos"], server: server, dir: dir).status == 0)
        let serial = try Self.serial(dir + "/host.cert")
        #expect(try server.status(serial: serial).status == "Valid")
        let revoked = try await Self.acme("revoke", ["--reason", "keyCompromise"], server: server, dir: dir, serverOptions: false)
        #expect(revoked.status == 0, "\(revoked.stderr)")
        let status = try server.status(serial: serial)
        #expect(status.status == "Revoked")
        #expect(status.reason == 1)
        let again = try await Self.acme("revoke", [], server: server, dir: dir, serverOptions: false)
        #expect(again.status == 1)
        #expect(again.stderr.contains("alreadyRevoked"))
    }

    @Test("a failing challenge: the CA's reason in one line, exit 1, the certificate in service untouched")
    func failingChallenge() async throws {
        let server = try await Self.pebble()
        let dir = try server.certsDirectory()
        #expect(try await Self.acme("issue", ["--host", "mail.example.test", "--http-port", "\(server.httpPort)", "--agree-tos"], server: server, dir: dir).status == 0)
        let before = Self.snapshot(dir, excluding: ["acme/"])
        // mailtls answers on another port than the one pebble checks: validation fails for real.
        let wrongPort = try FreePort.find()
        let failed = try await Self.acme("issue", ["--host", "other.example.test", "--http-port", "\(wrongPort)"], server: server, dir: dir)
        #expect(failed.status == 1)
        let lines = failed.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(failed.stderr)")
        #expect(failed.stderr.contains("other.example.test"))
        #expect(failed.stderr.contains("connection") || failed.stderr.contains("refused"), "\(failed.stderr)")
        #expect(Self.snapshot(dir, excluding: ["acme/"]) == before)
    }

    @Test("an unreachable ACME server: one line naming it, exit 1, nothing changed, bounded time")
    func unreachable() async throws {
        let server = try await Self.pebble()
        let dir = try server.certsDirectory()
        #expect(try await Self.acme("issue", ["--host", "mail.example.test", "--http-port", "\(server.httpPort)", "--agree-tos"], server: server, dir: dir).status == 0)
        let before = Self.snapshot(dir)
        let closed = try FreePort.find()
        let started = Date()
        let failed = try await Self.mailtls(["acme", "issue", "--dir", dir, "--host", "mail.example.test", "--server", "https://127.0.0.1:\(closed)/dir",
                                           "--ca-bundle", server.tlsCA, "--timeout", "8"])
        #expect(failed.status == 1)
        #expect(failed.stderr.split(separator: "\n").count == 1, "\(failed.stderr)")
        #expect(failed.stderr.contains("127.0.0.1:\(closed)"))
        // Bounded by --timeout 8 (a refused connection ends sooner), plus the start of a debug
        // binary on a busy machine.
        #expect(Date().timeIntervalSince(started) < 8 + 10, "took \(Date().timeIntervalSince(started)) s with --timeout 8")
        #expect(Self.snapshot(dir) == before)
    }

    @Test("a server whose HTTPS certificate is not trusted: the message points at --ca-bundle")
    func untrusted() async throws {
        let server = try await Self.pebble()
        let dir = try server.certsDirectory()
        let failed = try await Self.mailtls(["acme", "account", "--dir", dir, "--server", server.directoryURL, "--agree-tos", "--timeout", "8"])
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("--ca-bundle"), "\(failed.stderr)")
        #expect(failed.stderr.split(separator: "\n").count == 1)
    }

    @Test("renew with nothing issued yet, and contradictory options: one line, exit 1 or 2")
    func refusals() async throws {
        let dir = try SafeDirectory.make()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let renew = try await Self.mailtls(["acme", "renew", "--dir", dir])
        #expect(renew.status == 1)
        #expect(renew.stderr.contains("acme issue"))
        let noHook = try await Self.mailtls(["acme", "issue", "--dir", dir, "--host", "a.example.test", "--challenge", "dns-01"])
        #expect(noHook.status == 2)
        #expect(noHook.stderr.contains("--dns-hook"))
        let badName = try await Self.mailtls(["acme", "issue", "--dir", dir, "--host", "not a name"])
        #expect(badName.status == 2)
        #expect(badName.stderr.contains("not a name"))
        let badPort = try await Self.mailtls(["acme", "issue", "--dir", dir, "--host", "a.example.test", "--http-port", "70000"])
        #expect(badPort.status == 2)
        #expect(badPort.stderr.contains("--http-port 70000"))
        let noBundle = try await Self.mailtls(["acme", "account", "--dir", dir, "--ca-bundle", dir + "/missing.pem", "--agree-tos"])
        #expect(noBundle.status == 1)
        #expect(noBundle.stderr.contains("missing.pem"))
        // Refused before anything was made: no account key, no acme/.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)

        try FileManager.default.createDirectory(atPath: dir + "/acme", withIntermediateDirectories: false)
        try "{ not json".write(toFile: dir + "/acme/renewal.json", atomically: true, encoding: .utf8)
        let damaged = try await Self.mailtls(["acme", "renew", "--dir", dir])
        #expect(damaged.status == 1)
        #expect(damaged.stderr.split(separator: "\n").count == 1)
        #expect(damaged.stderr.contains("renewal.json: is damaged"))
    }
}
