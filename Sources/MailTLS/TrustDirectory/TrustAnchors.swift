import X509

/// The certificates an MTA trusts: those in its CAfile (Sendmail's CACertFile, Postfix's
/// `smtpd_tls_CAfile`) and in the certificate files of its CApath directory.
///
/// The one loader of trust in mailtls: `check`, `probe`, `serve --ask-client-cert` and
/// `tlsa` read it here and hand it to ``ChainVerifier``. A CApath is read as `rehash`
/// sees it (``DirectoryScan``): the certificate files (`*.pem *.crt *.cer`), the files
/// hash links lead to, and regular files under hash names (a copied /etc/ssl/certs).
/// Files that cannot be read or hold no certificate are left out: other rules and
/// commands (`check`, `rehash`, `bundle check`) say what is wrong with them.
public struct TrustAnchors: Sendable {
    public var certificates: [Certificate]

    public init(_ certificates: [Certificate] = []) {
        self.certificates = []
        add(certificates)
    }

    public var isEmpty: Bool { certificates.isEmpty }

    /// Reads `caFile` and `caPath`, either of which may be nil. `read` reads one file
    /// (the check rules pass their cache).
    public static func load(caFile: String?, caPath: String?,
                            read: (String) -> [Certificate] = TrustAnchors.certificates(in:)) -> TrustAnchors {
        var anchors = TrustAnchors()
        if let caFile { anchors.add(read(caFile)) }
        if let caPath { for path in files(inDirectory: caPath) { anchors.add(read(path)) } }
        return anchors
    }

    /// The certificates in one PEM or DER file; none when it cannot be read.
    public static func certificates(in path: String) -> [Certificate] {
        ((try? MaterialFile.load(path))?.certificates.map(\.certificate)) ?? []
    }

    /// The files of a CA directory that may hold trusted certificates, in byte order.
    static func files(inDirectory directory: String) -> [String] {
        guard let scan = try? DirectoryScan.scan(directory) else { return [] }
        var names = Set(scan.candidates.map(\.name))
        names.formUnion(scan.ownLinks.values)
        names.formUnion(scan.blocked.compactMap { $0.value == DirectoryScan.regularFileReason ? $0.key.text : nil })
        return ByteOrder.sorted(Array(names)) { $0 }.map { Paths.join(directory, $0) }
    }

    private mutating func add(_ more: [Certificate]) {
        for certificate in more where !certificates.contains(certificate) { certificates.append(certificate) }
    }
}
