import X509

/// What to probe and how.
public struct ProbeOptions: Sendable {
    public enum Trust: Sendable, Equatable {
        /// Do not verify: the verdict is at best NO.
        case none
        /// The certificates in a PEM file (like CACertFile).
        case file(String)
        /// Every certificate in a directory (like CACertPath).
        case directory(String)
        /// Certificates already read (a batch reads its trust once).
        case certificates([Certificate])

        /// The trusted certificates, read now; nil when nothing is to be verified.
        public var anchors: [Certificate]? {
            switch self {
            case .none: return nil
            case .file(let path): return TrustAnchors.load(caFile: path, caPath: nil).certificates
            case .directory(let path): return TrustAnchors.load(caFile: nil, caPath: path).certificates
            case .certificates(let certificates): return certificates
            }
        }

        /// The same trust with the certificates read now, so many probes share one copy.
        public func loaded() -> Trust { anchors.map(Trust.certificates) ?? .none }
    }

    public var host: String
    public var port: Int
    /// The EHLO name; default this machine's FQDN.
    public var ehloName: String
    /// SNI and the name to verify; default the host.
    public var serverName: String?
    public var trust: Trust
    /// Port 465 style: TLS from the first byte, no STARTTLS.
    public var implicitTLS: Bool
    /// Limit for each phase (connect, greeting, each reply, handshake), in seconds.
    public var timeout: Double
    /// TLSA records to match the chain against (RFC 7672), from a file or DNS.
    public var tlsaRecords: [TLSARecord]?

    public init(host: String, port: Int = 25, ehloName: String = HostName.fullyQualified(), serverName: String? = nil,
                trust: Trust = .none, implicitTLS: Bool = false, timeout: Double = 10, tlsaRecords: [TLSARecord]? = nil) {
        self.host = host
        self.port = port
        self.ehloName = ehloName
        self.serverName = serverName
        self.trust = trust
        self.implicitTLS = implicitTLS
        self.timeout = timeout
        self.tlsaRecords = tlsaRecords
    }

    /// The name the certificate must carry.
    public var nameToVerify: String { serverName ?? host }
}
