import Foundation
import Testing

/// A real ACME server for the tests: Debian's `pebble`, with `pebble-challtestsrv` as its
/// DNS (every name is 127.0.0.1; dns-01 TXT records are set through its management API).
/// Pebble's own HTTPS certificate is made by mailtls (`ca init` + `csr` + `ca sign`), so the
/// client trusts it with `--ca-bundle`. Everything listens on 127.0.0.1 at free ports and is
/// stopped by PID.
final class PebbleServer: @unchecked Sendable {
    static let pebble = "/usr/bin/pebble"
    static let challengeServer = "/usr/bin/pebble-challtestsrv"
    static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: pebble) && FileManager.default.isExecutableFile(atPath: challengeServer) }
    /// Tests need pebble unless it is missing on a machine where nobody asked for it.
    static var shouldRun: Bool { isInstalled || ProcessInfo.processInfo.environment["MAILTLS_REQUIRE_MTA"] == "1" }

    /// A directory only root can write (Sendmail's file checks, which `acme issue` runs, refuse /tmp).
    let directory: String
    let acmePort: UInt16, managementPort: UInt16, httpPort: UInt16, dnsPort: UInt16, challengeManagementPort: UInt16
    /// The CA that signed pebble's HTTPS certificate: give it to mailtls as --ca-bundle.
    let tlsCA: String
    private var pebblePID: pid_t = 0
    private var challengePID: pid_t = 0

    var directoryURL: String { "https://127.0.0.1:\(acmePort)/dir" }
    /// The options every mailtls acme command needs to talk to this server.
    var serverArguments: [String] { ["--server", directoryURL, "--ca-bundle", tlsCA] }

    /// - Parameters:
    ///   - nonceRejectPercent: PEBBLE_WFE_NONCEREJECT (pebble's default is 5).
    ///   - validityDays: the lifetime of the certificates it issues (pebble's default is 5 years).
    init(nonceRejectPercent: Int = 5, validityDays: Int? = nil) throws {
        guard Self.isInstalled else { throw HarnessError("pebble is not installed (apt-get install pebble); scripts/test installs it") }
        directory = try SafeDirectory.make()
        acmePort = try FreePort.find(); managementPort = try FreePort.find(); httpPort = try FreePort.find()
        dnsPort = try FreePort.find(); challengeManagementPort = try FreePort.find()
        let tls = directory + "/pebble-tls", ca = directory + "/pebble-tls-ca"
        for arguments in [["ca", "init", "--dir", ca, "--subject", "/CN=mailtls test ACME TLS CA"],
                          ["csr", "--dir", tls, "--subject", "/CN=localhost", "--san", "IP:127.0.0.1", "--batch"],
                          ["ca", "sign", "--dir", ca, tls + "/host.csr", "--yes"]] {
            let made = try MailTLSBinary.run(arguments)
            guard made.status == 0 else { throw HarnessError("mailtls \(arguments.joined(separator: " ")): \(made.stderr)") }
        }
        tlsCA = ca + "/ca.cert"
        var config = """
        {"pebble": {"listenAddress": "127.0.0.1:\(acmePort)", "managementListenAddress": "127.0.0.1:\(managementPort)",
          "certificate": "\(tls)/host.cert", "privateKey": "\(tls)/host.key", "httpPort": \(httpPort), "tlsPort": \(try FreePort.find()),
          "ocspResponderURL": "", "externalAccountBindingRequired": false
        """
        if let validityDays { config += #", "certificateValidityPeriod": \#(validityDays * 86_400)"# }
        config += "}}\n"
        try config.write(toFile: directory + "/pebble.json", atomically: true, encoding: .utf8)

        guard let challenge = spawnDaemon([Self.challengeServer, "-dns01", "127.0.0.1:\(dnsPort)", "-http01", "", "-https01", "",
                                           "-tlsalpn01", "", "-management", "127.0.0.1:\(challengeManagementPort)",
                                           "-defaultIPv4", "127.0.0.1", "-defaultIPv6", ""],
                                          stdout: directory + "/challtestsrv.log", stderr: directory + "/challtestsrv.log") else {
            throw HarnessError("cannot start pebble-challtestsrv")
        }
        challengePID = challenge
        // PEBBLE_VA_NOSLEEP: no random 0–15 s validation delay; the validation itself is real.
        guard let server = spawnDaemon(["/usr/bin/env", "PEBBLE_VA_NOSLEEP=1", "PEBBLE_WFE_NONCEREJECT=\(nonceRejectPercent)",
                                        Self.pebble, "-config", directory + "/pebble.json", "-dnsserver", "127.0.0.1:\(dnsPort)"],
                                       stdout: directory + "/pebble.log", stderr: directory + "/pebble.log") else {
            stop()
            throw HarnessError("cannot start pebble")
        }
        pebblePID = server
        let deadline = Date().addingTimeInterval(20)
        while !(SMTPClient.canConnect(port: acmePort) && SMTPClient.canConnect(port: managementPort) && SMTPClient.canConnect(port: challengeManagementPort)) {
            guard Date() < deadline else {
                let log = (try? String(contentsOfFile: directory + "/pebble.log", encoding: .utf8)) ?? ""
                stop()
                throw HarnessError("pebble did not start within 20 s: \(log.suffix(500))")
            }
            usleep(50_000)
        }
    }

    /// A fresh certs directory inside the server's safe directory.
    func certsDirectory(_ name: String = "certs") throws -> String {
        let path = directory + "/" + name
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        return path
    }

    /// GET on pebble's management interface (HTTPS with the same certificate).
    func management(_ path: String) throws -> String {
        let result = try run("/usr/bin/curl", ["-sf", "--cacert", tlsCA, "https://127.0.0.1:\(managementPort)\(path)"])
        guard result.status == 0 else { throw HarnessError("curl \(path): exit \(result.status) \(result.stderr)") }
        return result.stdout
    }

    /// Pebble's root, which changes at every start: what the issued chain must verify to.
    func rootPEM() throws -> String { try management("/roots/0") }

    /// Pebble's idea of a certificate's status: "Valid" or "Revoked", and the reason code.
    func status(serial: String) throws -> (status: String, reason: Int?) {
        let json = try JSONSerialization.jsonObject(with: Data(try management("/cert-status-by-serial/\(serial)").utf8)) as? [String: Any] ?? [:]
        return (json["Status"] as? String ?? "?", json["Reason"] as? Int)
    }

    /// A dns-01 hook script that sets and clears TXT records in pebble-challtestsrv and logs each call.
    func writeDNSHook(log: String) throws -> String {
        let path = directory + "/dns-hook.sh"
        let api = "http://127.0.0.1:\(challengeManagementPort)"
        try """
        #!/bin/sh
        # mailtls acme issue --dns-hook: $1 = set|clear, $2 = record name, $3 = TXT value
        echo "$1 $2 $3 env=$MAILTLS_ACME_ACTION,$MAILTLS_ACME_DOMAIN" >> \(log)
        case "$1" in
        set) exec /usr/bin/curl -sf -X POST -d "{\\"host\\":\\"$2\\",\\"value\\":\\"$3\\"}" \(api)/set-txt ;;
        clear) exec /usr/bin/curl -sf -X POST -d "{\\"host\\":\\"$2\\"}" \(api)/clear-txt ;;
        esac
        exit 2

        """.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
        return path
    }

    func stop() {
        stopDaemon(&pebblePID)
        stopDaemon(&challengePID)
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
