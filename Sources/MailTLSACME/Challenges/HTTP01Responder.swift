import Foundation
import MailTLS
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// http-01 answered by mailtls itself: a tiny HTTP server that serves
/// `/.well-known/acme-challenge/TOKEN` with the key authorization and 404 for everything
/// else, listening only while the order is in progress.
final class HTTP01Responder: ChallengeSolver, Sendable {
    let type = "http-01"
    private let port: Int
    private let tokens = NIOLockedValueBox<[String: String]>([:])
    private let channel = NIOLockedValueBox<Channel?>(nil)

    init(port: Int) {
        self.port = port
    }

    func prepare(name: String, token: String, keyAuthorization: String) async throws {
        tokens.withLockedValue { $0[token] = keyAuthorization }
        try await startIfNeeded()
    }

    func cleanUp(name: String, token: String, keyAuthorization: String) async {
        tokens.withLockedValue { _ = $0.removeValue(forKey: token) }
    }

    func finish() async {
        if let channel = channel.withLockedValue({ $0 }) { try? await channel.close() }
        channel.withLockedValue { $0 = nil }
    }

    /// Binds `[::]:port` (both address families on Linux), or 0.0.0.0 on a host without IPv6.
    private func startIfNeeded() async throws {
        guard channel.withLockedValue({ $0 }) == nil else { return }
        let tokens = self.tokens
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                // Made on the child's event loop, where the handler lives (it is not Sendable).
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.configureHTTPServerPipeline()
                    try child.pipeline.syncOperations.addHandler(ChallengeHTTPHandler(tokens: tokens))
                }
            }
        var lastError: Error?
        for host in ["::", "0.0.0.0"] {
            do {
                let bound = try await bootstrap.bind(host: host, port: port).get()
                channel.withLockedValue { $0 = bound }
                return
            } catch {
                lastError = error
            }
        }
        throw MailTLSError("port \(port)", "cannot listen for the http-01 challenge (\(lastError.map { String(describing: $0) } ?? "unknown"))",
                           remedy: "stop the web server on that port for a moment, or use --webroot DIR (its document root) or --challenge dns-01")
    }
}

/// Answers one HTTP/1 request at a time from the token table. Used on its channel's event
/// loop only.
private final class ChallengeHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    private static let prefix = "/.well-known/acme-challenge/"
    private let tokens: NIOLockedValueBox<[String: String]>
    private var uri: String?
    private var keepAlive = false

    init(tokens: NIOLockedValueBox<[String: String]>) {
        self.tokens = tokens
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            uri = head.uri
            keepAlive = head.isKeepAlive
        case .body:
            break
        case .end:
            respond(context: context)
        }
    }

    private func respond(context: ChannelHandlerContext) {
        var answer: String?
        if let uri, uri.hasPrefix(Self.prefix) {
            let token = String(uri.dropFirst(Self.prefix.count))
            answer = tokens.withLockedValue { $0[token] }
        }
        let body = answer ?? "not found\n"
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: answer == nil ? "text/plain" : "application/octet-stream")
        headers.add(name: "Content-Length", value: String(body.utf8.count))
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        let head = HTTPResponseHead(version: .http1_1, status: answer == nil ? .notFound : .ok, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
        let keepAlive = self.keepAlive
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            if !keepAlive { context.close(promise: nil) }
        }
        uri = nil
    }
}
