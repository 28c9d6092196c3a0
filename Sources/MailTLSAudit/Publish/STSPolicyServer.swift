import MailTLS
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// `mailtls mta-sts serve`: the policy host for admins without a web server. HTTPS only, with
/// a certs directory's key and certificate (the one TLS loader `serve` uses; SNI is accepted
/// and the same certificate is presented for every name), answering exactly
/// `GET /.well-known/mta-sts.txt` with the policy file as `text/plain` and 404 to anything
/// else: no redirects, no directory, no other file.
///
/// The policy file is re-read for every request (a few hundred bytes), so a policy changed
/// with `mta-sts change` is served at once; a file that has become invalid is answered with
/// 404 rather than served, since senders would reject it anyway. Requests are bounded: a
/// head over 8 KiB, any body, more than 64 KiB sent on one connection, or 10 seconds of
/// silence close the connection.
public final class STSPolicyServer: Sendable {
    public let port: Int
    private let channel: any Channel

    private init(port: Int, channel: any Channel) {
        self.port = port
        self.channel = channel
    }

    /// Checks the policy file, loads the TLS material and binds `host:port` (0: a free port).
    public static func start(layout: CertsLayout, policyFile: String, host: String, port: Int,
                             log: @escaping @Sendable (String) -> Void) async throws -> STSPolicyServer {
        let contents = try STSPolicyFile.read(policyFile)
        if contents.reading.policy == nil {
            let error = contents.reading.findings.first { $0.severity == .error }
            throw MailTLSError(policyFile, "is not a valid policy: \(error?.message ?? "unreadable")", remedy: "write it with mailtls mta-sts policy")
        }
        let (certificates, key) = try ServerTLSMaterial.load(layout)
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: certificates.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        let context = try NIOSSLContext(configuration: configuration)
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    let peer = child.remoteAddress?.ipAddress ?? "unknown"
                    try child.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    try child.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: .seconds(10)))
                    try child.pipeline.syncOperations.addHandler(InboundByteLimit(limit: STSPolicyServer.connectionLimit))
                    try child.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try child.pipeline.syncOperations.addHandler(PolicyHTTPHandler(policyFile: policyFile, peer: peer, log: log))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: host, port: port).get()
        } catch {
            throw MailTLSError("\(host):\(port)", "cannot listen (\(error))", remedy: "choose another --listen ADDR:PORT (port 443 needs root or CAP_NET_BIND_SERVICE)")
        }
        return STSPolicyServer(port: channel.localAddress?.port ?? port, channel: channel)
    }

    public func wait() async throws { try await channel.closeFuture.get() }

    public func stop() async { try? await channel.close() }

    /// The largest request head answered; more closes the connection.
    static let headLimit = 8 * 1024
    /// The most bytes a client may send on one connection (NIO's HTTP parser does not bound a
    /// head by itself): room for dozens of requests, not for a flood.
    static let connectionLimit = 64 * 1024
}

/// Closes the connection once the client has sent more than `limit` bytes (decrypted).
private final class InboundByteLimit: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    private let limit: Int
    private var received = 0

    init(limit: Int) { self.limit = limit }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard received <= limit else { return }
        received += unwrapInboundIn(data).readableBytes
        if received > limit {
            context.close(promise: nil)
            return
        }
        context.fireChannelRead(data)
    }
}

/// Answers one request at a time on its channel's event loop.
private final class PolicyHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    private let policyFile: String
    private let peer: String
    private let log: @Sendable (String) -> Void
    private var head: HTTPRequestHead?
    private var bodyBytes = 0
    /// Set once the connection is being closed: nothing more is answered.
    private var closing = false

    init(policyFile: String, peer: String, log: @escaping @Sendable (String) -> Void) {
        self.policyFile = policyFile
        self.peer = peer
        self.log = log
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        switch unwrapInboundIn(data) {
        case .head(let request):
            let size = request.uri.utf8.count + request.headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 }
            guard size <= STSPolicyServer.headLimit else {
                log("\(peer) request head over \(STSPolicyServer.headLimit) bytes: closed")
                closing = true
                context.close(promise: nil)
                return
            }
            head = request
            bodyBytes = 0
        case .body(let buffer):
            bodyBytes += buffer.readableBytes
            if bodyBytes > 0 {
                log("\(peer) request with a body: closed")
                closing = true
                context.close(promise: nil)
            }
        case .end:
            if let head { respond(to: head, context: context) }
            head = nil
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent { context.close(promise: nil) } else { context.fireUserInboundEventTriggered(event) }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    private func respond(to request: HTTPRequestHead, context: ChannelHandlerContext) {
        var body: [UInt8]?
        if request.method == .GET, request.uri == STSPublication.wellKnownPath,
           let contents = try? STSPolicyFile.read(policyFile), contents.reading.policy != nil {
            body = contents.bytes
        }
        let status: HTTPResponseStatus = body == nil ? .notFound : .ok
        let bytes = body ?? Array("not found\n".utf8)
        log("\(peer) \(request.method) \(String(request.uri.prefix(200))) \(status.code)")
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/plain")
        headers.add(name: "Content-Length", value: String(bytes.count))
        headers.add(name: "Cache-Control", value: "no-cache")
        let keepAlive = request.isKeepAlive
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: bytes)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            if !keepAlive { context.close(promise: nil) }
        }
    }
}
