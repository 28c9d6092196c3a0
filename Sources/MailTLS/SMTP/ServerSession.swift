import NIOCore
import NIOSSL
import NIOTLS
import X509
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What `mailtls serve` logs about one session (and writes into a Received header).
public struct ServeSessionLog: Sendable, Codable {
    public var peer: String
    public var ehlo: String?
    public var tlsVersion: String?
    public var cipher: String?
    /// Sendmail's word for the client certificate: OK, NO, FAIL.
    public var verify: String = "NONE"
    public var messages = 0
    public var note: String?
}

/// Options of the test server.
public struct ServeOptions: Sendable {
    public var hostName: String
    public var requireTLS: Bool
    public var askClientCertificate: Bool
    /// Store each message here (one file per message, with a Received header); nil discards.
    public var maildir: String?
    /// Seconds a client may stay silent before the server closes the session.
    public var idleTimeout: Double
    /// Largest message accepted, in bytes.
    public var maxMessageSize: Int

    public init(hostName: String, requireTLS: Bool = false, askClientCertificate: Bool = false, maildir: String? = nil,
                idleTimeout: Double = 120, maxMessageSize: Int = 10 << 20) {
        self.hostName = hostName
        self.requireTLS = requireTLS
        self.askClientCertificate = askClientCertificate
        self.maildir = maildir
        self.idleTimeout = idleTimeout
        self.maxMessageSize = maxMessageSize
    }
}

