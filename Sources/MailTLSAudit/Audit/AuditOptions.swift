import MailTLS
import X509

/// How to audit: which resolver to trust, which CAs a WebPKI certificate must reach, where
/// connections really go, how long to wait.
public struct AuditOptions: Sendable {
    /// The validating resolver whose AD bit DANE is judged by (`--nameserver`).
    public var resolver: DNSResolver
    /// WebPKI trust for MTA-STS (the policy host and each MX): `--ca FILE`, or the system bundle.
    public var anchors: [Certificate]
    /// `--connect-to NAME:PORT:ADDRESS:PORT`: for MX hosts (`mx.example.org:25`), MX
    /// addresses (`192.0.2.1:25`) and policy hosts (`mta-sts.example.org:443`).
    public var connectTo: [ConnectTo]
    /// Seconds for each probe phase and for the policy fetch.
    public var timeout: Double
    /// The SMTP port probed.
    public var port: Int
    /// The EHLO name the probes send.
    public var ehloName: String

    public init(resolver: DNSResolver = DNSResolver(), anchors: [Certificate], connectTo: [ConnectTo] = [],
                timeout: Double = 10, port: Int = 25, ehloName: String = HostName.fullyQualified()) {
        self.resolver = resolver
        self.anchors = anchors
        self.connectTo = connectTo
        self.timeout = timeout
        self.port = port
        self.ehloName = ehloName
    }
}
