import Foundation
import Testing
@testable import MailTLS

extension Reliability {
    /// Two runs of a directory-changing command at once on the same directory: each either does
    /// its work or fails clearly ("another mailtls run is changing this directory"), and the
    /// directory ends as one run alone would leave it.
    @Suite("Reliability: two runs at once on one directory", .serialized)
    struct ConcurrencyTests {
        static let busy = "another mailtls run is changing this directory"
        static let rounds = 10

        /// Starts both argument lists at (nearly) the same moment; returns both results.
        static func together(_ first: [String], _ second: [String], in cwd: String) throws -> [RunResult] {
            let group = DispatchGroup()
            final class Box: @unchecked Sendable { var results: [RunResult?] = [nil, nil]; let lock = NSLock() }
            let box = Box()
            for (slot, arguments) in [first, second].enumerated() {
                group.enter()
                DispatchQueue.global().async {
                    let result = try? MailTLSBinary.run(arguments, in: cwd)
                    box.lock.withLock { box.results[slot] = result }
                    group.leave()
                }
            }
            group.wait()
            return box.results.compactMap { $0 }
        }

        /// Each run succeeded, or failed with the one-line "busy" message (never anything else).
        static func expectSuccessOrBusy(_ results: [RunResult], sourceLocation: SourceLocation = #_sourceLocation) -> (ok: Int, busy: Int) {
            #expect(results.count == 2, sourceLocation: sourceLocation)
            var ok = 0, busy = 0
            for result in results {
                // 3: done, with warnings (the fixtures hold expired CA certificates).
                if result.status == 0 || result.status == 3 { ok += 1; continue }
                busy += 1
                let errors = result.errorLines.filter { !$0.hasPrefix("mailtls: warning:") }
                #expect(result.status == 1 && errors.count == 1 && errors.first?.contains(Self.busy) == true,
                        "neither success nor a clear busy refusal:\n\(result.transcript)", sourceLocation: sourceLocation)
            }
            #expect(ok >= 1, "at least one of two runs must succeed: \(results.map(\.transcript))", sourceLocation: sourceLocation)
            return (ok, busy)
        }

        @Test("two rehash runs: the links are those of one clean run")
        func rehash() throws {
            var totals = (ok: 0, busy: 0)
            let reference = TempDirectory("conc-rehash-ref")
            let refCA = try KillLoopTests.trustDirectory(reference)
            try KillLoopTests.rehash(refCA, in: reference)
            let expected = KillLoopTests.links(refCA)
            for _ in 0..<Self.rounds {
                let dir = TempDirectory("conc-rehash")
                let ca = try KillLoopTests.trustDirectory(dir)
                let outcome = Self.expectSuccessOrBusy(try Self.together(["rehash", ca], ["rehash", ca], in: dir.path))
                totals.ok += outcome.ok; totals.busy += outcome.busy
                #expect(KillLoopTests.links(ca) == expected)
                expectNoTempFiles(ca)
            }
            print("concurrency: rehash: \(Self.rounds) pairs, \(totals.ok) runs succeeded, \(totals.busy) refused as busy")
        }

        @Test("two ca sign runs: both certificates recorded with distinct serials, or one refused as busy")
        func caSign() throws {
            var totals = (ok: 0, busy: 0)
            for _ in 0..<Self.rounds {
                let dir = TempDirectory("conc-sign")
                let layout = CALayout(directory: dir.file("ca"))
                _ = try CAInit.run(layout, options: .init(subject: try SubjectParser.parse("/CN=Concurrent CA"), key: KeyOptions(algorithm: .ecdsaP256)))
                for name in ["a", "b"] {
                    try OpenSSL.expectSuccess(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                               "-keyout", "\(name).key", "-out", "\(name).csr", "-subj", "/CN=\(name).example.org"], in: dir.path)
                }
                let results = try Self.together(["ca", "sign", "a.csr", "--dir", "ca", "--yes", "--out", "a.cert"],
                                                 ["ca", "sign", "b.csr", "--dir", "ca", "--yes", "--out", "b.cert"], in: dir.path)
                let outcome = Self.expectSuccessOrBusy(results)
                totals.ok += outcome.ok; totals.busy += outcome.busy
                let index = try CAIndex.load(layout)
                #expect(index.entries.count == outcome.ok, "index has \(index.entries.count) entries for \(outcome.ok) successful signs")
                #expect(Set(index.entries.map(\.serial)).count == index.entries.count, "two certificates share a serial")
                for name in ["a", "b"] where dir.exists("\(name).cert") {
                    let certificate = try MaterialFile.load(dir.file("\(name).cert")).firstCertificate().certificate
                    #expect(index.entry(serial: Hex.lower(certificate.serialNumber.bytes)) != nil, "\(name).cert is not in the index")
                }
            }
            print("concurrency: ca sign: \(Self.rounds) pairs, \(totals.ok) runs succeeded, \(totals.busy) refused as busy")
        }

        @Test("two promote runs: new.* moved into place once, the other run refused or finding nothing to do")
        func promote() throws {
            var totals = (ok: 0, busy: 0, nothing: 0)
            let (a, b) = (KillMaterial.pairs[0], KillMaterial.pairs[1])
            for _ in 0..<Self.rounds {
                let dir = TempDirectory("conc-promote")
                try dir.write("host.key", bytes: a.key); chmod(dir.file("host.key"), 0o600)
                try dir.write("host.cert", bytes: a.cert)
                try dir.write("new.key", bytes: b.key); chmod(dir.file("new.key"), 0o600)
                try dir.write("new.cert", bytes: b.cert)
                let results = try Self.together(["promote"], ["promote"], in: dir.path)
                #expect(results.count == 2)
                var ok = 0
                for result in results {
                    if result.status == 0 { ok += 1; totals.ok += 1; continue }
                    // The loser either found the lock held or, having waited, found no new.cert left.
                    expectOneLineError(result, mentions: [])
                    if result.stderr.contains(Self.busy) { totals.busy += 1 } else { totals.nothing += 1 }
                    #expect(result.stderr.contains(Self.busy) || result.stderr.contains("new.cert"), "\(result.transcript)")
                }
                #expect(ok == 1, "exactly one promote does the work: \(results.map(\.transcript))")
                #expect(try dir.bytes("host.key") == b.key && dir.bytes("host.cert") == b.cert)
                #expect(!dir.exists("new.key") && !dir.exists("new.cert"))
                // One backup of each old file, not two.
                let backups = dir.listing().filter { $0.hasPrefix("host.key.") }
                #expect(backups.count == 1, "\(dir.listing())")
            }
            print("concurrency: promote: \(Self.rounds) pairs, \(totals.ok) succeeded, \(totals.busy) refused as busy, \(totals.nothing) found nothing to promote")
        }
    }
}
