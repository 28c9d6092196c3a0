import ArgumentParser
import MailTLS

struct HashCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash",
        abstract: "Print OpenSSL's subject hash of certificates (the issuer hash of CRLs).",
        discussion: """
        The eight hex digits OpenSSL looks for in a CA directory (CACertPath, smtpd_tls_CApath), exactly as `openssl x509 -hash -noout` (or, with --old, `-subject_hash_old`) prints them, computed without OpenSSL. One file with one certificate prints the bare hash; several print one line each with the file and subject. A certificate OpenSSL refuses to load gets no hash and an error. PEM or DER; no FILE or `-` reads standard input.

        Examples:
          mailtls hash cacert.pem
          mailtls hash --old CA/*.pem
          mailtls hash --json /etc/ssl/certs/ca-certificates.crt
        """
    )

    @Argument(help: "Certificate, CRL or bundle files (default: standard input).")
    var files: [String] = []
    @Flag(name: .long, help: "The MD5 hash of OpenSSL before 1.0 (-subject_hash_old).")
    var old = false
    @OptionGroup var output: OutputOptions

    struct Entry: Encodable {
        var file: String
        var index: Int
        var kind: String
        var hash: String
        var oldHash: String
        var name: String
    }

    func run() throws {
        try reportingFailures {
            var entries: [Entry] = []
            var failures: [MailTLSError] = []
            for path in files.isEmpty ? ["-"] : files {
                do {
                    let file = path == "-" ? try TrustFile.parse(StandardInput.readAll(remedy: "pipe in one certificate or bundle, or name the file"), path: "(stdin)") : try TrustFile.load(path)
                    if file.objects.isEmpty {
                        throw MailTLSError(path, "holds no certificate or CRL", remedy: "name a certificate file")
                    }
                    for (index, object) in file.objects.enumerated() {
                        entries.append(Entry(file: path, index: index + 1, kind: object.kind.rawValue,
                                             hash: SubjectHash.text(try object.hash(.new, path: file.path)),
                                             oldHash: SubjectHash.text(try object.hash(.old, path: file.path)),
                                             name: object.nameText))
                    }
                } catch let error as MailTLSError {
                    failures.append(error)
                }
            }
            if output.json {
                try JSONOutput.print(entries)
            } else if entries.count == 1 && failures.isEmpty {
                print(old ? entries[0].oldHash : entries[0].hash)
            } else {
                for entry in entries {
                    let count = entries.filter { $0.file == entry.file }.count
                    let place = count > 1 ? "\(entry.file)[\(entry.index)]" : entry.file
                    print("\(old ? entry.oldHash : entry.hash)  \(place)  \(entry.name)")
                }
            }
            for failure in failures { Terminal.error("mailtls: \(failure)") }
            if !failures.isEmpty { throw ExitCode(1) }
        }
    }
}
