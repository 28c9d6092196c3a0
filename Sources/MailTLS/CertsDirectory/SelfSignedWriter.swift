#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import X509

/// `mailtls self`: a self-signed certificate for the directory's key.
public enum SelfSignedWriter {
    /// Where the subject and names come from.
    public enum Source: Sendable {
        /// A subject and extra names given by the admin.
        case subject(Subject, SubjectAltNames)
        /// An existing request (for a renewal that keeps its key): its subject and names,
        /// after checking its signature and that it belongs to the directory's key.
        case request(path: String, extraNames: SubjectAltNames)
    }

    public static func write(_ layout: CertsLayout, source: Source, days: Int, keyOptions: KeyOptions,
                             force: Bool, now: Date = Date()) throws -> [WrittenFile] {
        let layout = try layout.validated()
        try SelfSigner.checkDays(days)
        try FileInstaller.ensureFree(layout.certificatePath, kind: "certificate", force: force)
        let subject: DistinguishedName
        var names: SubjectAltNames
        var key: Certificate.PrivateKey
        var madeKey: WrittenFile?
        switch source {
        case .subject(let given, let extra):
            (key, madeKey) = try KeyMaker.loadOrMake(layout, options: keyOptions)
            subject = try given.distinguishedName()
            names = extra
        case .request(let path, let extra):
            let (request, _) = try MaterialFile.load(path).request()
            guard RequestMaker.hasValidSignature(request) else {
                throw MailTLSError(path, "the request's signature does not verify", remedy: "make the request again with mailtls csr")
            }
            key = try MaterialFile.load(layout.keyPath).privateKey()
            guard key.publicKey == request.publicKey else {
                throw MailTLSError(path, "was made for another key than \(layout.keyPath)",
                                   remedy: "use --file with the name the request was made with, e.g. --file new for new.csr")
            }
            subject = request.subject
            names = RequestMaker.requestedAltNames(request)
            for name in extra.names { names.add(name) }
        }
        let certificate = try SelfSigner.make(subject: subject, altNames: names, key: key, days: days, now: now)
        let written = try FileInstaller.install(try Encoding.pem(certificate), at: layout.certificatePath,
                                                kind: "certificate", mode: .shared, force: force, now: now)
        return [madeKey, written].compactMap { $0 }
    }
}
