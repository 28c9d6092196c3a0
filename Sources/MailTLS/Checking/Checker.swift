#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `mailtls check`: every rule, over the files the MTA uses.
public enum Checker {
    /// The rules, in the order findings are shown.
    static let rules: [any CheckRule] = [
        SendmailBinaryRule(),
        KeyReadableRule(), KeyStrengthRule(),
        CertificateMatchesKeyRule(), CertificateValidityRule(), CertificateNamesRule(), CertificateUsageRule(),
        ChainRule(), CAFileRule(), CAPathRule(), FileSafetyRule(),
    ]

    /// - Parameters:
    ///   - tlsa: a file of TLSA records as published, or `dns`; when given, the `tlsa` rule
    ///     checks that the server certificate matches them.
    ///   - resolver: the validating resolver `dns` asks.
    public static func run(_ files: TLSFileSet, hostName: String, warnDays: Int = 30, now: Date = Date(),
                           tlsa: String? = nil, resolver: DNSResolver = DNSResolver()) async -> CheckReport {
        let context = CheckContext(files: files, hostName: hostName, warnDays: warnDays, now: now)
        var findings: [Finding] = []
        if files.serverCertificate == nil || files.serverKey == nil {
            findings.append(Finding(.error, files.source, "no server certificate and key are configured: the MTA will not offer STARTTLS",
                                    fix: "set confSERVER_CERT/confSERVER_KEY (Sendmail) or smtpd_tls_chain_files (Postfix); mailtls config prints the lines",
                                    rule: "configured"))
        }
        for rule in rules { findings += await rule.evaluate(context) }
        if let tlsa { findings += await TLSARule(path: tlsa, resolver: resolver).evaluate(context) }
        return CheckReport(files: files, findings: findings)
    }

    /// Where the files are: the MTA configuration when given, else the certs directory.
    public static func fileSet(config: String?, mta: TLSFileSet.MTA?, directory: String) throws -> TLSFileSet {
        guard let config else { return TLSFileSet.certsDirectory(CertsLayout(directory: directory), mta: mta ?? .sendmail) }
        let name = Paths.fileName(of: config)
        if mta == .postfix || name.hasSuffix("main.cf") { return try PostfixConfig.load(config) }
        if mta == .sendmail || name.hasSuffix(".mc") || name.hasSuffix(".cf") { return try SendmailConfig.load(config) }
        throw MailTLSError(config, "is neither a sendmail.mc, a sendmail.cf nor a Postfix main.cf", remedy: "give --mta sendmail or --mta postfix")
    }
}
