import ArgumentParser
import MailTLS

struct SetupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "setup",
        abstract: "First-time set-up on defaults: host key and self-signed certificate, and the MTA settings.",
        discussion: """
        Makes ./certs/host.key (RSA 2048, 0600) and a self-signed ./certs/host.cert for this
        machine's host name (with --ca: a private CA in ./ca and a certificate it signed, with
        chain.pem and fullchain.pem), and cacert.pem, unless they exist and are good; then
        prints the fingerprint and the lines for sendmail.mc and Postfix's main.cf. Safe to run
        again.

        Examples:
          mailtls setup
          mailtls setup --dir /etc/mail/certs --host mail.example.org
          mailtls setup --ca
        """
    )

    @Option(name: .long, help: "The certs directory to set up.") var dir: String = "certs"
    @Option(name: .long, help: "The host name for the certificate (default: this machine's FQDN).") var host: String?
    @OptionGroup var generation: KeyGenerationOptions
    @Option(name: .long, help: "Days the certificate is valid.") var days = 365
    @Flag(name: .long, help: "Sign the host certificate with a private CA (made in --ca-dir if missing) instead of self-signing.")
    var ca = false
    @Option(name: .long, help: "The CA directory for --ca.") var caDir: String = "ca"

    func validate() throws {
        try usageCheck { try SelfSigner.checkDays(days) }
    }

    func run() async throws {
        try await reportingFailuresAsync {
            let hostName = host ?? HostName.fullyQualified()
            let result = try Setup.run(.init(directory: dir, hostName: hostName, key: generation.keyOptions, days: days,
                                             caDirectory: ca ? caDir : nil))
            Report.written(result.written)
            FindingPrinter.printRemarks(result.findings)
            for path in result.kept { print("kept: \(path) (already there and good)") }
            if result.written.isEmpty { print("nothing changed: everything was already set up") }
            print("host: \(hostName)" + (hostName.contains(".") ? "" : "  (not fully qualified: give --host mail.example.org)"))
            print(result.fingerprint.line(.sha256))
            print(result.fingerprint.line(.md5) + "  (Sendmail's ${cert_md5})")
            print("DANE: _25._tcp.\(hostName). IN TLSA 3 1 1 \(result.spkiSHA256)")
            let report = await Checker.run(TLSFileSet.certsDirectory(result.layout), hostName: hostName)
            print("\ncheck:")
            for finding in report.findings where finding.severity != .ok { print("  " + FindingPrinter.row(finding)) }
            print("  " + report.verdict)
            let absolute = AbsolutePath.of(dir)
            print("\nsendmail.mc (or: mailtls config sendmail --dir \(dir) --apply /etc/mail/sendmail.mc):")
            for line in ConfigLines.forDirectory(absolute, target: .sendmail).lines { print("  " + line) }
            print("\nPostfix main.cf (or: mailtls config postfix --dir \(dir) --apply /etc/postfix/main.cf):")
            for line in ConfigLines.forDirectory(absolute, target: .postfix).lines { print("  " + line) }
        }
    }
}
