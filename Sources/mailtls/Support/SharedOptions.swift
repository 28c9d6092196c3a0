import ArgumentParser
import MailTLS

/// `--dir` and `--file`: which key/request/certificate set a command works on.
struct LayoutOptions: ParsableArguments {
    @Option(name: .long, help: "The certs directory (default: the current directory).")
    var dir: String = "."

    @Option(name: .long, help: "The file name stem: host gives host.key/host.csr/host.cert; new for a renewal.")
    var file: String = "host"

    var layout: CertsLayout { CertsLayout(directory: dir, stem: file) }

    func validate() throws {
        try usageCheck { _ = try layout.validated() }
    }
}

/// How to make a key when one has to be made.
struct KeyGenerationOptions: ParsableArguments {
    @Option(name: .long, help: "Key type: rsa, ecdsa-p256, ecdsa-p384 or ed25519.")
    var algorithm: KeyAlgorithm = .rsa

    @Option(name: .long, help: "RSA key size: 2048, 3072 or 4096.")
    var bits: Int = 2048

    @Option(name: .long, help: "Key encoding: pkcs8 (default, as OpenSSL 3), pkcs1 (RSA) or sec1 (ECDSA).")
    var format: KeyFormat?

    var keyOptions: KeyOptions { KeyOptions(algorithm: algorithm, bits: bits, format: format) }

    func validate() throws {
        try usageCheck { _ = try keyOptions.validated() }
    }
}

/// `--subject`, `--san`, `--batch`: what a request or certificate names.
struct SubjectOptions: ParsableArguments {
    @Option(name: .long, help: "The subject, as /C=US/O=Example/CN=mail.example.org or CN=mail.example.org,O=Example.")
    var subject: String?

    @Option(name: .long, parsing: .singleValue, help: "An extra subjectAltName (DNS:name, IP:address, or a bare name); repeatable.")
    var san: [String] = []

    @Flag(name: .long, help: "Never prompt: use --subject, or CN = this machine's host name.")
    var batch = false

    func validate() throws {
        try usageCheck {
            if let subject { _ = try SubjectParser.parse(subject) }
            _ = try SubjectAltNames(parsing: san)
        }
    }
}

/// `--json`.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print the result as JSON.")
    var json = false
}

extension KeyAlgorithm: ExpressibleByArgument {}
extension KeyFormat: ExpressibleByArgument {}
