import MailTLS

/// Where a fetch of `mta-sts.DOMAIN` connects: `--connect-to` when it names the host, else
/// the host's first address as the caller's resolver gives it (A, then AAAA), so the fetch
/// never asks the system resolver behind the validating one's back. Used by `audit` and
/// `mta-sts check`.
enum STSPolicyHostAddress {
    static func connectTo(domain: String, overrides: [ConnectTo],
                          lookup: (String, DNSRecordType) async -> DNSAnswer?) async -> [ConnectTo] {
        let host = STSPolicyFetcher.policyHost(of: domain)
        if overrides.contains(where: { $0.name.lowercased() == host && $0.port == 443 }) { return overrides }
        for type in [DNSRecordType.a, .aaaa] {
            if let answer = await lookup(host, type), let address = answer.addresses.first {
                return overrides + [ConnectTo(name: host, port: 443, address: address, addressPort: 443)]
            }
        }
        return overrides
    }
}
