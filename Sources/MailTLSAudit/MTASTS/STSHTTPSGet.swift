import MailTLS
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import X509
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What the policy host answered: status 200, its Content-Type, the body (at most the size
/// limit) and the chain that verified.
struct STSHTTPSResponse: Sendable {
    var contentType: String?
    var body: [UInt8]
    var chain: [Certificate]
}

/// One `GET` over HTTPS to the policy host, failing as ``STSFetchFailure`` with one-line
/// reasons. The certificate is judged in the TLS handshake by ``ChainVerifier``: a chain it
/// refuses ends the handshake, and its reason becomes the failure's.
struct STSHTTPSGet {
    let host: String
    let path: String
    let options: STSFetchOptions

    var url: String { "https://\(host)\(path)" }

    func run() async throws -> STSHTTPSResponse {
        let context: NIOSSLContext
        do {
            context = try Self.sharedContext.get()
        } catch {
            throw STSFetchFailure(.fetchError, url: url, reason: "cannot set up TLS: \(error)")
        }
        let target = ConnectTo.target(host: host, port: 443, in: options.connectTo)
        let eventLoop = MultiThreadedEventLoopGroup.singleton.next()
        let promise = eventLoop.makePromise(of: STSHTTPSResponse.self)
        let verdict = NIOLockedValueBox<ChainVerification?>(nil)
        let verifier = ChainVerifier.webServer(name: host, anchors: options.anchors, now: options.now ?? Date())
        let timeout = TimeAmount.milliseconds(Int64(max(options.timeout, 0.001) * 1000))
        let (host, path, limit, url) = (self.host, self.path, options.sizeLimit, self.url)

        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let tls = try NIOSSLClientHandler(context: context, serverHostname: host) { certificates, verification in
                        let presented = certificates.compactMap { try? $0.toDERBytes() }.compactMap { try? PresentedCertificate(der: $0) }
                        Task {
                            let result = await verifier.verify(presented)
                            verdict.withLockedValue { $0 = result }
                            verification.succeed(result.isVerified ? .certificateVerified : .failed)
                        }
                    }
                    try channel.pipeline.syncOperations.addHandler(tls)
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(
                        STSResponseHandler(host: host, path: path, limit: limit, url: url, verdict: verdict, promise: promise))
                }
            }
        let deadline = eventLoop.scheduleTask(in: timeout) {
            promise.fail(STSFetchFailure(.fetchError, url: url, reason: "no complete answer within \(Self.seconds(options.timeout)) s"))
        }
        defer { deadline.cancel() }
        let channel: Channel
        do {
            channel = try await bootstrap.connect(host: target.host, port: target.port).get()
        } catch {
            promise.fail(error)
            throw STSFetchFailure(.fetchError, url: url, reason: "cannot connect to \(Self.describe(target)): \(Self.describe(error))")
        }
        promise.futureResult.whenComplete { _ in channel.close(promise: nil) }
        do {
            return try await promise.futureResult.get()
        } catch let failure as STSFetchFailure {
            throw failure
        } catch {
            if case .failed(let problem)? = verdict.withLockedValue({ $0 }) {
                throw STSFetchFailure(.webPKIInvalid, url: url, reason: problem.message(leaf: "the certificate of \(host)"), chainProblem: problem)
            }
            throw STSFetchFailure(.fetchError, url: url, reason: "TLS with \(host) failed: \(Self.describe(error))")
        }
    }

    /// One TLS client context for every fetch of the process. Verification is the chain
    /// verifier's (the callback); BoringSSL only hands over the chain.
    static let sharedContext = Result {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .noHostnameVerification
        configuration.applicationProtocols = ["http/1.1"]
        return try NIOSSLContext(configuration: configuration)
    }

    static func describe(_ target: (host: String, port: Int)) -> String {
        target.host.contains(":") ? "[\(target.host)]:\(target.port)" : "\(target.host):\(target.port)"
    }

    static func describe(_ error: Error) -> String {
        if let io = error as? IOError { return String(cString: strerror(io.errnoCode)).lowercased() }
        if let connect = error as? NIOConnectionError {
            if let dns = connect.dnsAAAAError ?? connect.dnsAError, connect.connectionErrors.isEmpty {
                return "\(connect.host) does not resolve (\(dns))"
            }
            if let first = connect.connectionErrors.first { return describe(first.error) }
        }
        if let channel = error as? ChannelError, case .connectTimeout = channel { return "timed out connecting" }
        if let tls = error as? NIOSSLError { return "\(tls)" }
        return "\(error)"
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}

