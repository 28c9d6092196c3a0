import ArgumentParser
import MailTLS
import MailTLSAudit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "See what an SMTP server presents over STARTTLS: capabilities, TLS, chain, verification.",
        discussion: """
        A strict SMTP client: reads the whole greeting, EHLO, STARTTLS (never pipelined), checks
        that no plaintext follows the 220 (STARTTLS injection), TLS with SNI, EHLO again, QUIT.
        Every phase has a time limit. The verdict uses Sendmail's ${verify} words: OK (verified),
        FAIL (did not verify), NO (no trust given), NONE (no STARTTLS), TEMP, PROTOCOL, SOFTWARE.
        Exit status: 0 OK, 3 FAIL or NO (TLS without verification), 1 otherwise.

        Examples:
          mailtls probe mail.example.org
          mailtls probe 127.0.0.1:2525 --ca certs/cacert.pem --servername mail.example.org
          mailtls probe smtp.example.org:465 --tls-on-connect --system
          mailtls probe mx.example.org --tlsa records.txt
          mailtls probe mx.example.org --tlsa dns  # TLSA from DNS, DNSSEC-validated
          mailtls probe --targets hosts.txt --concurrency 50 --json
        """
    )

    @Argument(help: "HOST or HOST:PORT ([IPv6]:PORT).") var target: String?
    @Option(name: .long, help: "The port (default 25; 465 means TLS on connect).") var port: Int?
    @Option(name: .long, help: "The EHLO name (default: this machine's FQDN).") var ehlo: String?
    @Option(name: .long, help: "The name to send as SNI and verify (default: HOST).") var servername: String?
    @Option(name: .long, help: "Trust the certificates in this PEM file.") var ca: String?
    @Option(name: .long, help: "Trust the certificates in this directory.") var capath: String?
    @Flag(name: .long, help: "Trust the system's CA bundle.") var system = false
    @Flag(name: .long, help: "TLS from the first byte (SMTPS, port 465).") var tlsOnConnect = false
    @Option(name: .long, help: "Seconds allowed for each phase.") var timeout: Double = 10
    @Option(name: .long, help: "Verify the chain against the TLSA records in this file, or with dns those at _PORT._tcp.HOST through the validating resolver (RFC 7672).") var tlsa: String?
    @Option(name: .long, help: "With --tlsa dns: the validating resolver to ask, HOST[:PORT] (default: /etc/resolv.conf's first).") var nameserver: String?
    @Option(name: .long, parsing: .singleValue, help: "Connect to ADDR:PORT when asked for NAME:PORT (HOST and the TLSA name stay NAME); repeatable.")
    var connectTo: [String] = []
    @Option(name: .long, help: "Probe every HOST[:PORT] listed in this file (- for stdin).") var targets: String?
    @Option(name: .long, help: "How many probes at once with --targets.") var concurrency: Int = 32
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if (target == nil) == (targets == nil) { throw ValidationError("give one HOST[:PORT], or --targets FILE") }
        if [ca != nil, capath != nil, system].filter({ $0 }).count > 1 { throw ValidationError("give only one of --ca, --capath, --system") }
        if concurrency < 1 || concurrency > 4096 { throw ValidationError("--concurrency must be between 1 and 4096") }
        if timeout <= 0 || timeout > 600 { throw ValidationError("--timeout must be between 0 and 600 seconds") }
        if let port, !(1...65535).contains(port) { throw ValidationError("--port \(port): give a TCP port from 1 to 65535") }
        if let target {
            try usageCheck { _ = try ProbeTarget(parsing: target) }
        }
        if tlsa == "dns", targets != nil { throw ValidationError("--tlsa dns probes one HOST; for many hosts use mailtls audit") }
        if tlsa != "dns", nameserver != nil { throw ValidationError("--nameserver goes with --tlsa dns") }
        try usageCheck {
            _ = try nameserver.map { try DNSServerAddress(parsing: $0) }
            _ = try connectTo.map { try ConnectTo(parsing: $0) }
        }
    }

    func run() async throws {
        var status: Int32 = 0
        try await reportingFailuresAsync {
            let trust = try ProbeTrustChoice.trust(caFile: ca, caDirectory: capath, system: system).loaded()
            if tlsa == "dns" {
                status = try await probeWithDNS(trust: trust)
                return
            }
            let records = try tlsa.map { try TLSAZoneParser.load($0).map(\.record) }
            if let targets {
                status = try await ProbeBatch.run(targets: targets, make: { options(for: $0, trust: trust, records: records) },
                                                  concurrency: concurrency, json: output.json)
                return
            }
            let report = await Prober.probe(try options(for: ProbeTarget(parsing: target!), trust: trust, records: records))
            status = report.verdict.exitStatus
            if output.json { return try JSONOutput.print(report) }
            ProbeText.print(report)
        }
        if status != 0 { throw ExitCode(status) }
    }

    func options(for target: ProbeTarget, trust: ProbeOptions.Trust, records: [TLSARecord]?, serverName: String? = nil) -> ProbeOptions {
        var options = target.options(port: port, ehloName: ehlo ?? HostName.fullyQualified(), serverName: servername ?? serverName, trust: trust,
                                     tlsOnConnect: tlsOnConnect, timeout: timeout, tlsaRecords: records)
        let overrides = (try? connectTo.map { try ConnectTo(parsing: $0) }) ?? []
        if let match = overrides.first(where: { $0.name.lowercased() == target.host.lowercased() && $0.port == options.port }) {
            options.serverName = options.serverName ?? target.host
            options.host = match.address
            options.port = match.addressPort
        }
        return options
    }

    /// `--tlsa dns`: the records at `_PORT._tcp.HOST` as a DANE sender finds them
    /// (``DNSTLSASource``), the SNI their base domain; a bogus answer or a resolver that does
    /// not validate is reported as such, never as a missing record. Returns the exit status.
    func probeWithDNS(trust: ProbeOptions.Trust) async throws -> Int32 {
        let target = try ProbeTarget(parsing: target!)
        let resolver = DNSResolver(nameserver: try nameserver.map { try DNSServerAddress(parsing: $0) })
        let tlsaPort = target.port ?? port ?? 25
        let published = try await DNSTLSASource(resolver: resolver).published(host: target.host, port: tlsaPort)
        let records = published.records.contains(where: TLSALookup.isUsable) ? published.records : nil
        var report = await Prober.probe(options(for: target, trust: trust, records: records, serverName: records == nil ? nil : published.base))
        report.tlsaFromDNS = PublishedTLSAJSON(published, port: tlsaPort)
        FindingPrinter.printRemarks(published.resolverWarnings)
        if output.json { try JSONOutput.print(report) } else {
            let unusable = records == nil && !published.records.isEmpty
                ? "none of the \(published.records.count) records is usable for SMTP (only DANE-TA(2) and DANE-EE(3) count): DANE does not apply here" : nil
            print("TLSA from \(published.origin)" + ((published.note ?? unusable).map { ": \($0)" } ?? ""))
            ProbeText.print(report)
        }
        // A resolver off loopback is a warning whatever the probe found.
        return ExitStatus.worse(report.verdict.exitStatus, ExitStatus.of(published.resolverWarnings))
    }
}
