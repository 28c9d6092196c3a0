import ArgumentParser
import MailTLS

struct RSACommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rsa",
        abstract: "Make the host's private key (host.key), unencrypted, mode 0600.",
        discussion: """
        Like the old `make rsa`. An existing key is never replaced without --force; with --force
        the old key is kept as host.key.<UTC time>.

        Examples:
          mailtls rsa                                  # RSA 2048, PKCS#8, ./host.key
          mailtls rsa --dir /etc/mail/certs --algorithm ecdsa-p256
          mailtls rsa --file new                       # new.key, for a renewal with a new key
        """
    )

    @OptionGroup var location: LayoutOptions
    @OptionGroup var generation: KeyGenerationOptions
    @Flag(name: .long, help: "Replace an existing key (the old one is kept as a dated backup).")
    var force = false

    func run() throws {
        try reportingFailures {
            let layout = try location.layout.validated()
            _ = try generation.keyOptions.validated()
            let (key, written) = try KeyMaker.make(layout, options: generation.keyOptions, force: force)
            Report.written([written])
            print("key: \(KeyDescription(key.publicKey).text)")
            let file = layout.stem == "host" ? "" : " --file \(layout.stem)"
            print("next: mailtls csr\(file) (a request for a CA) or mailtls self\(file) (self-signed)")
        }
    }
}
