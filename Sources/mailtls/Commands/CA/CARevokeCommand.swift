#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import ArgumentParser
import MailTLS

struct CARevokeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Revoke a certificate and rewrite the CRL.",
        discussion: """
        Examples:
          mailtls ca revoke 5f2c1e… --reason keyCompromise
          mailtls ca revoke /etc/mail/certs/host.cert.20261126T101500Z --reason superseded
        """
    )

    @Argument(help: "A certificate file this CA issued, or its serial.") var certificate: String
    @OptionGroup var location: CADirectoryOption
    @Option(name: .long, help: "unspecified, keyCompromise, CACompromise, affiliationChanged, superseded, cessationOfOperation, certificateHold, privilegeWithdrawn.")
    var reason: RevocationReason = .unspecified
    @Option(name: .long, help: "Days until the rewritten CRL's next update.") var crlDays = 30

    func validate() throws {
        try usageCheck { try RevocationList.checkDays(crlDays, option: "--crl-days") }
    }

    func run() throws {
        try reportingFailures {
            try CertificateAuthority.changing(location.layout) { ca in
                let entry = try CARenewal.find(ca, certificate)
                _ = try CARevocation.revoke(&ca, serial: entry.serial, reason: reason)
                print("revoked: \(entry.serial) \(entry.subject) (\(reason.rawValue))")
                let crl = try RevocationList.write(&ca, days: crlDays)
                print("wrote CRL: \(crl.path) (number \(crl.number), \(crl.revoked) revoked)")
            }
        }
    }
}

struct CACRLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crl",
        abstract: "Write the CA's certificate revocation list (ca.crl) for Sendmail's confCRL.",
        discussion: """
        Run it from cron well before the next update (default 30 days), or peers that check
        CRLs will reject every certificate of the CA.

        Examples:
          mailtls ca crl
          mailtls ca crl --days 7 --dir /etc/mail/ca
        """
    )

    @OptionGroup var location: CADirectoryOption
    @Option(name: .long, help: "Days until the CRL's next update.") var days = 30

    func validate() throws {
        try usageCheck { try RevocationList.checkDays(days) }
    }

    func run() throws {
        try reportingFailures {
            try CertificateAuthority.changing(location.layout) { ca in
                let crl = try RevocationList.write(&ca, days: days)
                print("wrote CRL: \(crl.path) (number \(crl.number), \(crl.revoked) revoked)")
            }
        }
    }
}

struct CAListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the certificates the CA issued, with status and expiry.",
        discussion: """
        Examples:
          mailtls ca list
          mailtls ca list --json
        """
    )

    @OptionGroup var location: CADirectoryOption
    @OptionGroup var output: OutputOptions

    struct Row: Encodable {
        var serial, subject, status, notAfter, profile, spkiSHA256: String
        var names: [String]
        var daysLeft: Int
        var reason: String?
    }

    func run() throws {
        try reportingFailures {
            let ca = try CertificateAuthority.open(location.layout)
            let now = Date.now
            let rows = ca.index.entries.map { entry in
                (Row(serial: entry.serial, subject: entry.subject, status: entry.status.rawValue,
                     notAfter: UTCTimestamp.iso8601(entry.notAfter), profile: entry.profile.rawValue, spkiSHA256: entry.spkiSHA256,
                     names: entry.names, daysLeft: entry.daysLeft(at: now), reason: entry.reason?.rawValue),
                 entry.standing(at: now))
            }
            if output.json { return try JSONOutput.print(rows.map(\.0)) }
            if rows.isEmpty { print("no certificates issued yet"); return }
            for (row, standing) in rows {
                let state = switch standing {
                case .revoked(let reason): "REVOKED (\(reason?.rawValue ?? "unspecified"))"
                case .expired: "EXPIRED"
                case .valid(let daysLeft): "valid, \(daysLeft) days left"
                }
                print("\(row.serial)  \(row.notAfter)  \(state)  \(row.subject)  [\(row.names.joined(separator: ", "))]")
            }
        }
    }
}
