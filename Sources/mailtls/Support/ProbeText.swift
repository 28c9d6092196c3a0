import MailTLS

/// The text form of a probe report, in the order of the session.
enum ProbeText {
    static func print(_ report: ProbeReport) {
        Swift.print("probe \(report.host):\(report.port)")
        func row(_ label: String, _ value: String) {
            Swift.print("  " + label.padding(to: 12) + value)
        }
        if let first = report.banner.first { row("greeting", first) }
        if !report.capabilitiesBefore.isEmpty { row("before TLS", report.capabilitiesBefore.joined(separator: ", ")) }
        if let version = report.tlsVersion {
            row("TLS", [version, report.cipher, report.group.map { "key exchange \($0)" }].compactMap { $0 }.joined(separator: ", "))
        }
        if let after = report.capabilitiesAfter {
            row("after TLS", after.joined(separator: ", ") + (report.startTLSOfferedAfterTLS == true ? "  (STARTTLS still offered!)" : ""))
        }
        for (index, certificate) in report.chain.enumerated() {
            row(index == 0 ? "chain [0]" : "      [\(index)]", certificate.subject)
            row("", "issuer \(certificate.issuer)")
            if !certificate.altNames.isEmpty { row("", "names \(certificate.altNames.joined(separator: ", "))") }
            row("", "valid \(certificate.notBefore) to \(certificate.notAfter), \(certificate.key)")
            row("", "sha256 \(certificate.sha256)")
        }
        if let verification = report.verification { row("verify", verification) }
        if let match = report.tlsaMatch { row("TLSA", match) }
        let order = ["connect", "greeting", "ehlo", "starttls", "handshake", "ehlo-tls", "quit", "total"]
        let timings = order.compactMap { key in report.timings[key].map { "\(key) \(format($0)) ms" } }
        if !timings.isEmpty { row("timing", timings.joined(separator: ", ")) }
        Swift.print("verdict: \(report.verdict.rawValue): \(report.reason)")
    }

    static func format(_ milliseconds: Double) -> String {
        let tenths = Int((max(0, milliseconds) * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
