import ArgumentParser
import MailTLS

struct CSRCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "csr",
        abstract: "Make a certificate signing request (host.csr) to send to a CA.",
        discussion: """
        Like the old `make csr`: on a terminal it asks for the subject field by field, as
        `openssl req` does; the Common Name is also put into subjectAltName. The key is made
        first if it is missing. For a renewal that keeps host.* in service meanwhile, use
        --file new, then `mailtls promote` once new.cert arrives.

        Examples:
          mailtls csr
          mailtls csr --subject "/C=US/O=Example/CN=mail.example.org" --san DNS:smtp.example.org
          mailtls csr --file new --subject "CN=mail.example.org,O=Example"
        """
    )

    @OptionGroup var location: LayoutOptions
    @OptionGroup var naming: SubjectOptions
    @OptionGroup var generation: KeyGenerationOptions
    @Flag(name: .long, help: "Replace an existing request (the old one is kept as a dated backup).")
    var force = false

    func run() throws {
        try reportingFailures {
            let layout = try location.layout.validated()
            _ = try generation.keyOptions.validated()
            let altNames = try SubjectAltNames(parsing: naming.san)
            try FileInstaller.ensureFree(layout.requestPath, kind: "request", force: force)
            let subject = try SubjectPrompt.resolve(naming, layout: layout)
            let written = try RequestWriter.write(layout, subject: subject, altNames: altNames,
                                                  keyOptions: generation.keyOptions, force: force)
            Report.written(written)
            print("subject: \(subject.slashForm)")
            print("next: send \(layout.requestPath) to your CA; put the certificate it returns in \(layout.certificatePath)"
                  + (layout.stem == "host" ? "" : ", then run mailtls promote --from \(layout.stem)"))
        }
    }
}
