#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import X509

/// `mailtls ca sign`: check a CSR against the CA's rules, show what will be signed, sign it,
/// record it, and write the certificate with its chain files.
public enum CASigning {
    /// What will be signed, for the admin to confirm.
    public struct Proposal: Sendable {
        public var subject: DistinguishedName
        public var publicKey: Certificate.PublicKey
        public var names: SubjectAltNames
        public var profile: LeafProfile
        public var days: Int
        /// Where the certificate and its chain files go.
        public var output: CertsLayout

        /// Lines that show the admin what the CA is about to vouch for.
        public var description: [String] {
            ["subject: \(NameFormatter.oneLine(subject))",
             "names:   \(names.names.map(SubjectAltNames.describe).joined(separator: ", "))",
             "key:     \(KeyDescription(publicKey).text)",
             "profile: \(profile.rawValue) (\(profile.usages.map { $0 == .serverAuth ? "serverAuth" : "clientAuth" }.joined(separator: ", ")))",
             "valid:   \(days) days",
             "writes:  \(output.certificatePath), \(output.chainPath), \(output.fullChainPath)"]
        }
    }

    /// Checks `requestPath` and proposes what to sign. Throws, changing nothing, when the
    /// request's signature is bad, its key weak, a name outside the CA's constraints, or its
    /// subject already has a valid certificate (unless `allowDuplicate`).
    public static func propose(_ ca: CertificateAuthority, requestPath: String, profile: LeafProfile, days: Int,
                               output: CertsLayout, allowDuplicate: Bool, now: Date = Date()) throws -> Proposal {
        let (request, _) = try MaterialFile.load(requestPath).request()
        return try propose(ca, request: request, source: requestPath, profile: profile, days: days, output: output,
                           allowDuplicate: allowDuplicate, now: now)
    }

    /// As `propose(_:requestPath:…)`, for a request already in memory; `source` names it in messages.
    public static func propose(_ ca: CertificateAuthority, request: CertificateSigningRequest, source requestPath: String,
                               profile: LeafProfile, days: Int, output: CertsLayout, allowDuplicate: Bool, now: Date = Date()) throws -> Proposal {
        guard RequestMaker.hasValidSignature(request) else {
            throw MailTLSError(requestPath, "the request's signature does not verify", remedy: "ask for a new request; this one is damaged or forged")
        }
        var names = RequestMaker.requestedAltNames(request)
        if let commonName = NameFormatter.commonName(request.subject) { names.addCommonName(commonName) }
        try checkPolicy(ca, subject: request.subject, publicKey: request.publicKey, names: names, source: requestPath,
                        allowDuplicate: allowDuplicate, now: now)
        return Proposal(subject: request.subject, publicKey: request.publicKey, names: names, profile: profile, days: days, output: output)
    }

    static func checkPolicy(_ ca: CertificateAuthority, subject: DistinguishedName, publicKey: Certificate.PublicKey,
                            names: SubjectAltNames, source: String, allowDuplicate: Bool, now: Date) throws {
        let key = KeyDescription(publicKey)
        if key.type == "RSA" && key.bits < 2048 {
            throw MailTLSError(source, "has a weak key (RSA \(key.bits))", remedy: "make a new key of at least RSA 2048: mailtls rsa --force")
        }
        let permitted = ca.permittedDNSDomains
        if !permitted.isEmpty {
            for name in names.dnsNames where !NameConstraintRules.permits(name, within: permitted) {
                throw MailTLSError(source, "names \(name), outside this CA's name constraints (\(permitted.joined(separator: ", ")))",
                                   remedy: "ask for a request with names under \(permitted.joined(separator: " or "))")
            }
        }
        let subjectText = NameFormatter.oneLine(subject)
        if !allowDuplicate, let existing = ca.index.entries.first(where: { $0.subject == subjectText && $0.isCurrent(at: now) }) {
            throw MailTLSError(source, "\(subjectText) already has a valid certificate (serial \(existing.serial))",
                               remedy: "renew that one with mailtls ca renew \(existing.serial), revoke it first, or add --allow-duplicate")
        }
    }

