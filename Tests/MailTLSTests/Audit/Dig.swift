import Foundation

/// What a resolver answered, as `dig` (the DNS oracle of the audit tests) prints it: the reply
/// code, the header flags (the AD bit among them), the extended DNS error and the answer records.
struct DigAnswer: CustomStringConvertible {
    /// NOERROR, NXDOMAIN, SERVFAIL, …; empty when dig got no reply at all.
    var status: String
    /// Header flags in lower case: qr, aa, rd, ra, ad, cd.
    var flags: Set<String>
    /// The extended DNS error's info code (RFC 8914), e.g. 6 "DNSSEC Bogus", 7 "Signature Expired".
    var extendedError: Int?
    /// Each answer record except RRSIGs as "TYPE data" (fields joined by one space), sorted:
    /// the resolver may rotate an RRset's order.
    var records: [String]
    /// dig's whole output, for failure messages.
    var output: String

    /// The AD bit: the resolver validated the answer (or the denial) with DNSSEC.
    var authenticated: Bool { flags.contains("ad") }

    var description: String {
        "\(status.isEmpty ? "no reply" : status) [\(flags.sorted().joined(separator: " "))]"
            + (extendedError.map { " EDE \($0)" } ?? "") + " \(records)"
    }
}

/// Runs `dig` against one server and reads its output. Only the answer section and the header
/// are asked for (`+noall +comments +answer`); `+nosplit` keeps long TLSA data in one piece.
enum Dig {
    static let path = "/usr/bin/dig"

    /// - Parameters:
    ///   - checkingDisabled: sets CD, so a validating resolver returns even bogus data.
    ///   - recursion: clear it (`+norec`) to ask an authoritative server as a resolver would.
    static func query(_ name: String, _ type: String, server: String = "127.0.0.1", port: UInt16,
                      checkingDisabled: Bool = false, recursion: Bool = true) throws -> DigAnswer {
        let result = try run(path, ["@\(server)", "-p", String(port), "+dnssec", "+noall", "+comments", "+answer", "+nosplit",
                                    "+time=2", "+tries=2", checkingDisabled ? "+cd" : "+nocd", recursion ? "+rec" : "+norec",
                                    name, type])
        return parse(result.stdout + result.stderr)
    }

    /// Reads dig's text: `;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: …`,
    /// `;; flags: qr rd ra ad; QUERY: …`, `; EDE: 6 (DNSSEC Bogus): …` and the record lines.
    static func parse(_ output: String) -> DigAnswer {
        var answer = DigAnswer(status: "", flags: [], extendedError: nil, records: [], output: output)
        for line in output.split(separator: "\n").map(String.init) {
            if line.hasPrefix(";; ->>HEADER<<-"), let range = line.range(of: "status: ") {
                answer.status = String(line[range.upperBound...].prefix { $0.isLetter })
            } else if line.hasPrefix(";; flags:") {
                let flags = line.dropFirst(";; flags:".count).prefix { $0 != ";" }
                answer.flags = Set(flags.split(separator: " ").map { $0.lowercased() })
            } else if line.hasPrefix("; EDE: ") {
                answer.extendedError = Int(line.dropFirst("; EDE: ".count).prefix { $0.isNumber })
            } else if !line.hasPrefix(";"), !line.trimmingCharacters(in: .whitespaces).isEmpty {
                // name TTL class type data…
                let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
                guard fields.count >= 4, fields[3] != "RRSIG" else { continue }
                answer.records.append(fields[3...].joined(separator: " "))
            }
        }
        answer.records.sort()
        return answer
    }
}
