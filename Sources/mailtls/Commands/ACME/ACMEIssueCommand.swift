import ArgumentParser
import MailTLS
import MailTLSACME

struct ACMEIssueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "issue",
        abstract: "Get a certificate for this server's key from the ACME CA and put it into service.",
        discussion: """
        Orders a certificate for the names, proves control (http-01: mailtls answers on port 80
        itself, or writes under --webroot; dns-01: --dns-hook sets the TXT record), finalizes
        with a request for the existing host.key, then deploys like mailtls promote: dated
        backups, host.cert (leaf), chain.pem, fullchain.pem, cacert.pem when missing; runs
        mailtls check and, when it finds no error, --deploy-hook.

        The dns hook is run as `CMD set|clear _acme-challenge.NAME. VALUE` (also in
        MAILTLS_ACME_ACTION, _DOMAIN, _RECORD, _VALUE) and should return once the record is
        published; mailtls then checks every 2 s, up to --dns-wait seconds, that the record is
        visible at --dns-server (best: a name server of the zone) or the system's resolver.
        The deploy hook gets MAILTLS_CERT, _KEY, _CHAIN, _FULLCHAIN, _DIR, _NAMES.

        Examples:
          mailtls acme issue --dir /etc/mail/certs --host mail.example.org --agree-tos
          mailtls acme issue --host mail.example.org --webroot /var/www/html
          mailtls acme issue --host mail.example.org --challenge dns-01 --dns-hook /usr/local/sbin/acme-nsupdate
          mailtls acme issue --host mail.example.org --rekey --deploy-hook 'systemctl reload postfix'
        """
    )

    @Option(name: .long, help: "The certs directory.") var dir: String = "."
    @Option(name: .long, parsing: .singleValue, help: "A name to certify (repeatable; default: this machine's FQDN).") var host: [String] = []
    @Option(name: .long, help: "http-01 or dns-01.") var challenge: String = "http-01"
    @Option(name: .long, help: "The port mailtls answers http-01 on.") var httpPort: Int = 80
    @Option(name: .long, help: "Write the http-01 token under this document root instead.") var webroot: String?
    @Option(name: .long, help: "The command that sets/clears the dns-01 TXT record.") var dnsHook: String?
    @Option(name: .long, help: "Seconds to wait for the TXT record to be visible after the dns hook (0: do not check).") var dnsWait: Int = 120
    @Option(name: .long, help: "The DNS server to check the TXT record at, IP[:PORT] (default: the system's resolver).") var dnsServer: String?
    @Option(name: .long, help: "Use this stem's key: new uses new.key (then new.* is promoted).") var file: String = "host"
    @Flag(name: .long, help: "Make a new key on purpose (publish its TLSA record first when you use DANE).") var rekey = false
    @OptionGroup var keyGeneration: KeyGenerationOptions
    @Option(name: .long, help: "A command to run after a good deployment (e.g. reload the MTA).") var deployHook: String?
    @OptionGroup var server: ACMEServerOptions
    @Option(name: .long, help: "Contact address, when an account has to be created.") var email: String?
    @Flag(name: .long, help: "Agree to the CA's terms, when an account has to be created.") var agreeTos = false
    @Flag(name: .long, help: "Replace an existing new.cert (with --file new).") var force = false
    @OptionGroup var run: ACMERunOptions

    func run() async throws {
        try await reportingFailuresAsync {
            let server = try self.server.resolved
            let method = try ChallengeChoice.method(challenge: challenge, httpPort: httpPort, webroot: webroot, dnsHook: dnsHook, dnsWait: dnsWait, dnsServer: dnsServer)
            let options = Issuance.Options(
                certsDirectory: dir, names: host.isEmpty ? [HostName.fullyQualified()] : host, challenge: method,
                keyStem: file, rekey: rekey, keyOptions: keyGeneration.keyOptions, server: server, email: email,
                agreeToTerms: agreeTos, deployHook: deployHook, timeout: run.timeout, force: force)
            print("ordering a certificate for \(options.names.joined(separator: ", ")) from \(server.host)")
            let outcome = try await Issuance.run(options, progress: run.progress)
            try IssuanceText.print(outcome, directory: dir)
        }
    }
}

/// The challenge options, checked against each other.
enum ChallengeChoice {
    static func method(challenge: String, httpPort: Int, webroot: String?, dnsHook: String?, dnsWait: Int, dnsServer: String?) throws -> ChallengeMethod {
        switch challenge {
        case "http-01":
            if dnsHook != nil || dnsServer != nil {
                throw MailTLSError(dnsHook != nil ? "--dns-hook" : "--dns-server", "applies to dns-01 only", remedy: "add --challenge dns-01")
            }
            return webroot.map { .webroot($0) } ?? .standalone(port: httpPort)
        case "dns-01":
            guard let dnsHook else {
                throw MailTLSError("--challenge dns-01", "needs --dns-hook", remedy: "give the command that sets the TXT record, e.g. --dns-hook /usr/local/sbin/acme-nsupdate")
            }
            if webroot != nil { throw MailTLSError("--webroot", "applies to http-01 only", remedy: "leave it out with dns-01") }
            guard (0...3600).contains(dnsWait) else { throw MailTLSError("--dns-wait \(dnsWait)", "is out of range", remedy: "use 0 to 3600 seconds") }
            return .dnsHook(command: dnsHook, waitSeconds: dnsWait, checkServer: try dnsServer.map { try DNSServerAddress(parsing: $0, option: "--dns-server") })
        default:
            throw MailTLSError("--challenge \(challenge)", "is not a challenge mailtls answers", remedy: "use http-01 or dns-01")
        }
    }
}

/// What `acme issue` and `acme renew` print after a deployment.
enum IssuanceText {
    static func print(_ outcome: Issuance.Outcome, directory: String) throws {
        let deployHook = outcome.deployHook
        if outcome.accountCreated { Swift.print("registered a new ACME account") }
        for backup in outcome.promotion.backups { Swift.print("kept \(backup)") }
        for move in outcome.promotion.moves { Swift.print("installed \(move.to)") }
        for path in outcome.written where !outcome.promotion.moves.contains(where: { $0.to == path }) { Swift.print("wrote \(path)") }
        Swift.print("certificate for \(outcome.names.joined(separator: ", ")) valid until \(UTCTimestamp.readable(outcome.notValidAfter)), serial \(outcome.serial)")
        Swift.print(outcome.keyKept ? "key kept: DANE 3 1 1 records stay valid" : "new key: publish its TLSA record (mailtls tlsa) before peers rely on it")
        FindingPrinter.printRemarks(outcome.trustFindings)
        for finding in outcome.check.findings where finding.severity != .ok { Swift.print(FindingPrinter.row(finding)) }
        Swift.print("check: \(outcome.check.verdict)")
        if outcome.check.worst == .error {
            throw MailTLSError(directory, "the new certificate is in place, but check found errors\(deployHook == nil ? "" : ", so --deploy-hook was not run")",
                               remedy: "fix what check reports, then reload the MTA")
        }
        if outcome.deployHookRan, let deployHook { Swift.print("ran deploy hook: \(deployHook)") }
        else if deployHook == nil { Swift.print("reload the MTA to use it") }
    }
}
