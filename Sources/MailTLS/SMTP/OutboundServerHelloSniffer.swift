import NIOCore

/// Reads the ServerHello this server sends, for the cipher it chose (NIOSSL does not say).
final class OutboundServerHelloSniffer: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var collected: [UInt8] = []
    private(set) var facts: ServerHelloFacts?

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if facts == nil {
            let buffer = unwrapOutboundIn(data)
            let bytes = Array(buffer.readableBytesView)
            if bytes.first == 22 || !collected.isEmpty {
                collected += bytes.prefix(16_384 - collected.count)
                facts = ServerHelloFacts.parse(collected)
            }
        }
        context.write(data, promise: promise)
    }
}
