#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import X509

/// `mailtls csr`: a certificate request for the directory's key, making the key first
/// when it is missing.
public enum RequestWriter {
    public static func write(_ layout: CertsLayout, subject: Subject, altNames: SubjectAltNames,
                             keyOptions: KeyOptions, force: Bool, now: Date = Date()) throws -> [WrittenFile] {
        let layout = try layout.validated()
        try FileInstaller.ensureFree(layout.requestPath, kind: "request", force: force)
        let (key, madeKey) = try KeyMaker.loadOrMake(layout, options: keyOptions)
        let request = try RequestMaker.make(subject: subject, altNames: altNames, key: key)
        let written = try FileInstaller.install(try Encoding.pem(request), at: layout.requestPath, kind: "request",
                                                mode: .shared, force: force, now: now)
        return [madeKey, written].compactMap { $0 }
    }
}
