import Crypto
import Foundation
import MailTLS

/// What Sendmail needs besides host.key and host.cert before it offers STARTTLS at all: a
/// CA file (`cacert.pem`) and a hashed CA directory (`CA/`), both holding the CA that
/// issued host.cert. OpenSSL also builds the chain it sends to peers from them.
enum TrustDeployment {
    /// Where `mailtls setup` also looks for the system's public CAs.
    static let systemBundle = "/etc/ssl/certs/ca-certificates.crt"

    /// Makes cacert.pem and CA/ when missing, and adds the issuing CA to CA/ when it is not
    /// there yet (an existing cacert.pem is the admin's and is left alone). Returns what it
    /// wrote, and what splitting the system bundle and rehashing CA/ reported.
    static func ensure(_ layout: CertsLayout, issuers chain: IssuedChain, now: Date) throws -> (written: [String], findings: [Finding]) {
        guard !chain.issuerFiles.isEmpty else { return ([], []) }
        var written: [String] = []
        var findings: [Finding] = []
        if !FileReading.exists(layout.caBundlePath) {
            try AtomicFile.write(chain.issuersPEM, to: layout.caBundlePath, mode: .shared, existing: .refuse)
            written.append(layout.caBundlePath)
        }
        let caDirectory = layout.caDirectoryPath
        if !FileReading.isDirectory(caDirectory) {
            try Directories.make(caDirectory)
            // As setup does: the public CAs, so the MTA's client side can verify its peers.
            if FileReading.exists(systemBundle) { findings += try BundleSplit.split(systemBundle, into: caDirectory).findings }
            written.append("\(caDirectory) (the system's CAs, hash-linked)")
        }
        // Named by fingerprint, so the same CA is never written twice and a new one (the CA
        // rotates its intermediates) gets a file of its own beside the old.
        for issuer in chain.issuerFiles {
            let fingerprint = Hex.lower(Array(SHA256.hash(data: issuer.der).prefix(8)))
            let path = Paths.join(caDirectory, "acme-issuer-\(fingerprint).pem")
            if !FileReading.exists(path) {
                try AtomicFile.write(issuer.pem, to: path, mode: .shared, existing: .refuse)
                written.append(path)
            }
        }
        findings += try Rehash.run(caDirectory, options: RehashOptions(now: Int64(now.timeIntervalSince1970)), dryRun: false).findings
        return (written, findings)
    }
}
