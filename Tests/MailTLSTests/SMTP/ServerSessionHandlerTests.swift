import Foundation
import NIOCore
import NIOEmbedded
import NIOPosix
import NIOSSL
import Testing
@testable import MailTLS

/// One `serve` session on an EmbeddedChannel, with a store whose answers the test gives.
final class EmbeddedSession {
    /// A store that keeps each message's promise for the test to complete. EmbeddedChannel runs
    /// everything on the test's own thread; the lock only makes the type honestly Sendable.
    final class HeldStore: MessageStore, @unchecked Sendable {
        private let lock = NSLock()
        private var held: [(SMTPServerStateMachine.AcceptedMessage, EventLoopPromise<Void>)] = []

        func store(_ message: SMTPServerStateMachine.AcceptedMessage, on eventLoop: any EventLoop) -> EventLoopFuture<Void> {
            let promise = eventLoop.makePromise(of: Void.self)
            lock.withLock { held.append((message, promise)) }
            return promise.futureResult
        }

        var messages: [SMTPServerStateMachine.AcceptedMessage] { lock.withLock { held.map(\.0) } }

        func finish(_ result: Result<Void, Error>) {
            let promise = lock.withLock { held.last?.1 }
            promise?.completeWith(result)
        }
    }

    /// Counts the `read` calls that get past the session handler towards the socket.
    final class ReadCounter: ChannelOutboundHandler {
        typealias OutboundIn = ByteBuffer
        var reads = 0
        func read(context: ChannelHandlerContext) {
            reads += 1
            context.read()
        }
    }

    let channel = EmbeddedChannel()
    let counter = ReadCounter()
    let store = HeldStore()

    init(store: Bool = true, idleTimeout: Double = 120) throws {
        let certificates = try ProbeCertificates.path("good")
        let context = try NIOSSLContext(configuration: .makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificates + "/host.cert").map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: certificates + "/host.key", format: .pem))))
        let options = ServeOptions(hostName: "mx.example.org", idleTimeout: idleTimeout, maxMessageSize: 1 << 20)
        let sniffer = OutboundServerHelloSniffer()
        let handler = ServerSessionHandler(options: options, peer: "192.0.2.7", sniffer: sniffer, clientChain: PeerChainBox(), trusted: [],
                                           store: store ? self.store : nil, log: { _ in }) { NIOSSLServerHandler(context: context) }
        try channel.pipeline.syncOperations.addHandlers([counter, sniffer, handler])
        try channel.connect(to: SocketAddress(ipAddress: "192.0.2.7", port: 25)).wait()
    }

    /// Writes bytes as the client; returns every reply line the server wrote meanwhile.
    @discardableResult
    func send(_ text: String) throws -> [String] {
        try send(Array(text.utf8))
    }

    @discardableResult
    func send(_ bytes: [UInt8]) throws -> [String] {
        try channel.writeInbound(channel.allocator.buffer(bytes: bytes))
        return try written()
    }

    func written() throws -> [String] {
        var lines: [String] = []
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) {
            lines += String(buffer: buffer).components(separatedBy: "\r\n").filter { !$0.isEmpty }
        }
        return lines
    }

    func openTransaction() throws {
        _ = try written() // the greeting
        try send("EHLO client.example\r\n")
        #expect(try send("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n").map { String($0.prefix(3)) } == ["250", "250", "354"])
    }
}

/// The `serve` session's channel handler driven through NIO's EmbeddedChannel: no sockets,
/// every byte in and out seen by the test.
@Suite("serve: session handler on EmbeddedChannel")
struct ServerSessionHandlerTests {
    struct Failure: Error, CustomStringConvertible { var description: String }

    @Test("greets, answers a pipelined dialogue in order, and closes on QUIT")
    func dialogue() throws {
        let session = try EmbeddedSession(store: false)
        #expect(try session.written() == ["220 mx.example.org ESMTP mailtls serve"])
        let replies = try session.send("EHLO c\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nhello\r\n.\r\nQUIT\r\n")
        #expect(replies.map { String($0.prefix(4)) } == ["250-", "250-", "250-", "250-", "250-", "250 ", "250 ", "250 ", "354 ", "250 ", "221 "], "\(replies)")
        #expect(!session.channel.isActive)
    }

    @Test("the 250 comes only when the store has the message; a pipelined NOOP waits for it and no read is made meanwhile")
    func replyAfterStore() throws {
        let session = try EmbeddedSession()
        try session.openTransaction()
        #expect(try session.send("Subject: x\r\n\r\nbody\r\n.\r\nNOOP\r\n").isEmpty, "nothing is answered before the store is done")
        #expect(session.store.messages.map(\.text) == [Array("Subject: x\r\n\r\nbody\r\n".utf8)])
        #expect(session.store.messages.first?.recipient == "<b@example.org>")
        let readsBefore = session.counter.reads
        session.channel.read()
        #expect(session.counter.reads == readsBefore, "no more is read from the client while the message is stored")
        session.store.finish(.success(()))
        #expect(try session.written() == ["250 2.0.0 Message accepted", "250 2.0.0 OK"])
        #expect(session.counter.reads == readsBefore + 1, "the held-back read is made once the store is done")
    }

