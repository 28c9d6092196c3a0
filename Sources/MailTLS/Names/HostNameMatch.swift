/// RFC 6125 host-name matching: exact (case-insensitive), or a `*.` wildcard covering
/// exactly one left-most label. The one matcher every name check in mailtls uses: `check`,
/// `probe`, DANE-TA and the chain verifier.
public enum HostNameMatch {
    public static func matches(_ host: String, pattern: String) -> Bool {
        let host = trimmed(host).lowercased(), pattern = trimmed(pattern).lowercased()
        if host == pattern { return true }
        guard pattern.hasPrefix("*.") else { return false }
        let suffix = pattern.dropFirst(1)
        guard host.hasSuffix(suffix) else { return false }
        let label = host.dropLast(suffix.count)
        return !label.isEmpty && !label.contains(".")
    }

    /// A DNS name written absolute (`mx.example.org.`) names the same host.
    private static func trimmed(_ name: String) -> String {
        name.hasSuffix(".") ? String(name.dropLast()) : name
    }
}
