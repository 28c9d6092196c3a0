import Testing
@testable import MailTLS

/// The one line `check` ends with: it must not say the MTA will not use TLS when every error
/// is the DANE check's (a bogus TLSA answer, a resolver that does not validate): the MTA
/// still offers STARTTLS with these files.
@Suite("check's verdict line")
struct CheckVerdictTests {
    let files = TLSFileSet(mta: .postfix, source: "main.cf")

    @Test("errors from file rules: the MTA will not use TLS as configured")
    func fileErrors() {
        let report = CheckReport(files: files, findings: [
            Finding(.error, "host.key", "does not match host.cert", rule: "certificate-matches-key"),
            Finding(.error, "_25._tcp.mx.example.org", "failed DNSSEC validation", rule: "tlsa"),
        ])
        #expect(report.verdict == "ERRORS: 2 errors, 0 warnings; postfix will not use TLS as configured")
        #expect(report.exitStatus == 1)
    }

    @Test("errors only from the tlsa rule: the files are usable, the DANE check failed")
    func daneErrorsOnly() {
        let report = CheckReport(files: files, findings: [
            Finding(.ok, "host.key", "matches host.cert", rule: "certificate-matches-key"),
            Finding(.warning, "resolver 192.0.2.53:53", "is not on loopback", rule: "dns-resolver-local"),
            Finding(.error, "_25._tcp.mx.example.org", "failed DNSSEC validation", rule: "tlsa"),
        ])
        #expect(report.verdict == "ERRORS: 1 error, 1 warning; postfix can use these files: the errors are in the DANE check (tlsa)")
        #expect(report.exitStatus == 1, "still an error: DANE senders defer")
    }
}
