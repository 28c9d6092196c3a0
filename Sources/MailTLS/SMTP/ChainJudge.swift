import X509
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Judges a presented chain against the trust given: RFC 5280 path validation plus the
/// host name (swift-certificates' Verifier), or pinning when the leaf itself is trusted —
/// a self-signed MTA certificate with CA:FALSE, which RFC5280Policy refuses as an anchor.
enum ChainJudge {
    struct Judgement {
        var verdict: ProbeVerdict
        var description: String
    }

    static func judge(leaf: Certificate, intermediates: [Certificate], options: ProbeOptions, now: Date = Date()) async -> Judgement {
        let roots: [Certificate]
        switch options.trust {
        case .none:
            return Judgement(verdict: .no, description: "not verified: no --ca, --capath or --system given")
        case .file(let path):
            roots = (try? MaterialFile.load(path).certificates.map(\.certificate)) ?? []
        case .directory(let path):
            roots = certificates(inDirectory: path)
        case .certificates(let certificates):
            roots = certificates
        }
        if roots.isEmpty { return Judgement(verdict: .fail, description: "not verified: the trust given holds no certificate") }
        let name = options.nameToVerify
        let isIP = IPAddressText.bytes(name) != nil

        if roots.contains(leaf) {
            if now > leaf.notValidAfter { return Judgement(verdict: .fail, description: "the pinned certificate expired on \(UTCTimestamp.readable(leaf.notValidAfter))") }
            if now < leaf.notValidBefore { return Judgement(verdict: .fail, description: "the pinned certificate is not yet valid") }
            guard namesMatch(leaf, name: name, isIP: isIP) else {
                return Judgement(verdict: .fail, description: "the pinned certificate does not name \(name)")
            }
            return Judgement(verdict: .ok, description: "pinned: the certificate itself is trusted")
        }
        var verifier = Verifier(rootCertificates: CertificateStore(roots)) {
            RFC5280Policy()
            ServerIdentityPolicy(serverHostname: isIP ? nil : name, serverIP: isIP ? name : nil)
        }
        let result = await verifier.validate(leaf: leaf, intermediates: CertificateStore(intermediates))
        switch result {
        case .validCertificate(let chain):
            return Judgement(verdict: .ok, description: "verified to \(NameFormatter.oneLine(chain.last?.subject ?? leaf.issuer))")
        case .couldNotValidate(let failures):
            return Judgement(verdict: .fail, description: reason(failures.map { "\($0.policyFailureReason)" }, leaf: leaf, intermediates: intermediates,
                                                                 name: name, isIP: isIP, now: now))
        }
    }

    /// The most useful reason among the failures, in an admin's words.
    static func reason(_ failures: [String], leaf: Certificate, intermediates: [Certificate], name: String, isIP: Bool, now: Date) -> String {
        if now > leaf.notValidAfter { return "the certificate expired on \(UTCTimestamp.readable(leaf.notValidAfter))" }
        if now < leaf.notValidBefore { return "the certificate is not valid before \(UTCTimestamp.readable(leaf.notValidBefore))" }
        if !namesMatch(leaf, name: name, isIP: isIP) {
            let names = SubjectAltNames((((try? leaf.extensions.subjectAlternativeNames) ?? nil).map { Array($0) }) ?? []).dnsNames
            return "the certificate does not name \(name) (it names \(names.isEmpty ? "nothing" : names.joined(separator: ", ")))"
        }
        if leaf.subject == leaf.issuer { return "the certificate is self-signed and not trusted (give it with --ca to pin it)" }
        // Follow the chain as presented as far as it goes; the last issuer is the one missing.
        var top = leaf
        for _ in 0..<8 {
            guard let next = intermediates.first(where: { $0.subject == top.issuer && $0 != top }) else { break }
            top = next
        }
        if top.subject == top.issuer {
            return "the chain ends at \(NameFormatter.oneLine(top.subject)), which is not trusted (wrong CA given?)"
        }
        return "no chain to a trusted certificate: issuer \(NameFormatter.oneLine(top.issuer)) not found (neither sent by the server nor trusted: missing intermediate or wrong CA)"
    }

    static func namesMatch(_ certificate: Certificate, name: String, isIP: Bool) -> Bool {
        let names = (((try? certificate.extensions.subjectAlternativeNames) ?? nil).map { Array($0) }) ?? []
        if isIP {
            guard let bytes = IPAddressText.bytes(name) else { return false }
            return names.contains { if case .ipAddress(let address) = $0 { return Array(address.bytes) == bytes } else { return false } }
        }
        return SubjectAltNames(names).dnsNames.contains { HostNameMatch.matches(name, pattern: $0) }
    }

    /// Every certificate in the files of a directory (as CACertPath is read).
    static func certificates(inDirectory path: String) -> [Certificate] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var result: [Certificate] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard !name.hasPrefix(".") else { continue }
            let full = Paths.join(path, name)
            guard FileReading.isRegularFile(full), let file = try? MaterialFile.load(full) else { continue }
            for (certificate, _) in file.certificates where !result.contains(certificate) { result.append(certificate) }
        }
        return result
    }
}
