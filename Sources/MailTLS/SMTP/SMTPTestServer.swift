import NIOCore
import NIOPosix
import NIOSSL
import X509

/// `mailtls serve`: a small STARTTLS SMTP server on a certs directory, for trying `probe`
/// and `check` without a mail server and for the tests' real TLS sessions. Each connection
/// is its own channel, so a slow client never blocks the others.
public final class SMTPTestServer: Sendable {
    public let port: Int
    private let channel: any Channel

    private init(port: Int, channel: any Channel) {
        self.port = port
        self.channel = channel
    }

    /// Binds `listen:port` (port 0 picks a free one) and serves until `stop`.
    public static func start(layout: CertsLayout, options: ServeOptions, listen: String, port: Int,
                             log: @escaping @Sendable (ServeSessionLog) -> Void) async throws -> SMTPTestServer {
        let (certificates, key) = try ServerTLSMaterial.load(layout)
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: certificates.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv1
        if options.askClientCertificate { configuration.certificateVerification = .optionalVerification }
        let context = try NIOSSLContext(configuration: configuration)
        let trusted = options.askClientCertificate ? trustedCertificates(layout) : []
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    let peer = child.remoteAddress?.ipAddress ?? "unknown"
                    let sniffer = OutboundServerHelloSniffer()
                    let chain = PeerChainBox()
                    let store = options.maildir.map { MaildirStore(directory: $0, hostName: options.hostName) }
                    let handler = ServerSessionHandler(options: options, peer: peer, sniffer: sniffer, clientChain: chain, trusted: trusted,
                                                       store: store, log: log) {
                        guard options.askClientCertificate else { return NIOSSLServerHandler(context: context) }
                        return NIOSSLServerHandler(context: context) { certificates, verification in
                            chain.chain = certificates.compactMap { try? $0.toDERBytes() }
                            verification.succeed(.certificateVerified) // judged by the session, for verify=
                        }
                    }
                    try child.pipeline.syncOperations.addHandlers([sniffer, handler])
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: listen, port: port).get()
        } catch {
            throw MailTLSError("\(listen):\(port)", "cannot listen (\(Prober.describe(error)))", remedy: "choose another --port or --listen")
        }
        return SMTPTestServer(port: channel.localAddress?.port ?? port, channel: channel)
    }

    /// Waits until the server is stopped.
    public func wait() async throws { try await channel.closeFuture.get() }

    public func stop() async { try? await channel.close() }

    /// cacert.pem's and CA/'s certificates, for judging client certificates.
    static func trustedCertificates(_ layout: CertsLayout) -> [Certificate] {
        TrustAnchors.load(caFile: layout.caBundlePath, caPath: layout.caDirectoryPath).certificates
    }
}