    @Test("a store that fails gets 451, and the session goes on")
    func storeFails() throws {
        let session = try EmbeddedSession()
        try session.openTransaction()
        try session.send("body\r\n.\r\n")
        session.store.finish(.failure(Failure(description: "disk full")))
        #expect(try session.written() == ["451 4.3.0 Cannot store the message: disk full"])
        #expect(try session.send("NOOP\r\n") == ["250 2.0.0 OK"])
    }

    @Test("an endless line in DATA is refused with 552 at the end of the message; the session goes on")
    func longLineInData() throws {
        let session = try EmbeddedSession()
        try session.openTransaction()
        let chunk = [UInt8](repeating: 0x41, count: 64 * 1024)
        for _ in 0..<32 { #expect(try session.send(chunk).isEmpty) } // 2 MiB without a line end
        let end = try session.send("\r\n.\r\n")
        #expect(end == ["552 5.3.4 Message refused: a line is longer than \(SMTPLineDecoder.maxDataLine) bytes"], "\(end)")
        #expect(session.store.messages.isEmpty, "nothing was stored")
        #expect(try session.send("NOOP\r\n") == ["250 2.0.0 OK"])
    }

    @Test("an over-long command line gets 500 and the connection is closed")
    func longCommand() throws {
        let session = try EmbeddedSession(store: false)
        _ = try session.written()
        #expect(try session.send(String(repeating: "A", count: 5000)) == ["500 5.5.0 Line too long"])
        #expect(!session.channel.isActive)
    }

    @Test("STARTTLS: plaintext pipelined behind it is dropped, never answered, and TLS is added to the pipeline")
    func startTLSDropsPipelined() throws {
        let session = try EmbeddedSession(store: false)
        _ = try session.written()
        try session.send("EHLO c\r\n")
        #expect(try session.send("STARTTLS\r\nNOOP\r\nMAIL FROM:<injected@example.org>\r\nRCPT") == ["220 2.0.0 Ready to start TLS"])
        #expect((try? session.channel.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self)) != nil, "TLS comes next")
        #expect(session.channel.isActive)
    }

    @Test("a client silent for the idle timeout is told 421 and closed")
    func idle() throws {
        let session = try EmbeddedSession(store: false, idleTimeout: 5)
        _ = try session.written()
        session.channel.embeddedEventLoop.advanceTime(by: .seconds(4))
        #expect(try session.written().isEmpty && session.channel.isActive)
        try session.send("NOOP\r\n")
        session.channel.embeddedEventLoop.advanceTime(by: .seconds(4))
        #expect(session.channel.isActive, "a line re-arms the timer")
        session.channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(try session.written() == ["421 4.4.2 mx.example.org idle too long, closing"])
        #expect(!session.channel.isActive)
    }
}

/// `--maildir`: the write runs on the thread pool and the future completes only when it is done.
@Suite("serve: maildir store")
struct MaildirStoreTests {
    @Test("the message is written while the event loop is busy: the store never runs on the loop")
    func offTheLoop() throws {
        let dir = TempDirectory("maildir-store")
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let loop = group.next()
        let release = DispatchSemaphore(value: 0)
        loop.execute { release.wait() } // the loop is blocked until the file exists
        let message = SMTPServerStateMachine.AcceptedMessage(text: Array("Subject: x\r\n\r\nbody\r\n".utf8), ehlo: "client.example",
                                                            peer: "192.0.2.7", tlsVersion: "TLSv1.3", cipher: "TLS_AES_128_GCM_SHA256",
                                                            verify: "NO", recipient: "<b@example.org>")
        let stored = MaildirStore(directory: dir.path, hostName: "mx.example.org").store(message, on: loop)
        let deadline = Date().addingTimeInterval(30)
        while dir.listing().filter({ $0.hasSuffix(".eml") }).isEmpty && Date() < deadline { usleep(10_000) }
        let writtenWhileLoopBlocked = !dir.listing().filter { $0.hasSuffix(".eml") }.isEmpty
        release.signal()
        try stored.wait()
        #expect(writtenWhileLoopBlocked, "the message was written only once the event loop was free: the store ran on it")
        let files = dir.listing().filter { $0.hasSuffix(".eml") }
        try #require(files.count == 1, "\(dir.listing())")
        let text = try dir.read(files[0])
        #expect(text.hasPrefix("Received: from client.example ([192.0.2.7])\r\n\tby mx.example.org (mailtls serve) with ESMTPS id "), "\(text)")
        #expect(text.contains("(version=TLSv1.3 cipher=TLS_AES_128_GCM_SHA256 bits=128 verify=NO)\r\n\tfor <b@example.org>; "), "\(text)")
        #expect(text.hasSuffix("\r\nSubject: x\r\n\r\nbody\r\n"), "\(text)")
    }
}
