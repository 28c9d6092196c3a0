import NIOSSL

/// The key and certificate chain a server presents, from a certs directory: `fullchain.pem`
/// when there is one (what ACME installs), else `host.cert`; the key and certificate are read
/// by mailtls's own loader first so that a damaged file gets a clear error. Used by
/// `mailtls serve` and `mailtls mta-sts serve`.
public enum ServerTLSMaterial {
    public static func load(_ layout: CertsLayout) throws -> (certificates: [NIOSSLCertificate], key: NIOSSLPrivateKey) {
        let certificatePath = FileReading.exists(layout.fullChainPath) ? layout.fullChainPath : layout.certificatePath
        do {
            _ = try MaterialFile.load(layout.keyPath).privateKey() // the clear error for a bad key, first
            _ = try MaterialFile.load(certificatePath).firstCertificate()
            return (try NIOSSLCertificate.fromPEMFile(certificatePath), try NIOSSLPrivateKey(file: layout.keyPath, format: .pem))
        } catch let error as MailTLSError {
            throw error
        } catch {
            throw MailTLSError(layout.directory, "cannot load the key and certificate for TLS (\(error))", remedy: "run mailtls check --dir \(layout.directory)")
        }
    }
}
