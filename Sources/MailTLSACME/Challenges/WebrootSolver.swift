import Foundation
import MailTLS

/// http-01 through an existing web server: the key authorization is written to
/// `WEBROOT/.well-known/acme-challenge/TOKEN` (0644, atomically) and removed afterwards.
struct WebrootSolver: ChallengeSolver {
    let type = "http-01"
    let webroot: String

    private func path(_ token: String) -> String {
        "\(webroot)/.well-known/acme-challenge/\(token)"
    }

    func prepare(name: String, token: String, keyAuthorization: String) async throws {
        guard FileReading.isDirectory(webroot) else {
            throw MailTLSError(webroot, "is not a directory", remedy: "give --webroot the document root the web server serves for \(name)")
        }
        try Directories.make("\(webroot)/.well-known/acme-challenge")
        try AtomicFile.write(keyAuthorization, to: path(token), mode: .shared, existing: .replace)
    }

    func cleanUp(name: String, token: String, keyAuthorization: String) async {
        unlink(path(token))
    }
}
