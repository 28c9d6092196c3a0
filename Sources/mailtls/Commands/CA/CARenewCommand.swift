import ArgumentParser
import MailTLS

struct CARenewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "renew",
        abstract: "Issue a new certificate for the same key and names (DANE 3 1 1 records stay valid).",
        discussion: """
        Given a certificate file, writes new.cert (and new.chain.pem, new.fullchain.pem) beside
        it, so `mailtls promote` puts it into service keeping host.key. Given a serial, writes
        only issued/<serial>.pem in the CA, or --out.

        Examples:
          mailtls ca renew /etc/mail/certs/host.cert && mailtls promote --dir /etc/mail/certs
          mailtls ca renew 5f2c… --out /etc/mail/certs/relay.cert
        """
    )

    @Argument(help: "A certificate file this CA issued, or its serial.") var certificate: String
    @OptionGroup var location: CADirectoryOption
    @Option(name: .long, help: "Days the new certificate is valid.") var days = 397
    @Option(name: .long, help: "Where to write the new certificate.") var out: String?
    @Flag(name: .long, help: "Replace existing output files (keeping dated backups).") var force = false

    func validate() throws {
        try usageCheck { try CertificateAuthority.checkDays(days) }
    }

    func run() throws {
        try reportingFailures {
            try CertificateAuthority.changing(location.layout) { ca in
                let entry = try CARenewal.find(ca, certificate)
                let (output, besideFile) = SignedOutput.renewal(of: certificate, entry: entry, out: out, ca: location.layout)
                let (renewed, written) = try CARenewal.renew(&ca, entry: entry, days: days, output: output, force: force)
                Report.written(written)
                print("serial: \(renewed.serial) (renews \(entry.serial)), valid until \(UTCTimestamp.readable(renewed.notAfter))")
                print("same key: spki sha256 \(renewed.spkiSHA256)")
                if besideFile { print("next: mailtls promote --dir \(output.directory)") }
            }
        }
    }
}
