import MailTLS
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `mta-sts check`: a domain's MTA-STS as published (the `_mta-sts` TXT through the
/// resolver, the policy through the one fetcher) against the policy file on disk, the MX
/// records and the calendar. Findings only; the judgement is ``STSPublicationComparison``'s.
public struct STSPublishedCheck: Sendable {
    public var resolver: DNSResolver
    public var fetch: STSFetchOptions
    public var now: Date

    public init(resolver: DNSResolver, fetch: STSFetchOptions, now: Date = Date()) {
        self.resolver = resolver
        self.fetch = fetch
        self.now = now
    }

    public func run(domain: String, policyFile: String?) async -> [Finding] {
        let domain = domain.hasSuffix(".") ? String(domain.dropLast()) : domain
        var findings: [Finding] = []
        var file: STSPolicyFile.Contents?
        if let policyFile {
            do { file = try STSPolicyFile.read(policyFile) } catch let error as MailTLSError {
                findings.append(Finding(error, rule: "mta-sts-file"))
            } catch {
                findings.append(Finding(.error, policyFile, "\(error)", rule: "mta-sts-file"))
            }
        }

        let name = "_mta-sts." + domain
        var id: String?
        do {
            let answer = try await resolver.lookup(name: name, type: .txt)
            let reading = STSRecord.read(answer.texts.map { [$0] }, name: name)
            findings += reading.findings
            id = reading.record?.id
            if reading.announcements == 0 {
                findings.append(Finding(.error, name, "no MTA-STS record: senders do not look for a policy",
                                        fix: file.map { "publish \(name). TXT \"v=STSv1; id=\($0.id)\"" } ?? "publish the record mailtls mta-sts policy prints",
                                        rule: "mta-sts-record"))
            }
        } catch {
            findings.append(Finding(.error, name, Self.problem(error), rule: "mta-sts-record"))
        }

        var options = fetch
        options.connectTo = await connectTo(domain)
        let fetched = await STSPolicyFetcher(options).fetch(domain: domain)
        let url = "https://\(STSPolicyFetcher.policyHost(of: domain))\(STSPolicyFetcher.path)"
        var served: STSFetchedPolicy?
        switch fetched {
        case .success(let policy):
            served = policy
            findings += policy.findings
        case .failure(let failure):
            findings.append(failure.finding)
            findings += failure.findings
        }
        findings += STSPublicationComparison.findings(.init(domain: domain, id: id, url: url, served: served?.body), file: file)

        let mxHosts = await STSMXLookup.hosts(of: domain, resolver: resolver)
        var policies: [(STSPolicy, String)] = []
        if let served { policies.append((served.policy, url)) }
        if let file, let policy = file.reading.policy, file.bytes != served?.body { policies.append((policy, file.path)) }
        for (policy, subject) in policies {
            findings += STSPublicationComparison.maxAgeFindings(policy, subject: subject)
            switch mxHosts {
            case .success(let hosts): findings += STSMXCoverage.findings(policy, mxHosts: hosts, domain: domain, subject: subject)
            case .failure(let error): findings.append(Finding(.warning, domain, "the MX records could not be looked up: \(error.problem)", fix: error.remedy, rule: "mta-sts-mx"))
            }
        }
        if let served {
            findings += STSPublicationComparison.certificateFindings(host: STSPolicyFetcher.policyHost(of: domain),
                                                                     notValidAfter: served.certificates.first?.notValidAfter, now: now)
        }
        return findings
    }

    /// `--connect-to` first; else the policy host's address as this resolver gives it.
    private func connectTo(_ domain: String) async -> [ConnectTo] {
        await STSPolicyHostAddress.connectTo(domain: domain, overrides: fetch.connectTo) { name, type in
            try? await resolver.lookup(name: name, type: type)
        }
    }

    static func problem(_ error: Error) -> String {
        (error as? DNSLookupError)?.problem ?? "\(error)"
    }
}
