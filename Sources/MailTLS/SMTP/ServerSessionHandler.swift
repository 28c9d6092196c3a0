import NIOCore
import NIOSSL
import NIOTLS
import X509

/// One connection of `mailtls serve` on NIO: it cuts the bytes into lines
/// (`SMTPLineDecoder`), hands them to the session's `SMTPServerStateMachine` and carries out
/// what the machine says: write replies, start TLS, store a message on the store's threads,
/// close. It also drops a client that stays silent for `idleTimeout`, so one bad client cannot
/// hold the server.
///
/// While a message is being stored (or TLS is starting) the machine takes no input: lines
/// already received wait in the decoder and no more are read from the socket (`read` is held
/// back), so a client pipelining behind its message cannot make the server buffer without end.
final class ServerSessionHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let options: ServeOptions
    private let makeTLSHandler: () throws -> NIOSSLServerHandler
    private let sniffer: OutboundServerHelloSniffer
    private let clientChain: PeerChainBox
    private let trusted: [Certificate]
    private let store: (any MessageStore)?
    private let log: @Sendable (ServeSessionLog) -> Void
    private var machine: SMTPServerStateMachine
    private var decoder = SMTPLineDecoder()
    private var idle: Scheduled<Void>?
    /// A `read` the channel asked for while the machine took no input.
    private var readHeldBack = false
    private var active = false
    private var logged = false

    init(options: ServeOptions, peer: String, sniffer: OutboundServerHelloSniffer, clientChain: PeerChainBox, trusted: [Certificate],
         store: (any MessageStore)?, log: @escaping @Sendable (ServeSessionLog) -> Void,
         makeTLSHandler: @escaping () throws -> NIOSSLServerHandler) {
        self.options = options
        self.sniffer = sniffer
        self.clientChain = clientChain
        self.trusted = trusted
        self.store = store
        self.log = log
        self.makeTLSHandler = makeTLSHandler
        self.machine = SMTPServerStateMachine(configuration: .init(options, storesMessages: store != nil), peer: peer)
    }

    /// What the session has been so far (for tests).
    var sessionLog: ServeSessionLog { machine.log }

    // MARK: channel events

    func channelActive(context: ChannelHandlerContext) {
        active = true
        perform(machine.handle(.connected), context: context)
        armIdle(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        active = false
        idle?.cancel()
        // A message still being stored is counted when the store ends; the log waits for it.
        if machine.state != .storing { writeLog() }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        armIdle(context: context)
        decoder.append(unwrapInboundIn(data).readableBytesView)
        drain(context: context)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event {
            if options.askClientCertificate {
                // The verifier is async: the machine takes no input until TLS is established,
                // so lines that arrive meanwhile wait in the decoder.
                let (presented, trusted) = (clientChain.chain, trusted)
                let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
                let boundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
                context.eventLoop.makeFutureWithTask { await ClientCertificateCheck.verdict(presented: presented, trusted: trusted) }
                    .whenSuccess { verify in handler.value.establishTLS(verify: verify, context: boundContext.value) }
            } else {
                establishTLS(verify: .not, context: context)
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func establishTLS(verify: VerifyWord, context: ChannelHandlerContext) {
        guard active else { return }
        perform(machine.handle(.tlsEstablished(version: sniffer.facts?.version, cipher: sniffer.facts?.cipher,
                                               verify: verify.rawValue)), context: context)
        drain(context: context)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // A client that hangs up without TLS close_notify is common (swaks does) and harmless.
        if let tlsError = error as? NIOSSLError, case .uncleanShutdown = tlsError {} else { machine.note("\(error)") }
        context.close(promise: nil)
    }

    /// Holds back reading while a message is being stored (see the type's comment). Not while
    /// TLS starts: the TLS handler ahead of this one needs the bytes of the handshake.
    func read(context: ChannelHandlerContext) {
        guard machine.state != .storing else {
            readHeldBack = true
            return
        }
        context.read()
    }

    // MARK: running the machine

    /// Gives the machine every complete line it will take now.
    private func drain(context: ChannelHandlerContext) {
        while machine.takesInput, let frame = decoder.next(limit: machine.maxLineLength) {
            switch frame {
            case .line(let line): perform(machine.handle(.line(line)), context: context)
            case .tooLong: perform(machine.handle(.lineTooLong), context: context)
            }
        }
    }

    private func perform(_ actions: [SMTPServerStateMachine.Action], context: ChannelHandlerContext) {
        for action in actions {
            switch action {
            case .reply(let text):
                var out = context.channel.allocator.buffer(capacity: text.utf8.count + 2)
                out.writeString(text + "\r\n")
                context.writeAndFlush(wrapOutboundOut(out), promise: nil)
            case .startTLS:
                decoder.discardBuffered() // RFC 3207: plaintext sent after STARTTLS is never read as if encrypted
                do {
                    try context.pipeline.syncOperations.addHandler(try makeTLSHandler(), position: .after(sniffer))
                } catch {
                    machine.note("TLS setup failed: \(error)")
                    context.close(promise: nil)
                }
            case .store(let message):
                storeMessage(message, context: context)
            case .close:
                context.close(promise: nil)
            }
        }
    }

    /// Runs the store off the event loop; its outcome (on the event loop again) goes to the
    /// machine, which then answers 250 or 451, and reading goes on.
    private func storeMessage(_ message: SMTPServerStateMachine.AcceptedMessage, context: ChannelHandlerContext) {
        guard let store else { return }
        idle?.cancel() // the client waits for us now, not the other way round
        store.store(message, on: context.eventLoop).assumeIsolated().whenComplete { result in
            let failure: String?
            switch result {
            case .success: failure = nil
            case .failure(let error): failure = "\(error)"
            }
            let actions = self.machine.handle(.stored(failure: failure))
            guard self.active else { return self.writeLog() }
            self.perform(actions, context: context)
            self.armIdle(context: context)
            self.drain(context: context)
            if self.active { self.resumeReading(context: context) }
        }
    }

    private func resumeReading(context: ChannelHandlerContext) {
        guard readHeldBack, machine.state != .storing else { return }
        readHeldBack = false
        context.read()
    }

    private func writeLog() {
        guard !logged else { return }
        logged = true
        log(machine.log)
    }

    private func armIdle(context: ChannelHandlerContext) {
        idle?.cancel()
        idle = context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(Int64(options.idleTimeout * 1000))) { [weak self] in
            guard let self else { return }
            self.perform(self.machine.handle(.idleTimeout), context: context)
        }
    }
}
