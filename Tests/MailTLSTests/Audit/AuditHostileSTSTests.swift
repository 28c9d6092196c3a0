import Foundation
import Testing
@testable import MailTLS
@testable import MailTLSAudit

/// `audit` on the DNS world's domains whose MTA-STS policy host misbehaves (served by a real
/// nginx, one site per case as the mta-sts-query oracle suite serves them). Each domain
/// publishes a valid `_mta-sts` record (sts-bad-id.test an invalid one) and an `enforce`
/// policy naming its MX, and its MX is a `mailtls serve` whose certificate no WebPKI anchor
/// vouches for. RFC 8461 §3.3: with a record but no policy that can be fetched (for any
/// reason) and none cached, a sender delivers "as though the domain has not implemented
/// MTA-STS"; §3.1: an invalid record is no record. So each domain is `opportunistic` (the
/// TLS a sender would still use), never `sts-failed` (what the same policy would give if it
/// were applied: the control domain proves it); the failure, of its RFC 8460 result type, is
/// in the report and the JSON as an error finding (senders report it as a failure), so the
/// exit status is 1. Each audit ends within `--timeout`, sts-slow.test by it.
extension AuditTests {
    struct HostileSTS: Sendable {
        var domain: String
        /// The `sts.failure` prefix: the RFC 8460 result type, or the unusable record.
        var failure: String
        /// Words the failure must hold.
        var words: [String]
    }

    static let hostileSTS: [HostileSTS] = [
        HostileSTS(domain: "sts-redirect.test", failure: "sts-policy-fetch-error", words: ["302", "do not follow redirects"]),
        HostileSTS(domain: "sts-404.test", failure: "sts-policy-fetch-error", words: ["404 Not Found, not 200"]),
        HostileSTS(domain: "sts-html.test", failure: "sts-policy-invalid", words: ["text/html, not text/plain"]),
        HostileSTS(domain: "sts-big.test", failure: "sts-policy-fetch-error", words: ["65536"]),
        HostileSTS(domain: "sts-wrong-name.test", failure: "sts-webpki-invalid", words: ["does not name mta-sts.sts-wrong-name.test"]),
        HostileSTS(domain: "sts-expired-cert.test", failure: "sts-webpki-invalid", words: ["expired on"]),
        HostileSTS(domain: "sts-slow.test", failure: "sts-policy-fetch-error", words: ["no complete answer within \(Int(hostileTimeout)) s"]),
        HostileSTS(domain: "sts-bad-syntax.test", failure: "sts-policy-invalid", words: ["max_age"]),
        HostileSTS(domain: "sts-bad-id.test", failure: "the _mta-sts record is not usable", words: []),
    ]

    static let hostileTimeout: Double = 3

    /// The hostile sites (the control sts-enforce.test serves a good policy), and the options
    /// that send every MX and policy host of them to `mx` and nginx.
    static func hostileSites(_ web: PolicyWebServer) throws -> [PolicyWebServer.Site] {
        func policy(_ domain: String, maxAge: String = "86400") throws -> String {
            try web.page("\(domain).txt", "version: STSv1\nmode: enforce\nmx: mx.\(domain)\nmax_age: \(maxAge)\n")
        }
        let plain = "default_type text/plain; alias"
        let filler = String(repeating: "x-filler: " + String(repeating: "a", count: 80) + "\n", count: 1100)
        return try [
            web.site("mta-sts.sts-enforce.test", .good, "\(plain) \(try policy("sts-enforce.test"));"),
            web.site("mta-sts.sts-redirect.test", .good, "return 302 https://mta-sts.sts-enforce.test/.well-known/mta-sts.txt;"),
            web.site("mta-sts.sts-404.test", .good, "return 404;"),
            web.site("mta-sts.sts-html.test", .good, "default_type text/html; alias \(try policy("sts-html.test"));"),
            web.site("mta-sts.sts-big.test", .good,
                     "\(plain) \(try web.page("sts-big.test.txt", "version: STSv1\nmode: enforce\nmx: mx.sts-big.test\nmax_age: 86400\n" + filler));"),
            web.site("mta-sts.sts-wrong-name.test", .wrongName, "\(plain) \(try policy("sts-wrong-name.test"));"),
            web.site("mta-sts.sts-expired-cert.test", .expired, "\(plain) \(try policy("sts-expired-cert.test"));"),
            web.site("mta-sts.sts-slow.test", .good, "limit_rate 1; \(plain) \(try policy("sts-slow.test"));"),
            web.site("mta-sts.sts-bad-syntax.test", .good, "\(plain) \(try policy("sts-bad-syntax.test", maxAge: "1e6"));"),
            // sts-bad-id.test has no site: its record is invalid, so nothing may be fetched.
        ].map { try $0() }
    }

