import X509
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Each certificate file reads, and its first certificate belongs to the configured key.
struct CertificateMatchesKeyRule: CheckRule {
    let name = "certificate-matches-key"

    func evaluate(_ context: CheckContext) -> [Finding] {
        context.pairs.map { pair in
            switch context.material(pair.certificate) {
            case .failure(let error):
                return finding(.error, pair.certificate, error.problem,
                               fix: error.remedy.isEmpty ? "make one with mailtls self, or install the CA's certificate" : error.remedy)
            case .success(let file):
                guard let leaf = file.certificates.first?.certificate else {
                    return finding(.error, pair.certificate, "holds \(file.contentsPhrase), not a certificate", fix: "point the \(pair.role) certificate setting at the certificate file")
                }
                guard let key = context.key(pair.key) else {
                    return finding(.error, pair.certificate, "cannot be matched: its key \(pair.key) is unusable", fix: "fix the key first")
                }
                guard key.publicKey == leaf.publicKey else {
                    return finding(.error, pair.certificate, "does not match the key \(pair.key)",
                                   fix: "install the certificate issued for this key, or mailtls self --force")
                }
                return finding(.ok, pair.certificate, "\(pair.role) certificate matches \(pair.key)")
            }
        }
    }
}

/// The certificate is valid now, with days to spare.
struct CertificateValidityRule: CheckRule {
    let name = "certificate-validity"

    func evaluate(_ context: CheckContext) -> [Finding] {
        Set(context.pairs.map(\.certificate)).sorted().compactMap { path in
            guard let leaf = context.certificates(path).first else { return nil }
            let days = Int((leaf.notValidAfter.timeIntervalSince1970 - context.now.timeIntervalSince1970) / 86_400)
            if context.now < leaf.notValidBefore {
                return finding(.error, path, "is not valid before \(UTCTimestamp.readable(leaf.notValidBefore))",
                               fix: "check this machine's clock, or install a certificate valid now")
            }
            if context.now > leaf.notValidAfter {
                return finding(.error, path, "expired on \(UTCTimestamp.readable(leaf.notValidAfter))",
                               fix: "renew: mailtls self --force, or mailtls csr --file new for a CA")
            }
            if days < context.warnDays {
                return finding(.warning, path, "expires in \(days) days (\(UTCTimestamp.readable(leaf.notValidAfter)))",
                               fix: "renew now: mailtls csr --file new, then mailtls promote")
            }
            return finding(.ok, path, "valid for \(days) more days")
        }
    }
}

/// Peers that check names look at subjectAltName only; the host's name must be there.
struct CertificateNamesRule: CheckRule {
    let name = "certificate-names"

    func evaluate(_ context: CheckContext) -> [Finding] {
        guard let path = context.files.serverCertificate, let leaf = context.certificates(path).first else { return [] }
        let names = ((try? leaf.extensions.subjectAlternativeNames) ?? nil).map { Array($0) } ?? []
        let dnsNames = SubjectAltNames(names).dnsNames
        let host = context.hostName.lowercased()
        if dnsNames.contains(where: { HostNameMatch.matches(host, pattern: $0) }) {
            return [finding(.ok, path, "names \(host) in subjectAltName")]
        }
        let shown = dnsNames.isEmpty ? "no DNS names" : dnsNames.joined(separator: ", ")
        return [finding(.warning, path, "does not name \(host) in subjectAltName (it has \(shown)); peers that verify names will fail",
                        fix: "make a certificate for \(host): mailtls csr --file new --subject /CN=\(host), or give the right --host")]
    }
}

/// The extended key usage must allow the certificate's role.
struct CertificateUsageRule: CheckRule {
    let name = "certificate-usage"

    func evaluate(_ context: CheckContext) -> [Finding] {
        context.pairs.compactMap { pair in
            guard let leaf = context.certificates(pair.certificate).first else { return nil }
            guard case .some(.some(let usage)) = try? leaf.extensions.extendedKeyUsage else {
                return finding(.ok, pair.certificate, "no extended key usage: any use allowed")
            }
            let wanted: ExtendedKeyUsage.Usage = pair.role == "server" ? .serverAuth : .clientAuth
            if usage.contains(wanted) || usage.contains(.any) {
                return finding(.ok, pair.certificate, "extended key usage allows \(pair.role == "server" ? "serverAuth" : "clientAuth")")
            }
            return finding(pair.role == "server" ? .error : .warning, pair.certificate,
                           "extended key usage does not allow \(pair.role == "server" ? "serverAuth" : "clientAuth"): peers will refuse it as a \(pair.role) certificate",
                           fix: "get a certificate with the server-client profile: mailtls ca sign --profile server-client")
        }
    }
}
