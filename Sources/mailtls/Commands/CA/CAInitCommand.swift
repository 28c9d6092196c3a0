import ArgumentParser
import MailTLS

struct CAInitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Make a new CA: key, self-signed CA certificate, empty index.",
        discussion: """
        The CA certificate is CA:TRUE with path length 0 (it signs only end-entity
        certificates), keyCertSign and cRLSign. --name-constraint limits it to DNS names under
        the given domains, so even a stolen CA key cannot vouch for other names.

        Examples:
          mailtls ca init
          mailtls ca init --dir /etc/mail/ca --subject "/O=Example/CN=Example Mail CA" --name-constraint example.org
        """
    )

    @OptionGroup var location: CADirectoryOption
    @Option(name: .long, help: "The CA's subject (default: /O=<domain>/CN=<domain> Mail CA).") var subject: String?
    @Option(name: .long, help: "Key type: rsa, ecdsa-p256, ecdsa-p384 or ed25519.") var algorithm: KeyAlgorithm = .rsa
    @Option(name: .long, help: "RSA key size.") var bits: Int = 3072
    @Option(name: .long, help: "Days the CA certificate is valid.") var days = 3650
    @Option(name: .long, parsing: .singleValue, help: "A DNS domain the CA may issue for; repeatable.") var nameConstraint: [String] = []

    func validate() throws {
        try usageCheck {
            let subject = try self.subject.map(SubjectParser.parse) ?? Subject(fields: [])
            try CAInit.check(.init(subject: subject, key: KeyOptions(algorithm: algorithm, bits: bits), days: days, nameConstraints: nameConstraint))
        }
    }

    func run() throws {
        try reportingFailures {
            let subject = try self.subject.map(SubjectParser.parse) ?? CAInit.defaultSubject(for: HostName.fullyQualified())
            let written = try CAInit.run(location.layout, options: .init(subject: subject, key: KeyOptions(algorithm: algorithm, bits: bits),
                                                                         days: days, nameConstraints: nameConstraint))
            Report.written(written)
            print("subject: \(subject.slashForm)")
            if !nameConstraint.isEmpty { print("may issue only for: \(nameConstraint.joined(separator: ", "))") }
            print("next: mailtls ca sign <request.csr> --dir \(location.dir); give peers \(location.layout.certificatePath) to trust")
        }
    }
}
