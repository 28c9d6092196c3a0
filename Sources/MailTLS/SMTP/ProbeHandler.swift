import NIOCore
import NIOSSL
import NIOTLS
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The SMTP side of a probe, as a state machine on the channel: greeting → EHLO →
/// STARTTLS → TLS handshake → EHLO → QUIT. Every phase has a deadline; every failure ends
/// the probe with a verdict. It never pipelines before STARTTLS, and after STARTTLS's 220 it
/// refuses to go on if the server already sent more (STARTTLS command injection).
final class ProbeHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum Phase: String {
        case greeting, ehlo, starttls, handshake, ehloTLS = "ehlo-tls", quit, done
    }

    /// What the handler learned, handed to `Prober` at the end.
    struct Outcome {
        var verdict: ProbeVerdict?
        var reason = ""
        var banner: [String] = []
        var capabilitiesBefore: [String] = []
        var capabilitiesAfter: [String]?
        var timings: [String: Double] = [:]
        var peerChain: [[UInt8]] = []
        var tlsVersion: String?
        var handshakeDone = false
    }

    private let options: ProbeOptions
    private let promise: EventLoopPromise<Outcome>
    private let makeTLSHandler: () throws -> NIOSSLClientHandler
    private let sniffer: ServerHelloSniffer
    private let chainBox: PeerChainBox
    private var reader = SMTPReplyReader()
    private var phase: Phase
    private var outcome = Outcome()
    private var deadline: Scheduled<Void>?
    private var phaseStart = DispatchTimeLike.now()
    private var finished = false

    init(options: ProbeOptions, promise: EventLoopPromise<Outcome>, sniffer: ServerHelloSniffer, chainBox: PeerChainBox,
         makeTLSHandler: @escaping () throws -> NIOSSLClientHandler) {
        self.options = options
        self.promise = promise
        self.sniffer = sniffer
        self.chainBox = chainBox
        self.makeTLSHandler = makeTLSHandler
        self.phase = options.implicitTLS ? .handshake : .greeting
    }

    func channelActive(context: ChannelHandlerContext) {
        if options.implicitTLS {
            startTLS(context: context)
        } else {
            enter(.greeting, context: context)
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        reader.append(Array(buffer.readableBytesView))
        do {
            while !finished, let reply = try reader.nextReply() {
                handle(reply, context: context)
            }
        } catch let failure as SMTPReplyReader.Failure {
            switch failure {
            case .lineTooLong: finish(.protocol, "the server sent a line over \(SMTPReplyReader.maxLineLength) bytes during \(phase.rawValue)", context: context)
            case .tooManyLines: finish(.protocol, "the server sent a reply of over \(SMTPReplyReader.maxLines) lines during \(phase.rawValue)", context: context)
            case .notSMTP(let line): finish(.protocol, "not SMTP during \(phase.rawValue): \"\(line)\"", context: context)
            }
        } catch {
            finish(.software, "\(error)", context: context)
        }
    }

    private func handle(_ reply: SMTPReply, context: ChannelHandlerContext) {
        switch phase {
        case .greeting:
            outcome.banner = reply.lines
            guard reply.code == 220 else {
                return finish(reply.code >= 500 ? .protocol : .temp, "greeting \(reply.code) \(reply.text)", context: context)
            }
            send("EHLO \(options.ehloName)", next: .ehlo, context: context)
        case .ehlo:
            guard reply.code == 250 else { return finish(.protocol, "EHLO refused: \(reply.code) \(reply.text)", context: context) }
            if outcome.handshakeDone {
                // Implicit TLS (port 465): this EHLO already ran inside TLS; there is no STARTTLS step.
                outcome.capabilitiesAfter = Array(reply.lines.dropFirst())
                return send("QUIT", next: .quit, context: context)
            }
            outcome.capabilitiesBefore = Array(reply.lines.dropFirst())
            guard outcome.capabilitiesBefore.contains(where: { $0.uppercased().hasPrefix("STARTTLS") }) else {
                sendQuitAndFinish(.none, "the server does not offer STARTTLS", context: context)
                return
            }
            send("STARTTLS", next: .starttls, context: context)
        case .starttls:
            guard reply.code == 220 else {
                let verdict: ProbeVerdict = reply.code >= 400 && reply.code < 500 ? .temp : .protocol
                return sendQuitAndFinish(verdict, "STARTTLS refused: \(reply.code) \(reply.text)", context: context)
            }
            if reader.hasBufferedBytes {
                return finish(.protocol, "the server sent plaintext after 220 to STARTTLS (STARTTLS command injection); not starting TLS", context: context)
            }
            startTLS(context: context)
        case .ehloTLS:
            guard reply.code == 250 else { return finish(.protocol, "EHLO after TLS refused: \(reply.code) \(reply.text)", context: context) }
            outcome.capabilitiesAfter = Array(reply.lines.dropFirst())
            send("QUIT", next: .quit, context: context)
        case .quit:
            finish(nil, "", context: context)
        case .handshake, .done:
            finish(.protocol, "unexpected reply \(reply.code) during \(phase.rawValue)", context: context)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event, phase == .handshake {
            outcome.handshakeDone = true
            if let handler = try? context.pipeline.syncOperations.handler(type: NIOSSLClientHandler.self) {
                outcome.tlsVersion = handler.tlsVersion.map(Self.name)
            }
            if options.implicitTLS {
                enter(.greeting, context: context)
            } else {
                send("EHLO \(options.ehloName)", next: .ehloTLS, context: context)
            }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if error is NIOSSLError || error is BoringSSLError {
            finish(.protocol, "TLS failed during \(phase.rawValue): \(Self.tlsReason(error))", context: context)
        } else {
            finish(.temp, "connection error during \(phase.rawValue): \(error)", context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.protocol, "the server closed the connection during \(phase.rawValue)", context: context)
        context.fireChannelInactive()
    }

    // MARK: steps

    private func startTLS(context: ChannelHandlerContext) {
        do {
            sniffer.arm()
            let handler = try makeTLSHandler()
            try context.pipeline.syncOperations.addHandler(handler, position: .after(sniffer))
            enter(.handshake, context: context)
        } catch {
            finish(.software, "cannot start TLS: \(error)", context: context)
        }
    }

    private func send(_ command: String, next: Phase, context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: command.utf8.count + 2)
        buffer.writeString(command + "\r\n")
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        enter(next, context: context)
    }

    private func sendQuitAndFinish(_ verdict: ProbeVerdict, _ reason: String, context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: 6)
        buffer.writeString("QUIT\r\n")
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        finish(verdict, reason, context: context)
    }

    /// Moves to `next`, timing the phase just ended and arming the deadline of the next.
    private func enter(_ next: Phase, context: ChannelHandlerContext) {
        let now = DispatchTimeLike.now()
        if !finished && phase != next { outcome.timings[phase.rawValue] = now.milliseconds(since: phaseStart) }
        phase = next
        phaseStart = now
        deadline?.cancel()
        let limit = TimeAmount.milliseconds(Int64(options.timeout * 1000))
        // On the event loop, like the handler itself: the task may use the handler and its context.
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: limit) { [weak self] in
            guard let self, !self.finished else { return }
            self.finish(.temp, "timed out after \(self.options.timeout) s waiting for \(self.phase.rawValue)", context: context)
        }
    }

    /// Ends the probe once: a nil verdict means "completed"; the Prober then judges the chain.
    private func finish(_ verdict: ProbeVerdict?, _ reason: String, context: ChannelHandlerContext) {
        guard !finished else { return }
        if phase != .done { outcome.timings[phase.rawValue] = DispatchTimeLike.now().milliseconds(since: phaseStart) }
        finished = true
        phase = .done
        deadline?.cancel()
        outcome.verdict = verdict
        outcome.reason = reason
        outcome.peerChain = chainBox.chain
        promise.succeed(outcome)
        context.close(promise: nil)
    }

    /// BoringSSL's error text names the alert (`SSLV3_ALERT_HANDSHAKE_FAILURE`) among source
    /// paths of the build machine; keep the names.
    static func tlsReason(_ error: Error) -> String {
        let text = String(describing: error)
        var names: [String] = []
        for word in text.split(whereSeparator: { !($0.isUppercase || $0.isNumber || $0 == "_") }) where word.count >= 6 && word.contains("_") {
            if !names.contains(String(word)) { names.append(String(word)) }
        }
        if !names.isEmpty { return names.joined(separator: ", ") }
        return text.count > 120 ? String(text.prefix(117)) + "..." : text
    }

    private static func name(_ version: TLSVersion) -> String {
        switch version {
        case .tlsv13: return "TLSv1.3"
        case .tlsv12: return "TLSv1.2"
        case .tlsv11: return "TLSv1.1"
        case .tlsv1: return "TLSv1"
        }
    }
}

/// A monotonic clock reading in nanoseconds (no Dispatch needed).
struct DispatchTimeLike {
    var nanoseconds: UInt64

    static func now() -> DispatchTimeLike {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return DispatchTimeLike(nanoseconds: UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec))
    }

    func milliseconds(since start: DispatchTimeLike) -> Double {
        (Double(nanoseconds) - Double(start.nanoseconds)) / 1_000_000
    }
}