/// One SMTP session of `mailtls serve`: greeting, EHLO with STARTTLS, the upgrade, then a
/// message accepted and discarded (or stored). Lines and messages are capped and an idle
/// client is dropped, so one bad client cannot hold the server.
final class ServerSessionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let options: ServeOptions
    private let makeTLSHandler: () throws -> NIOSSLServerHandler
    private let sniffer: OutboundServerHelloSniffer
    private let clientChain: PeerChainBox
    private let trusted: [[UInt8]]
    private let log: @Sendable (ServeSessionLog) -> Void
    private var buffer: [UInt8] = []
    private var session: ServeSessionLog
    private var inTLS = false
    private var sawEHLO = false
    private var mailFrom: String?
    private var recipients: [String] = []
    private var data: [UInt8]?
    private var idle: Scheduled<Void>?

    static let maxLine = 2048

    init(options: ServeOptions, peer: String, sniffer: OutboundServerHelloSniffer, clientChain: PeerChainBox, trusted: [[UInt8]],
         log: @escaping @Sendable (ServeSessionLog) -> Void, makeTLSHandler: @escaping () throws -> NIOSSLServerHandler) {
        self.options = options
        self.sniffer = sniffer
        self.clientChain = clientChain
        self.trusted = trusted
        self.log = log
        self.makeTLSHandler = makeTLSHandler
        self.session = ServeSessionLog(peer: peer)
    }

    func channelActive(context: ChannelHandlerContext) {
        reply("220 \(options.hostName) ESMTP mailtls serve", context: context)
        armIdle(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        idle?.cancel()
        log(session)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data bytes: NIOAny) {
        armIdle(context: context)
        buffer += unwrapInboundIn(bytes).readableBytesView
        while let newline = buffer.firstIndex(of: 0x0A) {
            var line = Array(buffer[..<newline])
            buffer.removeSubrange(...newline)
            if line.last == 0x0D { line.removeLast() }
            if data != nil {
                receiveDataLine(line, context: context)
            } else {
                command(String(decoding: line, as: UTF8.self), context: context)
            }
            if !context.channel.isActive { return }
        }
        if buffer.count > Self.maxLine && data == nil {
            reply("500 5.5.0 Line too long", context: context)
            context.close(promise: nil)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event {
            inTLS = true
            session.tlsVersion = sniffer.facts?.version
            session.cipher = sniffer.facts?.cipher
            session.verify = clientVerification()
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // A client that hangs up without TLS close_notify is common (swaks does) and harmless.
        if let tlsError = error as? NIOSSLError, case .uncleanShutdown = tlsError {} else { session.note = "\(error)" }
        context.close(promise: nil)
    }

    private func command(_ line: String, context: ChannelHandlerContext) {
        let verb = line.split(separator: " ", maxSplits: 1).first.map { $0.uppercased() } ?? ""
        let argument = line.count > verb.count ? String(line.dropFirst(verb.count + 1)) : ""
        switch verb {
        case "EHLO", "HELO":
            sawEHLO = true
            session.ehlo = argument
            var lines = ["250-\(options.hostName) Hello \(argument)", "250-PIPELINING", "250-8BITMIME", "250-SIZE \(options.maxMessageSize)"]
            if !inTLS { lines.append("250-STARTTLS") }
            lines.append("250 ENHANCEDSTATUSCODES")
            reply(verb == "HELO" ? "250 \(options.hostName)" : lines.joined(separator: "\r\n"), context: context)
        case "STARTTLS":
            guard !inTLS else { return reply("503 5.5.1 TLS already active", context: context) }
            reply("220 2.0.0 Ready to start TLS", context: context)
            buffer = [] // RFC 3207: plaintext sent after STARTTLS is discarded, never read as if encrypted
            sawEHLO = false
            do {
                try context.pipeline.syncOperations.addHandler(try makeTLSHandler(), position: .after(sniffer))
            } catch {
                session.note = "TLS setup failed: \(error)"
                context.close(promise: nil)
            }
        case "MAIL":
            if options.requireTLS && !inTLS { return reply("530 5.7.0 Must issue a STARTTLS command first", context: context) }
            guard sawEHLO else { return reply("503 5.5.1 Say EHLO first", context: context) }
            mailFrom = argument
            recipients = []
            reply("250 2.1.0 Sender ok", context: context)
        case "RCPT":
            guard mailFrom != nil else { return reply("503 5.5.1 Need MAIL first", context: context) }
            recipients.append(argument)
            reply("250 2.1.5 Recipient ok", context: context)
        case "DATA":
            guard mailFrom != nil, !recipients.isEmpty else { return reply("503 5.5.1 Need RCPT first", context: context) }
            data = []
            reply("354 Enter mail, end with \".\" on a line by itself", context: context)
        case "RSET":
            mailFrom = nil
            recipients = []
            reply("250 2.0.0 Reset", context: context)
        case "NOOP":
            reply("250 2.0.0 OK", context: context)
        case "QUIT":
            reply("221 2.0.0 \(options.hostName) closing connection", context: context)
            context.close(promise: nil)
        default:
            reply("500 5.5.1 Command unrecognized", context: context)
        }
    }

    private func receiveDataLine(_ line: [UInt8], context: ChannelHandlerContext) {
        if line == [0x2E] {
            let message = data ?? []
            data = nil
            guard message.count <= options.maxMessageSize else {
                return reply("552 5.3.4 Message too big", context: context)
            }
            session.messages += 1
            if let maildir = options.maildir {
                do {
                    try store(message, in: maildir)
                } catch {
                    return reply("451 4.3.0 Cannot store the message: \(error)", context: context)
                }
            }
            mailFrom = nil
            recipients = []
            reply("250 2.0.0 Message accepted", context: context)
            return
        }
        if (data?.count ?? 0) <= options.maxMessageSize {
            data! += (line.first == 0x2E ? Array(line.dropFirst()) : line) + [0x0D, 0x0A]
        }
    }

    /// The message with a Received header in Sendmail's form, as `maildir/<time>.<n>.eml`.
    private func store(_ message: [UInt8], in maildir: String) throws {
        let header = ReceivedHeaderLine.sendmailStyle(from: session.ehlo ?? "unknown", peer: session.peer, by: options.hostName,
                                                      tlsVersion: session.tlsVersion, cipher: session.cipher, verify: session.verify,
                                                      recipient: Self.address(recipients.first ?? ""), date: Date())
        let name = Paths.join(maildir, "\(UTCTimestamp.compact(Date())).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).eml")
        try AtomicFile.write(Array(header.utf8) + message, to: name, mode: .shared, existing: .refuse)
    }

    /// `TO:<a@example.org> NOTIFY=…` → `<a@example.org>`.
    static func address(_ argument: String) -> String {
        let afterColon = argument.split(separator: ":", maxSplits: 1).last.map(String.init) ?? argument
        return afterColon.trimmingSpaces().split(separator: " ").first.map(String.init) ?? afterColon
    }

    private func clientVerification() -> String {
        guard options.askClientCertificate else { return "NOT" }
        guard let leaf = clientChain.chain.first else { return "NO" }
        return trusted.contains(leaf) || ClientCertificateCheck.issuedByTrusted(chain: clientChain.chain, trusted: trusted) ? "OK" : "FAIL"
    }

    private func reply(_ text: String, context: ChannelHandlerContext) {
        var out = context.channel.allocator.buffer(capacity: text.utf8.count + 2)
        out.writeString(text + "\r\n")
        context.writeAndFlush(wrapOutboundOut(out), promise: nil)
    }

    private func armIdle(context: ChannelHandlerContext) {
        idle?.cancel()
        idle = context.eventLoop.scheduleTask(in: .milliseconds(Int64(options.idleTimeout * 1000))) { [weak self] in
            self?.reply("421 4.4.2 \(self?.options.hostName ?? "") idle too long, closing", context: context)
            context.close(promise: nil)
        }
    }
}

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

/// Whether a client chain ends in a trusted certificate (signature by signature).
enum ClientCertificateCheck {
    static func issuedByTrusted(chain: [[UInt8]], trusted: [[UInt8]]) -> Bool {
        let certificates = chain.compactMap { try? Certificate(derEncoded: $0) }
        let anchors = trusted.compactMap { try? Certificate(derEncoded: $0) }
        guard var current = certificates.first else { return false }
        for _ in 0..<8 {
            if let anchor = anchors.first(where: { $0.subject == current.issuer && $0.publicKey.isValidSignature(current.signature, for: current) }) {
                return Date() < current.notValidAfter && Date() < anchor.notValidAfter
            }
            guard let next = certificates.first(where: { $0.subject == current.issuer && $0 != current }) else { return false }
            current = next
        }
        return false
    }
}
