import Foundation
import Testing
@testable import MailTLS

/// The rollover walked through against a running `mailtls serve`, with `mailtls probe --tlsa`
/// playing the DANE sender: at no step does a sender that sees the published records fail.
@Suite("DANE: rollover against mailtls serve")
struct DANEServeTests {
    func mailtls(_ arguments: [String], in dir: TempDirectory, input: String? = nil) throws -> RunResult {
        try MailTLSBinary.run(arguments, in: dir.path, input: input)
    }

    func probe(_ server: ServeProcess, records: String, in dir: TempDirectory) throws -> RunResult {
        try mailtls(["probe", "127.0.0.1", "--port", String(server.port), "--tlsa", records], in: dir)
    }

    func expectDANE(_ result: RunResult, matches: Bool, _ comment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        if matches {
            #expect(result.status == 0 && result.stdout.contains("verdict: OK") && result.stdout.contains("matches the server certificate"),
                    "\(comment): \(result.stdout) \(result.stderr)", sourceLocation: sourceLocation)
        } else {
            #expect(result.status != 0 && result.stdout.contains("verdict: FAIL") && result.stdout.contains("none of the"),
                    "\(comment): \(result.stdout) \(result.stderr)", sourceLocation: sourceLocation)
        }
    }

    @Test("plan → publish → next → restart → finish, probed with --tlsa at each step")
    func walk() throws {
        let dir = TempDirectory()
        #expect(try mailtls(["self", "--batch", "--subject", "/CN=mail.example.org", "--algorithm", "ecdsa-p256"], in: dir).status == 0)
        let serveArguments = ["--dir", dir.path, "--hostname", "mail.example.org"]
        var server = try ServeProcess(serveArguments, in: dir.path)
        defer { server.stop() }
        try dir.write("old.txt", try mailtls(["tlsa", "--host", "mail.example.org"], in: dir).stdout)
        expectDANE(try probe(server, records: "old.txt", in: dir), matches: true, "before the rollover")

        // plan: both records published; the server still serves the current key, which matches.
        let plan = try mailtls(["rollover", "plan", "--host", "mail.example.org", "--ttl", "60"], in: dir)
        #expect(plan.status == 0, "\(plan.stderr)")
        try dir.write("published.txt", plan.stdout)
        expectDANE(try probe(server, records: "published.txt", in: dir), matches: true, "current + next published, old key served")

        // next: promote next.key, restart the server; the published set still matches.
        let next = try mailtls(["rollover", "next", "--host", "mail.example.org", "--records", "published.txt", "--self"], in: dir)
        #expect(next.status == 0, "\(next.stderr)")
        server.stop()
        server = try ServeProcess(serveArguments, in: dir.path)
        expectDANE(try probe(server, records: "published.txt", in: dir), matches: true, "current + next published, new key served")
        expectDANE(try probe(server, records: "old.txt", in: dir), matches: false, "a zone never updated fails: why plan comes first")

        // finish: the final set matches the new key alone.
        let finish = try mailtls(["rollover", "finish", "--host", "mail.example.org"], in: dir)
        #expect(finish.status == 0)
        try dir.write("final.txt", finish.stdout)
        #expect(try TLSAZoneParser.parse(finish.stdout, path: "final").count == 1, "the old record is only a comment")
        expectDANE(try probe(server, records: "final.txt", in: dir), matches: true, "only the new key published")
    }
}
