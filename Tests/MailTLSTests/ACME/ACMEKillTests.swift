import Foundation
import MailTLS
import Testing

/// `acme renew` is a writing command like the others: SIGKILLed at random moments (against
/// a real pebble), every file must stay either its old or a complete new version, no key may
/// ever be readable by others, and the next run must leave a consistent set.
@Suite("ACME killed at random moments", .serialized, .enabled(if: PebbleServer.shouldRun))
struct ACMEKillTests {
    /// The certificate files a renewal replaces.
    static let certificateFiles = ["host.cert", "chain.pem", "fullchain.pem"]

    static func bytes(_ path: String) -> [UInt8]? {
        FileManager.default.contents(atPath: path).map { Array($0) }
    }

    /// Whether host.cert is for host.key.
    static func matches(_ dir: String) -> Bool {
        guard let cert = try? MaterialFile.load(dir + "/host.cert").firstCertificate().certificate,
              let key = try? MaterialFile.load(dir + "/host.key").privateKey() else { return false }
        return cert.publicKey == key.publicKey
    }

    @Test("acme renew --force (with --rekey every third run), killed at random: each file old or whole, keys never readable, the next run consistent")
    func renewKilled() throws {
        let server = try PebbleServer()
        let dir = try server.certsDirectory()
        let issued = try MailTLSBinary.run(["acme", "issue", "--dir", dir, "--host", "mail.example.test",
                                            "--http-port", "\(server.httpPort)", "--agree-tos"] + server.serverArguments)
        #expect(issued.status == 0, "\(issued.stdout)\(issued.stderr)")
        let watcher = KillLoop(watching: dir)
        watcher.start()
        var old: [String: [UInt8]] = [:]
        var mismatched = 0
        let rounds = max(8, KillLoop.rounds / 2)
        let counts = try watcher.loop({ round in
            ["acme", "renew", "--dir", dir, "--force"] + (round % 3 == 2 ? ["--rekey", "--algorithm", "ecdsa-p256"] : [])
        }, in: dir, rounds: rounds, before: { _ in
            for name in Self.certificateFiles + ["host.key"] { old[name] = Self.bytes(dir + "/" + name) }
        }) { round, killed, status in
            for name in Self.certificateFiles + ["host.key"] {
                let now = Self.bytes(dir + "/" + name)
                #expect(now != nil, "round \(round): \(name) disappeared")
                guard let now, now != old[name] else { continue }
                #expect((try? MaterialFile.parse(now, path: name)) != nil, "round \(round): \(name) is partial (\(now.count) bytes)")
            }
            var info = stat()
            #expect(stat(dir + "/host.key", &info) == 0 && info.st_mode & 0o777 == 0o600, "round \(round): host.key mode")
            if !killed { #expect(status == 0 && Self.matches(dir), "round \(round): renew finished with \(status)") }
            if !Self.matches(dir) {
                // Killed between moving the new key and its certificate (--rekey): the next run repairs it.
                mismatched += 1
                let again = try MailTLSBinary.run(["acme", "renew", "--dir", dir, "--force"])
                #expect(again.status == 0, "round \(round): renew after a kill: \(again.stdout)\(again.stderr)")
                #expect(Self.matches(dir), "round \(round): the next renew left host.cert and host.key apart")
            }
        }
        let watch = watcher.stop()
        #expect(watch.exposed.isEmpty, "a key file was group/world readable: \(Array(watch.exposed.prefix(5)))")
        #expect(counts.killed > 0 && counts.completed > 0, "\(counts)")
        print("kill loop: mailtls acme renew: \(counts), \(watch.polls) mode polls, \(watch.exposed.count) exposures, \(mismatched) left key and certificate apart (repaired by the next run)")

        // A run that finishes sweeps what killed runs left: no temp files, nothing pending.
        let final = try MailTLSBinary.run(["acme", "renew", "--dir", dir, "--force"])
        #expect(final.status == 0, "\(final.stdout)\(final.stderr)")
        let leftovers = KillLoop.files(under: dir).filter { ($0 as NSString).lastPathComponent.contains(".tmp-") }
        #expect(leftovers.isEmpty, "temp files left: \(leftovers)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/acme/pending").isEmpty)
        let full = Self.bytes(dir + "/fullchain.pem"), leaf = Self.bytes(dir + "/host.cert"), chain = Self.bytes(dir + "/chain.pem")
        #expect(full != nil && full == (leaf ?? []) + (chain ?? []))
    }
}
