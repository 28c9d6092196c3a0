/// The result types of RFC 8460 §4.3 (the IANA "STARTTLS Validation Result Types" registry),
/// with what a receiving domain's admin does about each. The registry is open: a report may
/// name a type not listed here; it is kept by name and gets general advice.
public enum TLSRPTResultType {
    public static let known: [String: String] = [
        "starttls-not-supported": "make every MX offer STARTTLS; see with mailtls probe MX",
        "certificate-host-mismatch": "give each MX a certificate that names it; see with mailtls probe MX",
        "certificate-expired": "renew the MX certificate, e.g. with mailtls acme renew; see with mailtls check",
        "certificate-not-trusted": "serve the full chain from a public CA; mailtls probe MX shows what is sent",
        "validation-failure": "see the failure-reason-code in the report; mailtls probe MX",
        "tlsa-invalid": "publish TLSA records that match the certificate; see mailtls tlsa and mailtls rollover",
        "dnssec-invalid": "fix the zone's DNSSEC signatures; see with mailtls audit DOMAIN",
        "dane-required": "the sender requires DANE; publish TLSA records for every MX with mailtls tlsa",
        "sts-policy-fetch-error": "serve the policy at https://mta-sts.DOMAIN/.well-known/mta-sts.txt; see with mailtls audit DOMAIN",
        "sts-policy-invalid": "fix the MTA-STS policy's syntax; see with mailtls audit DOMAIN",
        "sts-webpki-invalid": "give mta-sts.DOMAIN a publicly trusted certificate; see with mailtls audit DOMAIN",
    ]

    /// What to do about sessions that failed with `type`; nil when there is none to name.
    public static func advice(_ type: String?) -> String? {
        guard let type else { return nil }
        return known[type] ?? "\"\(type)\" is not one of RFC 8460's result types; see the report's additional-information"
    }
}
