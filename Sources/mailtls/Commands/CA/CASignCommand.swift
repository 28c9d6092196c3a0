import ArgumentParser
import MailTLS

struct CASignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign a certificate request with the CA.",
        discussion: """
        Verifies the request's signature, keeps its subjectAltNames (the Common Name is added),
        refuses weak keys (RSA < 2048), names outside the CA's name constraints and a subject
        that already has a valid certificate (unless --allow-duplicate). Shows what it will
        sign and asks, unless --yes. Writes the certificate beside the request (host.csr →
        host.cert) or to --out, with chain.pem (the CA) and fullchain.pem (certificate + CA).

        Examples:
          mailtls ca sign /etc/mail/certs/host.csr
          mailtls ca sign new.csr --profile client --days 365 --yes
        """
    )

    @Argument(help: "The requests to sign (one transaction: all or none are recorded).") var requests: [String]
    @OptionGroup var location: CADirectoryOption
    @Option(name: .long, help: "server, client or server-client.") var profile: LeafProfile = .serverClient
    @Option(name: .long, help: "Days the certificate is valid.") var days = 397
    @Option(name: .long, help: "Where to write the certificate (default: beside the request).") var out: String?
    @Flag(name: .long, help: "Sign without asking.") var yes = false
    @Flag(name: .long, help: "Sign even if the subject already has a valid certificate.") var allowDuplicate = false
    @Flag(name: .long, help: "Replace existing output files (keeping dated backups).") var force = false

    func validate() throws {
        if requests.isEmpty { throw ValidationError("give at least one request to sign") }
        try usageCheck {
            try CertificateAuthority.checkDays(days)
            if out != nil && requests.count > 1 {
                throw MailTLSError("--out", "names one file but \(requests.count) requests were given", remedy: "leave out --out; each certificate goes beside its request")
            }
        }
    }

    func run() throws {
        try reportingFailures {
            try CertificateAuthority.changing(location.layout) { ca in
                let proposals = try requests.map { request in
                    try CASigning.propose(ca, requestPath: request, profile: profile, days: days,
                                          output: SignedOutput.layout(out: out, besides: request), allowDuplicate: allowDuplicate)
                }
                try Confirmation.require(yes: yes, question: proposals.count == 1 ? "Sign this certificate?" : "Sign these \(proposals.count) certificates?",
                                         details: proposals.flatMap { $0.description + [""] })
                let (entries, written) = try CASigning.signAll(&ca, proposals, force: force)
                Report.written(written)
                for entry in entries {
                    print("serial: \(entry.serial), \(entry.subject), valid until \(UTCTimestamp.readable(entry.notAfter))")
                }
            }
        }
    }
}

/// Asking before an irreversible act: on a terminal, show the details and ask; without a
/// terminal, refuse unless --yes was given, so a script never signs by accident.
enum Confirmation {
    static func require(yes: Bool, question: String, details: [String]) throws {
        if yes { return }
        guard Terminal.stdinIsTerminal else {
            throw MailTLSError("confirmation", "no terminal to ask on", remedy: "check the request with mailtls show, then add --yes")
        }
        for line in details { print(line) }
        let answer = Terminal.ask("\(question) [y/N] ")?.lowercased() ?? ""
        guard answer == "y" || answer == "yes" else {
            throw MailTLSError("confirmation", "not confirmed, nothing was signed", remedy: "answer y to sign")
        }
    }
}
