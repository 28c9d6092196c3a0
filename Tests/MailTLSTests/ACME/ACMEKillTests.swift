import Foundation
import MailTLS
import Testing

/// `acme renew` is a writing command like the others: SIGKILLed at random moments (against
/// a real pebble), every file must stay either its old or a complete new version, no key may
/// ever be readable by others, and the next run must leave a consistent set.
// Part of the pebble suite (an extension), so it runs serialized with the other pebble tests
// rather than beside them.
extension ACMEPebbleTests {
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
    func renewKilled() async throws {
        let server = try await Self.pebble()
        let dir = try server.certsDirectory()
        let issued = try await Self.mailtls(["acme", "issue", "--dir", dir, "--host", "mail.example.test",
                                                        "--http-port", "\(server.httpPort)", "--agree-tos"] + server.serverArguments)
        try #require(issued.status == 0, "\(issued.stdout)\(issued.stderr)")
        // The loop blocks (it waits for each run and sleeps before each kill), so it runs off
        // the cooperative pool and returns what it found; the assertions are made here.
        let outcome = try await offPool { try Self.killLoop(dir) }
        #expect(outcome.problems.isEmpty, "\(outcome.problems.prefix(10))")
        #expect(outcome.exposed.isEmpty, "a key file was group/world readable: \(Array(outcome.exposed.prefix(5)))")
        #expect(outcome.counts.killed > 0 && outcome.counts.completed > 0, "\(outcome.counts)")
        print("kill loop: mailtls acme renew: \(outcome.counts), \(outcome.polls) mode polls, \(outcome.exposed.count) exposures, \(outcome.mismatched) left key and certificate apart (repaired by the next run)")

        // A run that finishes sweeps what killed runs left: no temp files, nothing pending.
        let final = try await Self.mailtls(["acme", "renew", "--dir", dir, "--force"])
        #expect(final.status == 0, "\(final.stdout)\(final.stderr)")
        let leftovers = KillLoop.files(under: dir).filter { ($0 as NSString).lastPathComponent.contains(".tmp-") }
        #expect(leftovers.isEmpty, "temp files left: \(leftovers)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/acme/pending").isEmpty)
        let full = Self.bytes(dir + "/fullchain.pem"), leaf = Self.bytes(dir + "/host.cert"), chain = Self.bytes(dir + "/chain.pem")
        #expect(full != nil && full == (leaf ?? []) + (chain ?? []))
    }

    struct Outcome: Sendable {
        var counts: KillLoop.Counts
        var problems: [String]
        var exposed: [String]
        var polls: Int
        var mismatched: Int
    }

    /// The kill loop itself; every broken promise becomes a line in `problems`.
    static func killLoop(_ dir: String) throws -> Outcome {
        let watcher = KillLoop(watching: dir)
        watcher.start()
        var old: [String: [UInt8]] = [:]
        var problems: [String] = []
        var mismatched = 0
        let rounds = max(8, KillLoop.rounds / 2)
        let counts = try watcher.loop({ round in
            ["acme", "renew", "--dir", dir, "--force"] + (round % 3 == 2 ? ["--rekey", "--algorithm", "ecdsa-p256"] : [])
        }, in: dir, rounds: rounds, before: { _ in
            for name in certificateFiles + ["host.key"] { old[name] = bytes(dir + "/" + name) }
        }) { round, killed, status in
            for name in certificateFiles + ["host.key"] {
                guard let now = bytes(dir + "/" + name) else {
                    problems.append("round \(round): \(name) disappeared")
                    continue
                }
                if now != old[name] && (try? MaterialFile.parse(now, path: name)) == nil {
                    problems.append("round \(round): \(name) is partial (\(now.count) bytes)")
                }
            }
            var info = stat()
            if stat(dir + "/host.key", &info) != 0 || info.st_mode & 0o777 != 0o600 { problems.append("round \(round): host.key mode") }
            if !killed && !(status == 0 && matches(dir)) { problems.append("round \(round): renew finished with \(status)") }
            if !matches(dir) {
                // Killed between moving the new key and its certificate (--rekey): the next run repairs it.
                mismatched += 1
                let again = try MailTLSBinary.run(["acme", "renew", "--dir", dir, "--force"])
                if again.status != 0 { problems.append("round \(round): renew after a kill: \(again.stdout)\(again.stderr)") }
                if !matches(dir) { problems.append("round \(round): the next renew left host.cert and host.key apart") }
            }
        }
        let watch = watcher.stop()
        return Outcome(counts: counts, problems: problems, exposed: watch.exposed, polls: watch.polls, mismatched: mismatched)
    }
}
