import Foundation
@testable import MailTLS
import NIOCore
import NIOPosix

/// A tiny UDP DNS server on loopback whose every reply is written by the test: the right
/// answer, or a hostile one (cut short, wrong ID, a compression loop, 64 KiB, nothing).
final class ScriptedDNSServer: Sendable {
    let channel: Channel
    let address: DNSServerAddress

    /// `reply` gets each query's bytes and returns the datagram to send back, or nil for none.
    init(host: String = "127.0.0.1", reply: @escaping @Sendable ([UInt8]) -> [UInt8]?) async throws {
        let bootstrap = DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ReplyHandler(reply: reply))
                }
            }
        channel = try await bootstrap.bind(host: host, port: 0).get()
        address = try DNSServerAddress(parsing: host.contains(":") ? "[\(host)]:\(channel.localAddress!.port!)" : "\(host):\(channel.localAddress!.port!)")
    }

    func close() async {
        try? await channel.close()
    }

    /// A reply to `query`: its ID (plus `idOffset`) and question, `flags`, then `answers`
    /// (raw records) counted as `answerCount` (default: as many as given).
    static func reply(to query: [UInt8], flags: UInt16 = 0x8180, idOffset: UInt16 = 0, answers: [[UInt8]] = [],
                      answerCount: Int? = nil, additionals: [[UInt8]] = []) -> [UInt8]? {
        guard let message = try? DNSMessage(parsing: query), let question = message.questions.first else { return nil }
        let questionEnd = 12 + question.name.wireFormat.count + 4
        let id = message.header.id &+ idOffset
        return DNSFixture.u16(id) + DNSFixture.u16(flags) + DNSFixture.u16(1) + DNSFixture.u16(UInt16(answerCount ?? answers.count))
            + DNSFixture.u16(0) + DNSFixture.u16(UInt16(additionals.count)) + Array(query[12..<questionEnd])
            + answers.flatMap { $0 } + additionals.flatMap { $0 }
    }
}

private final class ReplyHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>
    let reply: @Sendable ([UInt8]) -> [UInt8]?

    init(reply: @escaping @Sendable ([UInt8]) -> [UInt8]?) {
        self.reply = reply
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard let bytes = reply(Array(envelope.data.readableBytesView)) else { return }
        let buffer = context.channel.allocator.buffer(bytes: bytes)
        context.writeAndFlush(wrapOutboundOut(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: buffer)), promise: nil)
    }
}
