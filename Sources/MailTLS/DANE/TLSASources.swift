#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import X509

/// `mailtls tlsa`: which files the records are computed for, and the records.
///
/// Without files: for DANE-EE (3) host.cert, or host.key before there is a certificate, since
/// a 3 1 x record names the key and outlives renewals that keep it; for DANE-TA (2) the top of
/// chain.pem, the CA that signed the server's certificate. A DANE-TA record is made only for a
/// CA certificate (basicConstraints CA:TRUE): a client never takes a leaf as a trust anchor.
public enum TLSASources {
    public struct Item: Sendable {
        public var record: TLSARecord
        /// The file the record was computed from.
        public var source: String
    }

    public static func records(files: [String], directory: String, usage: TLSARecord.Usage, selector: TLSARecord.Selector,
                               matchingType: TLSARecord.MatchingType) throws -> [Item] {
        let layout = CertsLayout(directory: directory)
        var paths = files
        if paths.isEmpty {
            if usage == .daneTA {
                guard FileReading.exists(layout.chainPath) else {
                    throw MailTLSError(layout.chainPath, "no such file, so there is no CA certificate to make a 2 x x record for",
                                       remedy: "name the CA certificate: mailtls tlsa --usage 2 ca/ca.cert")
                }
                paths = [layout.chainPath]
            } else if FileReading.exists(layout.certificatePath) || !FileReading.exists(layout.keyPath) {
                paths = [layout.certificatePath]
            } else {
                paths = [layout.keyPath]
            }
        }
        var items: [Item] = []
        for path in paths {
            let file = try MaterialFile.load(path)
            let certificates = file.certificates
            if let chosen = usage == .daneTA ? certificates.last : certificates.first {
                if usage == .daneTA, !isCA(chosen.certificate) {
                    throw MailTLSError(path, "\(NameFormatter.oneLine(chosen.certificate.subject)) is not a CA certificate, so it cannot be a DANE-TA(2) trust anchor",
                                       remedy: "name the CA's certificate (ca/ca.cert), or use --usage 3 for the server's own")
                }
                items.append(Item(record: try TLSARecord(certificate: chosen.certificate, der: chosen.der, usage: usage,
                                                         selector: selector, matchingType: matchingType), source: path))
                continue
            }
            guard let key = file.objects.lazy.compactMap(\.publicKey).first else {
                throw MailTLSError(path, "holds \(file.contentsPhrase), nothing a TLSA record can be made for", remedy: "name a certificate or key file, such as host.cert")
            }
            guard selector == .publicKey else {
                throw MailTLSError(path, "holds \(file.contentsPhrase), not a certificate, and selector 0 hashes the whole certificate",
                                   remedy: "name the certificate (host.cert), or use --selector 1")
            }
            guard usage == .daneEE else {
                throw MailTLSError(path, "holds \(file.contentsPhrase), not a CA certificate", remedy: "name the CA's certificate, e.g. ca/ca.cert")
            }
            items.append(Item(record: try TLSARecord(publicKey: key, usage: usage, matchingType: matchingType), source: path))
        }
        return items
    }

    /// Whether basicConstraints says CA:TRUE.
    static func isCA(_ certificate: Certificate) -> Bool {
        if case .some(.some(let constraints)) = try? certificate.extensions.basicConstraints,
           case .isCertificateAuthority = constraints { return true }
        return false
    }
}

extension TLSASources {
    /// What a DANE client would make of `records` against the chain this certs directory
    /// serves (fullchain.pem, else host.cert), judged by ``TLSAMatcher`` and so by the one
    /// chain verifier: a warning per record that would not match, e.g. a DANE-TA record when
    /// the served chain leaves the CA out (RFC 7672 §3.1.2 requires it to be sent). Nothing
    /// when the directory serves no certificate yet.
    public static func servedChainFindings(_ items: [Item], directory: String, hostName: String, now: Date = Date()) async -> [Finding] {
        let layout = CertsLayout(directory: directory)
        let served = FileReading.exists(layout.fullChainPath) ? layout.fullChainPath : layout.certificatePath
        guard let file = try? MaterialFile.load(served), !file.certificates.isEmpty else { return [] }
        var findings: [Finding] = []
        for item in items {
            let report = await TLSAMatcher(records: [item.record], referenceNames: [hostName], now: now).match(chain: file.certificates)
            guard let evaluation = report.evaluations.first, case .mismatch(let why) = evaluation.outcome else { continue }
            findings.append(Finding(.warning, served, "does not match the \(item.record.parameters) record just computed: \(why)",
                                    fix: item.record.usage == .daneTA
                                        ? "serve the chain with the CA in it (fullchain.pem) before publishing a 2 x x record"
                                        : "publish the record only for the certificate this directory serves"))
        }
        return findings
    }
}
