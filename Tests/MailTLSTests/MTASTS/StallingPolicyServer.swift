import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import X509
@testable import MailTLS

/// A hostile policy host nginx cannot play: it completes TLS, answers `200 OK` announcing
/// a body, sends a few bytes of it and then stalls with the connection open. Listens on a
/// free 127.0.0.1 port until `stop()`.
final class StallingPolicyServer: @unchecked Sendable {
    let port: Int
    private let channel: Channel

    /// Serves `certificate` (leaf) with `key`.
    init(certificate: Certificate, key: Certificate.PrivateKey) async throws {
        let pemKey = try key.serializeAsPEM().pemString
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(bytes: Encoding.der(certificate), format: .der))],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(pemKey.utf8), format: .pem)))
        configuration.applicationProtocols = ["http/1.1"]
        let context = try NIOSSLContext(configuration: configuration)
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    try channel.pipeline.syncOperations.addHandler(StallAfterHead())
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress?.port ?? 0
    }

    func stop() async {
        try? await channel.close()
    }
}

/// On the first request bytes: a 200 head for 500 bytes of text/plain, 15 of them, then nothing.
private final class StallAfterHead: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    private var answered = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answered else { return }
        answered = true
        let text = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 500\r\n\r\nversion: STSv1\n"
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: text)), promise: nil)
    }
}
