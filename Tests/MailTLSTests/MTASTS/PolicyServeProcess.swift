import Foundation
@testable import MailTLS

/// `mailtls mta-sts serve` run as a separate process on a certs directory made by the test CA
/// (`ca init` + `ca sign` for `host`), in a fresh root-only directory; stopped by its PID.
final class PolicyServeProcess: @unchecked Sendable {
    let directory: String
    let certs: CertsLayout
    /// The test CA's certificate: what curl, the fetcher and mta-sts-query trust.
    let caFile: String
    let policyFile: String
    let address: String
    let port: UInt16
    private var pid: pid_t = 0

    init(host: String, address: String = "127.0.0.1", port: UInt16? = nil) throws {
        directory = try SafeDirectory.make()
        let made = try DANEFixtures.caChain(directory: directory, host: host)
        certs = made.certs
        caFile = made.ca.certificatePath
        policyFile = directory + "/mta-sts.txt"
        self.address = address
        self.port = try port ?? FreePort.find()
    }

    var output: String { (try? String(contentsOfFile: directory + "/serve.out", encoding: .utf8)) ?? "" }

    /// Starts the server and waits until it says it serves.
    func start() throws {
        guard let started = spawnDaemon([MailTLSBinary.path, "mta-sts", "serve", "--dir", certs.directory, "--policy", policyFile,
                                         "--listen", "\(address):\(port)"],
                                        stdout: directory + "/serve.out", stderr: directory + "/serve.out") else {
            throw HarnessError("cannot start mailtls mta-sts serve")
        }
        pid = started
        let deadline = Date().addingTimeInterval(20)
        while !output.contains("serving ") {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                pid = 0
                throw HarnessError("mailtls mta-sts serve exited: \(output)")
            }
            guard Date() < deadline else { stop(); throw HarnessError("mailtls mta-sts serve did not start within 20 s: \(output)") }
            usleep(50_000)
        }
    }

    func stop() { stopDaemon(&pid, grace: 5) }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
