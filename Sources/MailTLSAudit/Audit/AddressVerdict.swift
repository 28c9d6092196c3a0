import MailTLS

/// From one probe to what a sender does with that MX address: DANE wins when it applies
/// (MTA-STS never overrides a failing DANE result), then MTA-STS, then opportunistic TLS.
enum AddressVerdict {
    static func judge(_ probe: ProbeReport, dane: AuditDANEState, policy: STSPolicy?, covered: Bool?) -> (AuditVerdict, String) {
        switch probe.verdict {
        case .temp, .software:
            return (.unreachable, probe.reason)
        default:
            break
        }
        if dane == .usable {
            if probe.verdict == .ok { return (.daneSecure, probe.tlsaMatch ?? probe.reason) }
            if probe.verdict == .none {
                return (.daneFailed, "no STARTTLS, but the TLSA records make it mandatory: DANE senders defer the mail")
            }
            return (.daneFailed, probe.tlsaMatch ?? (probe.reason + ": DANE senders defer the mail"))
        }
        let hasTLS = probe.verdict == .ok || probe.verdict == .fail || probe.verdict == .no
        if let policy, policy.mode != .none {
            var problems: [String] = []
            if covered != true { problems.append("the MX host is not in the policy's mx patterns (\(policy.mx.joined(separator: ", ")))") }
            if !hasTLS { problems.append("no STARTTLS (\(probe.reason))") } else if probe.verdict != .ok {
                problems.append("the certificate does not pass WebPKI validation for the MX name: \(probe.verification ?? probe.reason)")
            }
            if policy.mode == .enforce {
                if problems.isEmpty { return (.stsEnforced, "MTA-STS enforce; \(probe.verification ?? probe.reason)") }
                return (.stsFailed, "MTA-STS enforce, but " + problems.joined(separator: "; ") + ": MTA-STS senders do not deliver")
            }
            if problems.isEmpty { return (.stsTesting, "MTA-STS testing (senders report failures, but deliver anyway); \(probe.verification ?? probe.reason)") }
            return (.stsTesting, "MTA-STS testing, and it would fail: " + problems.joined(separator: "; "))
        }
        if hasTLS {
            let note = dane == .unusable ? "TLSA records unusable for SMTP; " : ""
            return (.opportunistic, note + "STARTTLS offered, nothing requires it to be authenticated (\(probe.reason))")
        }
        return (.noTLS, probe.reason)
    }

    /// A set's verdict: its weakest member, not counting unreachable addresses while another
    /// answers (a sender tries the next one).
    static func combine(_ verdicts: [AuditVerdict]) -> AuditVerdict? {
        let reachable = verdicts.filter { $0 != .unreachable }
        if reachable.isEmpty { return verdicts.isEmpty ? nil : .unreachable }
        return reachable.max()
    }
}