/// Sends the request and reads the answer: the head must say 200, the body is read up to
/// the limit and no further.
final class STSResponseHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private let host: String
    private let path: String
    private let limit: Int
    private let url: String
    private let verdict: NIOLockedValueBox<ChainVerification?>
    private let promise: EventLoopPromise<STSHTTPSResponse>
    private var contentType: String?
    private var body: [UInt8] = []
    private var headReceived = false

    init(host: String, path: String, limit: Int, url: String, verdict: NIOLockedValueBox<ChainVerification?>,
         promise: EventLoopPromise<STSHTTPSResponse>) {
        self.host = host
        self.path = path
        self.limit = limit
        self.url = url
        self.verdict = verdict
        self.promise = promise
    }

    func channelActive(context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: host)
        headers.add(name: "User-Agent", value: "mailtls/\(MailTLSVersion.string)")
        headers.add(name: "Accept", value: "text/plain")
        headers.add(name: "Connection", value: "close")
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            headReceived = true
            guard head.status == .ok else {
                var reason = "the server answered \(head.status.code) \(head.status.reasonPhrase)"
                if (300..<400).contains(head.status.code) {
                    let location = head.headers.first(name: "Location").map { ", Location: \($0)" } ?? ""
                    reason += "\(location); senders do not follow redirects (RFC 8461 §3.3)"
                } else {
                    reason += ", not 200"
                }
                finish(context, .failure(STSFetchFailure(.fetchError, url: url, reason: reason)))
                return
            }
            contentType = head.headers.first(name: "Content-Type")
            if let length = head.headers.first(name: "Content-Length").flatMap(Int.init), length > limit {
                finish(context, .failure(STSFetchFailure(.fetchError, url: url,
                                                         reason: "the server announces \(length) bytes, more than the \(limit) senders read")))
            }
        case .body(let buffer):
            guard body.count + buffer.readableBytes <= limit else {
                finish(context, .failure(STSFetchFailure(.fetchError, url: url,
                                                         reason: "the policy is longer than \(limit) bytes; reading stopped there")))
                return
            }
            body.append(contentsOf: buffer.readableBytesView)
        case .end:
            let chain: [Certificate]
            if case .verified(let verified)? = verdict.withLockedValue({ $0 }) { chain = verified } else { chain = [] }
            finish(context, .success(STSHTTPSResponse(contentType: contentType, body: body, chain: chain)))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        let reason = headReceived ? "the server closed the connection before the whole policy arrived"
            : "the server closed the connection without an answer"
        promise.fail(STSFetchFailure(.fetchError, url: url, reason: reason))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if let verification = verdict.withLockedValue({ $0 }), case .failed(let problem) = verification {
            promise.fail(STSFetchFailure(.webPKIInvalid, url: url, reason: problem.message(leaf: "the certificate of \(host)"), chainProblem: problem))
        } else if error is HTTPParserError {
            promise.fail(STSFetchFailure(.fetchError, url: url, reason: "the answer is not HTTP/1.1 (\(error))"))
        } else {
            promise.fail(STSFetchFailure(.fetchError, url: url, reason: "TLS or the connection with \(host) failed: \(STSHTTPSGet.describe(error))"))
        }
        context.close(promise: nil)
    }

    private func finish(_ context: ChannelHandlerContext, _ result: Result<STSHTTPSResponse, STSFetchFailure>) {
        switch result {
        case .success(let response): promise.succeed(response)
        case .failure(let failure): promise.fail(failure)
        }
        context.close(promise: nil)
    }
}
