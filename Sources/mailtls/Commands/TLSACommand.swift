import ArgumentParser
import MailTLS

struct TLSACommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tlsa",
        abstract: "Print DANE TLSA records for the server key or certificate, or for a CA.",
        discussion: """
        The default is 3 1 1 (DANE-EE, public key, SHA-256) for host.cert, or host.key when
        there is no certificate yet: the record stays valid across renewals that keep the key
        (mailtls csr --file new + promote, mailtls ca renew). --usage 2 gives the record for a
        CA (DANE-TA): the last certificate in each file (ca/ca.cert, or the top of chain.pem,
        which is the default for --usage 2). The output is a zone-file line to paste into DNS:
          _25._tcp.mail.example.org. IN TLSA 3 1 1 <hex>
        --format generic gives RFC 3597's TYPE52 form for DNS software without TLSA.
        The same value as: openssl x509 -in host.cert -pubkey -noout |
          openssl pkey -pubin -outform der | openssl dgst -sha256

        Examples:
          mailtls tlsa
          mailtls tlsa --host mx1.example.org --format generic
          mailtls tlsa --usage 2 ca/ca.cert
          mailtls tlsa --selector 0 --match 2 host.cert
        """
    )

    @Argument(help: "Certificates, keys or requests (default: host.cert, else host.key, in --dir).")
    var files: [String] = []
    @Option(name: .long, help: "3 (DANE-EE, the server's own key) or 2 (DANE-TA, a CA).") var usage: UInt8 = 3
    @Option(name: .long, help: "1 (public key, survives renewals that keep the key) or 0 (whole certificate).") var selector: UInt8 = 1
    @Option(name: .long, help: "1 (SHA-256), 2 (SHA-512) or 0 (the full data).") var match: UInt8 = 1
    @Option(name: .long, help: "The mail server's host name, for the owner name (default: this machine's).") var host: String?
    @Option(name: .long, help: "The TCP port, for the owner name.") var port = 25
    @Option(name: .long, help: "rfc, generic or json.") var format: TLSAFormat = .rfc
    @Option(name: .long, help: "The certs directory, for the default file.") var dir: String = "."

    func validate() throws {
        guard usage == 2 || usage == 3 else {
            throw ValidationError("--usage \(usage): SMTP uses only 3 (DANE-EE) and 2 (DANE-TA); RFC 7672 makes 0 and 1 unusable")
        }
        guard selector <= 1 else { throw ValidationError("--selector \(selector): use 1 (public key) or 0 (whole certificate)") }
        guard match <= 2 else { throw ValidationError("--match \(match): use 1 (SHA-256), 2 (SHA-512) or 0 (full)") }
        guard (1...65535).contains(port) else { throw ValidationError("--port \(port): give a TCP port from 1 to 65535") }
        if let host {
            try usageCheck { _ = try TLSAOwner.checkedName(host: host, port: port) }
        }
    }

    func run() async throws {
        try await reportingFailuresAsync {
            let hostName = host ?? HostName.fullyQualified()
            let owner = try TLSAOwner.checkedName(host: hostName, port: port)
            let computed = try TLSASources.records(files: files, directory: dir,
                                                    usage: .init(rawValue: usage), selector: .init(rawValue: selector),
                                                    matchingType: .init(rawValue: match))
            if format == .json {
                return try JSONOutput.print(computed.map { TLSAJSONRecord($0.record, owner: owner, source: $0.source) })
            }
            for item in computed { print(format.line(item.record, owner: owner)) }
            if files.isEmpty {
                FindingPrinter.printRemarks(await TLSASources.servedChainFindings(computed, directory: dir, hostName: hostName))
            }
            if usage == 3 && selector == 0 {
                Terminal.error("note: 3 0 x records change with every new certificate; 3 1 1 stays valid while the key is kept")
            }
        }
    }
}

extension TLSAFormat: ExpressibleByArgument {}
