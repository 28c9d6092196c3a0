import Foundation
import Testing

/// Conflicting, missing or out-of-range options are usage errors: `validate()` refuses them
/// before any work, with exit status 2 (README, "Exit status") and mailtls's one line, and
/// nothing is made. Each case below exited 1 from `run()` before.
@Suite("CLI: usage errors exit 2")
struct UsageErrorTests {
    struct Case: CustomStringConvertible, Sendable {
        var arguments: [String]
        var mentions: String
        var description: String { arguments.joined(separator: " ") }
    }

    static let cases: [Case] = [
        Case(arguments: ["tlsa", "--host", "*.example.org"], mentions: "--host *.example.org"),
        Case(arguments: ["probe", "mail.example.org:0"], mentions: "mail.example.org:0"),
        Case(arguments: ["probe", "[::1]:x"], mentions: "[::1]:x"),
        Case(arguments: ["promote", "--from", "host", "--to", "host"], mentions: "--from host"),
        Case(arguments: ["promote", "--to", "../x"], mentions: "--to ../x"),
        Case(arguments: ["rsa", "--file", "../escape"], mentions: "--file ../escape"),
        Case(arguments: ["rsa", "--bits", "1024"], mentions: "--bits 1024"),
        Case(arguments: ["csr", "--subject", "/CN=x", "--san", "IP:999.1.1.1"], mentions: "--san"),
        Case(arguments: ["self", "--subject", "/CN=x", "--days", "0"], mentions: "--days 0"),
        Case(arguments: ["setup", "--days", "40000"], mentions: "--days 40000"),
        Case(arguments: ["ca", "init", "--name-constraint", "not a domain"], mentions: "--name-constraint"),
        Case(arguments: ["ca", "init", "--days", "0"], mentions: "--days 0"),
        Case(arguments: ["ca", "sign", "a.csr", "--days", "5000", "--yes"], mentions: "--days 5000"),
        Case(arguments: ["ca", "sign", "a.csr", "b.csr", "--out", "x.cert", "--yes"], mentions: "--out"),
        Case(arguments: ["ca", "renew", "01", "--days", "0"], mentions: "--days 0"),
        Case(arguments: ["ca", "revoke", "01", "--crl-days", "0"], mentions: "--crl-days 0"),
        Case(arguments: ["ca", "crl", "--days", "4000"], mentions: "--days 4000"),
        Case(arguments: ["rollover", "plan", "--ttl", "0"], mentions: "--ttl 0"),
        Case(arguments: ["acme", "issue", "--host", "a.example.test", "--challenge", "dns-01"], mentions: "--dns-hook"),
        Case(arguments: ["acme", "issue", "--host", "a.example.test", "--http-port", "70000"], mentions: "--http-port 70000"),
        Case(arguments: ["acme", "issue", "--host", "a.example.test", "--webroot", "/srv", "--challenge", "dns-01", "--dns-hook", "true"],
             mentions: "--webroot"),
        Case(arguments: ["acme", "issue", "--host", "not a name"], mentions: "not a name"),
        Case(arguments: ["acme", "issue", "--host", "a.example.test", "--rekey", "--file", "new"], mentions: "--rekey"),
        Case(arguments: ["acme", "issue", "--host", "a.example.test", "--email", "postmaster"], mentions: "--email postmaster"),
        Case(arguments: ["acme", "account", "--email", "@example.org"], mentions: "--email"),
        Case(arguments: ["acme", "renew", "--days", "400"], mentions: "--days 400"),
        Case(arguments: ["acme", "issue", "--staging", "--server", "https://acme.example.test/dir"], mentions: "--staging"),
        Case(arguments: ["acme", "account", "--server", "acme.example.test"], mentions: "--server acme.example.test"),
    ]

    @Test("a library check run from validate(): exit 2, one line, nothing made", arguments: cases)
    func oneLine(_ usage: Case) throws {
        let dir = TempDirectory("usage")
        try expectFailureChangesNothing(usage.arguments, in: dir, mentions: [usage.mentions], status: usageErrorStatus)
    }

    @Test("ArgumentParser's own checks in validate() also exit 2", arguments: [
        ["probe", "mail.example.org", "--port", "0"],
        ["probe", "mail.example.org", "--ca", "a.pem", "--system"],
    ])
    func argumentParser(_ arguments: [String]) throws {
        let dir = TempDirectory("usage-ap")
        let result = try MailTLSBinary.run(arguments, in: dir.path)
        #expect(result.status == usageErrorStatus, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(dir.listing().isEmpty)
    }

    @Test("input left out on a terminal is a usage error: rollover next without --records, headers without a file",
          .enabled(if: PseudoTerminal.available))
    func missingInputOnTerminal() throws {
        let rollover = try PseudoTerminal.run(["rollover", "next", "--host", "mail.example.org"], answers: [])
        #expect(rollover.status == usageErrorStatus, "\(rollover.stdout)")
        #expect(rollover.stdout.hasPrefix("mailtls: --records: not given, and standard input is a terminal ("), "\(rollover.stdout)")
        let headers = try PseudoTerminal.run(["headers"], answers: [])
        #expect(headers.status == usageErrorStatus, "\(headers.stdout)")
        #expect(headers.stdout.hasPrefix("mailtls: stdin: no message given ("), "\(headers.stdout)")
    }

    @Test("a failure that is not about the options still exits 1")
    func notUsage() throws {
        let dir = TempDirectory("usage-not")
        try expectFailureChangesNothing(["tlsa", "--host", "mail.example.org", "missing.pem"], in: dir, mentions: ["missing.pem"])
        try expectFailureChangesNothing(["promote"], in: dir, mentions: ["new.cert"])
    }
}
