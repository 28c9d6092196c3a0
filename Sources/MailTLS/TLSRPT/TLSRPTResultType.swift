/// The result types of RFC 8460 §4.3 (the IANA "STARTTLS Validation Result Types" registry),
/// with what a receiving domain's admin does about each. The registry is open: a report may
/// name a type not listed here; it is kept by name and gets general advice.
public enum TLSRPTResultType {
    public static let known: [String: String] = [
        "starttls-not-supported": "make every MX offer STARTTLS (mailtls probe MX)",
        "certificate-host-mismatch": "give each MX a certificate that names it (mailtls check; mailtls probe MX)",
        "certificate-expired": "renew the MX certificate (mailtls acme renew, or mailtls check)",
        "certificate-not-trusted": "serve the full chain from a public CA (mailtls probe MX shows what is sent)",
        "validation-failure": "see the failure-reason-code in the report; mailtls probe MX",
        "tlsa-invalid": "fix the TLSA records so they match the certificate (mailtls tlsa, mailtls rollover)",
        "dnssec-invalid": "fix the zone's DNSSEC signatures (mailtls audit DOMAIN)",
        "dane-required": "the sender requires DANE: publish TLSA records for every MX (mailtls tlsa)",
        "sts-policy-fetch-error": "serve the policy at https://mta-sts.DOMAIN/.well-known/mta-sts.txt (mailtls audit DOMAIN)",
        "sts-policy-invalid": "fix the MTA-STS policy's syntax (mailtls audit DOMAIN)",
        "sts-webpki-invalid": "give mta-sts.DOMAIN a publicly trusted certificate (mailtls audit DOMAIN)",
    ]

    /// What to do about sessions that failed with `type`; nil when there is none to name.
    public static func advice(_ type: String?) -> String? {
        guard let type else { return nil }
        return known[type] ?? "\"\(type)\" is not one of RFC 8460's result types; see the report's additional-information"
    }
}