    /// Signs the proposal: the index is saved first (the commit point), then the issued copy,
    /// the certificate and its chain files are written.
    public static func sign(_ ca: inout CertificateAuthority, _ proposal: Proposal, force: Bool, now: Date = Date())
        throws -> (entry: CAIndex.Entry, written: [WrittenFile])
    {
        let result = try signAll(&ca, [proposal], force: force, now: now)
        return (result.entries[0], result.written)
    }

    /// Signs several proposals as one transaction: every output is checked first, all
    /// certificates are recorded with one index write (the commit point: a crash before it
    /// leaves none of them, after it all of them), then the files are written.
    public static func signAll(_ ca: inout CertificateAuthority, _ proposals: [Proposal], force: Bool, now: Date = Date())
        throws -> (entries: [CAIndex.Entry], written: [WrittenFile])
    {
        let outputs = try proposals.map { try $0.output.validated() }
        var seen = Set<String>()
        for output in outputs {
            for path in [output.certificatePath, output.chainPath, output.fullChainPath] {
                try FileInstaller.ensureFree(path, kind: "certificate", force: force)
                guard seen.insert(path).inserted else {
                    throw MailTLSError(path, "would be written twice in one run", remedy: "sign requests that have different names")
                }
            }
        }
        var entries: [CAIndex.Entry] = []
        for proposal in proposals {
            let issued = try ca.issue(subject: proposal.subject, publicKey: proposal.publicKey, names: proposal.names,
                                      profile: proposal.profile, days: proposal.days, now: now)
            entries.append(try ca.entry(for: issued, profile: proposal.profile))
            ca.index.entries.append(entries[entries.count - 1])
        }
        try ca.index.save(ca.layout)
        // The index above is durable; the files derived from it are written without an fsync
        // each and flushed once, so a batch of a thousand costs one sync, not four thousand.
        var written: [WrittenFile] = []
        for (entry, output) in zip(entries, outputs) {
            written += try writeOutputs(ca, entry: entry, output: output, force: force, now: now, durable: false)
        }
        AtomicFile.flushAll()
        return (entries, written)
    }

    /// Writes `issued/<serial>.pem`, then the leaf, `chain.pem` (the CA) and `fullchain.pem`
    /// (leaf then CA, what Postfix's smtpd_tls_chain_files and most servers want).
    static func writeOutputs(_ ca: CertificateAuthority, entry: CAIndex.Entry, output: CertsLayout, force: Bool, now: Date,
                             durable: Bool) throws -> [WrittenFile] {
        let caPEM = try Encoding.pem(ca.certificate)
        try AtomicFile.write(entry.certificate, to: ca.layout.issuedPath(serial: entry.serial), mode: .shared, existing: .replace, durable: durable)
        try Directories.make(output.directory)
        return [
            try FileInstaller.install(entry.certificate, at: output.certificatePath, kind: "certificate", mode: .shared, force: force, now: now, durable: durable),
            try FileInstaller.install(caPEM, at: output.chainPath, kind: "chain", mode: .shared, force: force, now: now, durable: durable),
            try FileInstaller.install(entry.certificate + caPEM, at: output.fullChainPath, kind: "full chain", mode: .shared, force: force, now: now, durable: durable),
        ]
    }
}

/// RFC 5280 DNS name constraints: `example.org` permits itself and every name under it;
/// `.example.org` only names under it.
public enum NameConstraintRules {
    public static func permits(_ name: String, within permitted: [String]) -> Bool {
        let host = name.lowercased().hasSuffix(".") ? String(name.lowercased().dropLast()) : name.lowercased()
        return permitted.contains { constraint in
            let base = constraint.lowercased()
            if base.hasPrefix(".") { return host.hasSuffix(base) }
            return host == base || host.hasSuffix("." + base)
        }
    }
}
