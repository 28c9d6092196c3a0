import Foundation
import X509
@testable import MailTLS
import MailTLSAudit

/// A real nginx serving MTA-STS policies over HTTPS for the fetcher tests: one `server`
/// block per case, chosen by SNI, all on one port (a free 127.0.0.1 one unless told); the
/// fetcher reaches every `mta-sts.<case>.example.test` there through `connectTo`. Certificates come from a test CA
/// made with mailtls's own `ca` code (`ca init` + `ca sign`); the ones `ca` would refuse to
/// make (expired, no subjectAltName, another CA) are built with swift-certificates under the
/// same CA key. The config, pid file, logs and TLS material are in a fresh root-only
/// directory; nginx runs in the foreground (`daemon off;`) and is stopped by its PID.
final class PolicyWebServer: @unchecked Sendable {
    static let nginx = "/usr/sbin/nginx"
    static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: nginx) }
    static var shouldRun: Bool { isInstalled || ProcessInfo.processInfo.environment["MAILTLS_REQUIRE_MTA"] == "1" }

    /// A good policy, LF lines.
    static let policy = "version: STSv1\nmode: enforce\nmx: mail.example.test\nmx: *.mx.example.test\nmax_age: 604800\n"

    /// One case: the policy host's name, the certificate it presents and what its
    /// `/.well-known/mta-sts.txt` location does (nginx directives).
    struct Site {
        var name: String
        var tls: (certificate: String, key: String)
        var location: String
    }

    let directory: String
    let address: String
    let port: UInt16
    /// The test CA's certificate: the fetcher's only trust anchor.
    let caFile: String
    /// The test CA (certificate and key) for certificates made in tests.
    let ca: ChainVerifierOpenSSLTests.Issued
    private let otherCA: ChainVerifierOpenSSLTests.Issued
    private let goodCertificate: (certificate: String, key: String)
    private var pid: pid_t = 0

    var anchors: [Certificate] { TrustAnchors.certificates(in: caFile) }

    /// Options that send every `mta-sts.*.example.test:443` (and `extra`) here.
    func options(timeout: Double = 10, names: [String]) -> STSFetchOptions {
        STSFetchOptions(anchors: anchors, timeout: timeout,
                        connectTo: names.map { ConnectTo(name: $0, port: 443, address: address, addressPort: Int(port)) })
    }

    /// What a site's certificate is like.
    enum CertificateKind {
        /// Signed by the test CA, naming the site.
        case good
        /// Signed by the test CA, naming `mail.example.test` only.
        case wrongName
        /// Signed by the test CA, naming the site, expired two days ago.
        case expired
        /// Naming the site, signed by a CA nobody trusts.
        case untrusted
        /// Signed by the test CA, the site's name in the Common Name only (no subjectAltName).
        case commonNameOnly
    }

    /// Makes the CA and the directory; `start` writes the sites and starts nginx on
    /// `address`:`port` (a free port when nil).
    init(address: String = "127.0.0.1", port: UInt16? = nil) throws {
        guard Self.isInstalled else { throw HarnessError("nginx is not installed (apt-get install nginx-light; scripts/test installs it)") }
        directory = try SafeDirectory.make()
        self.address = address
        self.port = try port ?? FreePort.find()
        let made = try DANEFixtures.caChain(directory: directory, host: "mta-sts.example.test")
        caFile = made.ca.certificatePath
        goodCertificate = (made.certs.certificatePath, made.certs.keyPath)
        let caKey = try Certificate.PrivateKey(pemEncoded: String(contentsOfFile: made.ca.keyPath, encoding: .utf8))
        ca = ChainVerifierOpenSSLTests.Issued(certificate: try MaterialFile.load(caFile).certificates[0].certificate, key: caKey)
        otherCA = try ChainVerifierOpenSSLTests.issue("Other CA", ca: true)
        try FileManager.default.createDirectory(atPath: directory + "/www", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory + "/tls", withIntermediateDirectories: true)
    }

    /// The fetcher tests' sites, one per case, under example.test.
    func startCases() throws {
        let policy = try page("policy.txt", Self.policy)
        var big = Self.policy
        while big.utf8.count < 100 * 1024 { big += "x-filler: " + String(repeating: "a", count: 100) + "\n" }
        let bigPage = try page("big.txt", big)
        try start([
            site("mta-sts.example.test", .good, "default_type text/plain; alias \(policy);"),
            site("mta-sts.charset.example.test", .good, "default_type \"text/plain; charset=utf-8\"; alias \(policy);"),
            site("mta-sts.notfound.example.test", .good, "return 404;"),
            site("mta-sts.redirect.example.test", .good, "return 301 https://www.example.test/mta-sts.txt;"),
            site("mta-sts.html.example.test", .good, "default_type text/html; alias \(policy);"),
            site("mta-sts.big.example.test", .good, "default_type text/plain; alias \(bigPage);"),
            site("mta-sts.wrongname.example.test", .wrongName, "default_type text/plain; alias \(policy);"),
            site("mta-sts.expired.example.test", .expired, "default_type text/plain; alias \(policy);"),
            site("mta-sts.untrusted.example.test", .untrusted, "default_type text/plain; alias \(policy);"),
            site("mta-sts.cnonly.example.test", .commonNameOnly, "default_type text/plain; alias \(policy);"),
        ].map { try $0() })
    }

    /// Writes `text` as www/`name`; returns its path.
    func page(_ name: String, _ text: String) throws -> String {
        let path = directory + "/www/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A site named `name` with a certificate of `kind`, its policy location doing `location`.
    func site(_ name: String, _ kind: CertificateKind, _ location: String) -> () throws -> Site {
        { Site(name: name, tls: try self.certificate(for: name, kind), location: location) }
    }

    /// Writes the config for `sites`, starts nginx and waits until it listens.
    func start(_ sites: [Site]) throws {
        try config(sites).write(toFile: directory + "/nginx.conf", atomically: true, encoding: .utf8)
        guard let started = spawnDaemon([Self.nginx, "-e", directory + "/error.log", "-c", directory + "/nginx.conf", "-g", "daemon off;"],
                                        stdout: directory + "/nginx.out", stderr: directory + "/nginx.out") else {
            throw HarnessError("cannot start nginx")
        }
        pid = started
        let deadline = Date().addingTimeInterval(20)
        while !Self.canConnect(address, port) {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                pid = 0
                throw HarnessError("nginx exited: \(log)")
            }
            guard Date() < deadline else { stop(); throw HarnessError("nginx did not listen within 20 s: \(log)") }
            usleep(50_000)
        }
    }

    /// The certificate and key files for `host`.
    private func certificate(for host: String, _ kind: CertificateKind) throws -> (certificate: String, key: String) {
        if kind == .good, host == "mta-sts.example.test" { return goodCertificate }
        let serverAuth: [ExtendedKeyUsage.Usage] = [.serverAuth]
        let issued: ChainVerifierOpenSSLTests.Issued
        switch kind {
        case .good: issued = try ChainVerifierOpenSSLTests.issue(host, by: ca, ca: false, names: [host], usage: serverAuth)
        case .wrongName: issued = try ChainVerifierOpenSSLTests.issue("mail.example.test", by: ca, ca: false, names: ["mail.example.test"], usage: serverAuth)
        case .expired:
            issued = try ChainVerifierOpenSSLTests.issue(host, by: ca, ca: false, names: [host], usage: serverAuth, from: -40 * 86400, to: -2 * 86400)
        case .untrusted: issued = try ChainVerifierOpenSSLTests.issue(host, by: otherCA, ca: false, names: [host], usage: serverAuth)
        case .commonNameOnly: issued = try ChainVerifierOpenSSLTests.issue(host, by: ca, ca: false, names: [], usage: serverAuth)
        }
        return try write(host, issued)
    }

    private static func canConnect(_ address: String, _ port: UInt16) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var target = sockaddr_in()
        target.sin_family = sa_family_t(AF_INET)
        target.sin_addr.s_addr = inet_addr(address)
        target.sin_port = port.bigEndian
        return withUnsafePointer(to: &target) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    var log: String {
        ["nginx.out", "error.log"].map { ((try? String(contentsOfFile: directory + "/" + $0, encoding: .utf8)) ?? "") }.joined(separator: "\n")
    }

    func stop() { stopDaemon(&pid, grace: 5) }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Writes a certificate and its key as PEM into tls/; returns their paths.
    private func write(_ label: String, _ issued: ChainVerifierOpenSSLTests.Issued) throws -> (certificate: String, key: String) {
        let certificate = directory + "/tls/\(label).cert", key = directory + "/tls/\(label).key"
        try issued.pem.write(toFile: certificate, atomically: true, encoding: .utf8)
        try issued.key.serializeAsPEM().pemString.write(toFile: key, atomically: true, encoding: .utf8)
        chmod(key, 0o600)
        return (certificate, key)
    }

    private func config(_ sites: [Site]) -> String {
        let servers = sites.map { site in
            """
                server {
                    listen \(address):\(port) ssl;
                    server_name \(site.name);
                    ssl_certificate \(site.tls.certificate);
                    ssl_certificate_key \(site.tls.key);
                    location = /.well-known/mta-sts.txt { \(site.location) }
                    location / { return 404; }
                }
            """
        }.joined(separator: "\n")
        let temp = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map { "    \($0)_temp_path \(directory)/temp-\($0);" }.joined(separator: "\n")
        return """
        worker_processes 1;
        pid \(directory)/nginx.pid;
        error_log \(directory)/error.log;
        events { worker_connections 64; }
        http {
            access_log \(directory)/access.log;
        \(temp)
            types { }
            default_type application/octet-stream;
        \(servers)
        }

        """
    }
}