    static func hostileConnectTo(_ setup: AuditWorld, _ web: PolicyWebServer) -> [ConnectTo] {
        let domains = ["sts-enforce.test"] + hostileSTS.map(\.domain)
        return setup.connectTo
            + domains.map { ConnectTo(name: "mx.\($0)", port: 25, address: "127.0.0.1", addressPort: setup.eeServer.port) }
            + domains.map { ConnectTo(name: "mta-sts.\($0)", port: 443, address: web.address, addressPort: Int(web.port)) }
    }

    @Test("hostile MTA-STS policy hosts: no policy, so opportunistic (not sts-failed), the failure reported, exit 1, within --timeout",
          .enabled(if: PolicyWebServer.shouldRun))
    func hostileMTASTS() async throws {
        let setup = try await AuditWorld.start()
        let web = try PolicyWebServer()
        try web.start(try Self.hostileSites(web))
        let connectTo = Self.hostileConnectTo(setup, web)
        var options = try setup.options()
        options.anchors = web.anchors
        options.connectTo = connectTo
        options.timeout = Self.hostileTimeout
        let auditor = await DomainAuditor.make(options)

        // The control: the same kind of policy, fetched, would refuse this MX (its certificate
        // is self-signed for another name), so "opportunistic" below means "policy ignored".
        let control = await auditor.audit("sts-enforce.test")
        #expect(control.sts?.mode == "enforce" && control.mx.first?.stsCovered == true, "\(control.findings)")
        #expect(control.verdict == .stsFailed, "\(control.reason)")

        for item in Self.hostileSTS {
            let started = Date()
            let report = await auditor.audit(item.domain)
            let elapsed = Date().timeIntervalSince(started)
            #expect(report.verdict == .opportunistic, "\(item.domain): \(report.verdict) \(report.reason)")
            #expect(report.sts != nil && report.sts?.mode == nil && report.sts?.mx == [], "\(item.domain): \(String(describing: report.sts))")
            let failure = report.sts?.failure ?? ""
            #expect(failure.hasPrefix(item.failure), "\(item.domain): \(failure)")
            for word in item.words { #expect(failure.contains(word), "\(item.domain): \(failure)") }
            #expect(report.mx.count == 1 && report.mx.allSatisfy { $0.stsCovered == nil }, "\(item.domain): the MX is judged without a policy")
            #expect(report.mx.first?.addresses.first?.probeVerdict == .fail, "\(item.domain): STARTTLS was offered, the certificate unverified")
            #expect(report.findings.contains { $0.severity == .error && $0.message.contains(item.failure == "the _mta-sts record is not usable" ? "senders ignore MTA-STS" : item.failure) },
                    "\(item.domain): \(report.findings)")
            #expect(report.exitStatus == 1, "\(item.domain): \(report.findings)")
            #expect(elapsed < Self.hostileTimeout + 3, "\(item.domain): took \(elapsed) s")
            if item.domain == "sts-slow.test" {
                #expect(elapsed >= Self.hostileTimeout - 0.2, "sts-slow.test ends by the timeout, not before: \(elapsed) s")
            }
        }

        // The CLI: the same verdict, the failure in the JSON and the text, exit status 1.
        let base = ["audit", "--nameserver", "127.0.0.1:\(setup.world.resolverPort)", "--ca", web.caFile,
                    "--timeout", String(Int(Self.hostileTimeout))]
            + connectTo.flatMap { ["--connect-to", "\($0.name):\($0.port):\($0.address):\($0.addressPort)"] }
        for item in Self.hostileSTS {
            let started = Date()
            let json = try await offPool { try MailTLSBinary.run(base + ["--json", item.domain]) }
            let elapsed = Date().timeIntervalSince(started)
            #expect(json.status == 1, "\(item.domain): \(json.stdout) \(json.stderr)")
            let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
            #expect(object?["verdict"] as? String == "opportunistic", "\(item.domain): \(json.stdout)")
            let sts = object?["sts"] as? [String: Any]
            #expect(sts?["mode"] == nil && (sts?["failure"] as? String)?.hasPrefix(item.failure) == true, "\(item.domain): \(String(describing: sts))")
            let mx = (object?["mx"] as? [[String: Any]])?.first
            #expect(mx?["stsCovered"] == nil && mx?["verdict"] as? String == "opportunistic", "\(item.domain): \(String(describing: mx))")
            #expect(elapsed < Self.hostileTimeout + 5, "\(item.domain): the CLI took \(elapsed) s")
        }
        let text = try await offPool { try MailTLSBinary.run(base + Self.hostileSTS.map(\.domain)) }
        #expect(text.status == 1)
        for item in Self.hostileSTS {
            #expect(text.stdout.contains("\(item.domain): opportunistic"), "\(text.stdout)")
        }
        #expect(text.stdout.contains("MTA-STS: announced (id 20260101404) but not usable: sts-policy-fetch-error"), "\(text.stdout)")
        #expect(text.stdout.contains("MTA-STS: announced (id invalid) but not usable: the _mta-sts record is not usable"), "\(text.stdout)")
        #expect(!text.stdout.contains("sts-failed"), "\(text.stdout)")
        web.stop()
        await setup.stop()
    }
}
