import ArgumentParser
import MailTLS

struct SelfCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "self",
        abstract: "Make a self-signed certificate (host.cert) for the host key.",
        discussion: """
        Like the old `make self`, with what modern peers check: subjectAltName (the Common
        Name is always included), serverAuth + clientAuth, key identifiers, a random 128-bit
        serial. The key is made first if it is missing. --csr signs an existing request's
        subject and names with its own key, so a renewal keeps the key.

        Examples:
          mailtls self
          mailtls self --days 730 --subject /CN=mail.example.org --san DNS:smtp.example.org
          mailtls self --file new --csr new.csr
        """
    )

    @OptionGroup var location: LayoutOptions
    @OptionGroup var naming: SubjectOptions
    @OptionGroup var generation: KeyGenerationOptions
    @Option(name: .long, help: "Days the certificate is valid.")
    var days = 365
    @Option(name: .long, help: "Take subject and names from this request (made for the same key).")
    var csr: String?
    @Flag(name: .long, help: "Replace an existing certificate (the old one is kept as a dated backup).")
    var force = false

    func validate() throws {
        try usageCheck { try SelfSigner.checkDays(days) }
    }

    func run() throws {
        try reportingFailures {
            let layout = try location.layout.validated()
            _ = try generation.keyOptions.validated()
            try SelfSigner.checkDays(days)
            let extra = try SubjectAltNames(parsing: naming.san)
            try FileInstaller.ensureFree(layout.certificatePath, kind: "certificate", force: force)
            let source: SelfSignedWriter.Source
            if let csr {
                source = .request(path: csr, extraNames: extra)
            } else {
                source = .subject(try SubjectPrompt.resolve(naming, layout: layout), extra)
            }
            let written = try SelfSignedWriter.write(layout, source: source, days: days,
                                                     keyOptions: generation.keyOptions, force: force)
            Report.written(written)
            let file = try MaterialFile.load(layout.certificatePath)
            for fingerprint in Fingerprint.all(in: file, algorithms: [.sha256]) {
                print("subject: \(fingerprint.label)")
                print(fingerprint.line(.sha256))
            }
        }
    }
}
