import ArgumentParser
import MailTLS

struct SetupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "setup",
        abstract: "First-time set-up on defaults: host key and self-signed certificate, and the MTA settings.",
        discussion: """
        Makes ./certs/host.key (RSA 2048, 0600) and a self-signed ./certs/host.cert for this
        machine's host name, unless they exist and are good, then prints the fingerprint and
        the lines for sendmail.mc and Postfix's main.cf. Safe to run again.

        Examples:
          mailtls setup
          mailtls setup --dir /etc/mail/certs --host mail.example.org
        """
    )

    @Option(name: .long, help: "The certs directory to set up.") var dir: String = "certs"
    @Option(name: .long, help: "The host name for the certificate (default: this machine's FQDN).") var host: String?
    @OptionGroup var generation: KeyGenerationOptions
    @Option(name: .long, help: "Days the certificate is valid.") var days = 365

    func run() throws {
        try reportingFailures {
            let hostName = host ?? HostName.fullyQualified()
            let result = try Setup.run(directory: dir, hostName: hostName, keyOptions: generation.keyOptions, days: days)
            Report.written(result.written)
            for path in result.kept { print("kept: \(path) (already there and good)") }
            print("host: \(hostName)" + (hostName.contains(".") ? "" : "  (not fully qualified: give --host mail.example.org)"))
            print(result.fingerprint.line(.sha256))
            print(result.fingerprint.line(.md5) + "  (Sendmail's ${cert_md5})")
            print("DANE: _25._tcp.\(hostName). IN TLSA 3 1 1 \(result.spkiSHA256)")
            let absolute = AbsolutePath.of(dir)
            print("\nsendmail.mc:")
            for line in MTASnippets.sendmail(result.layout, absoluteDirectory: absolute) { print("  " + line) }
            print("\nPostfix main.cf:")
            for line in MTASnippets.postfix(result.layout, absoluteDirectory: absolute) { print("  " + line) }
        }
    }
}
