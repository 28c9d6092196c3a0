import AsyncHTTPClient
import Foundation
import MailTLS
import NIOCore
import NIOHTTP1
import NIOSSL

/// One conversation with an ACME server: the directory, the replay nonces, and signed
/// POSTs (RFC 8555 §6). Every request is bounded by the run's deadline, and a `badNonce`
/// answer is retried with the fresh nonce the server sent with it (§6.5), as the RFC asks.
actor ACMEClient {
    /// What a POST brought back.
    struct Response: Sendable {
        var status: Int
        var body: Data
        var location: String?
        var retryAfter: Double?
        var links: [String]

        func decode<T: Decodable>(_ type: T.Type, from server: String) throws -> T {
            do {
                return try JSONDecoder().decode(type, from: body)
            } catch {
                throw MailTLSError(server, "sent an answer mailtls cannot read (\(T.self))",
                                   remedy: "check that the URL is an ACME directory")
            }
        }
    }

    let server: ACMEServer
    let key: AccountKey
    private(set) var accountURL: String?
    private let http: HTTPClient
    private let deadline: NIODeadline
    private var directoryCache: ACMEDirectory?
    private var nonce: String?
    /// How many `badNonce` answers in a row are tolerated: a server rejecting half of all
    /// nonces (pebble's test mode) fails a request only once in 2^20 times.
    static let nonceRetries = 20

    init(server: ACMEServer, key: AccountKey, accountURL: String?, deadline: NIODeadline) throws {
        self.server = server
        self.key = key
        self.accountURL = accountURL
        self.deadline = deadline
        var tls = TLSConfiguration.makeClientConfiguration()
        if let bundle = server.caBundle {
            let certificates = try MaterialFile.load(bundle).certificates.map(\.der)
            guard !certificates.isEmpty else {
                throw MailTLSError(bundle, "holds no certificate", remedy: "give --ca-bundle the PEM file of the CA that signed the ACME server's HTTPS certificate")
            }
            tls.trustRoots = .certificates(try certificates.map { try NIOSSLCertificate(bytes: $0, format: .der) })
        }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        // A refused or unanswered connection is retried by AsyncHTTPClient until the connect
        // timeout, so it is a share of the run's limit: cron learns of a dead server quickly.
        let runSeconds = max(1, Int64((deadline - .now()).nanoseconds / 1_000_000_000))
        configuration.timeout = .init(connect: .seconds(min(15, max(2, runSeconds / 4))), read: .seconds(60))
        configuration.redirectConfiguration = .disallow
        http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// Must be called once the conversation is over (AsyncHTTPClient requires it).
    func close() async {
        try? await http.shutdown()
    }

    func setAccount(_ url: String) { accountURL = url }

    func directory() async throws -> ACMEDirectory {
        if let directoryCache { return directoryCache }
        let response = try await send(url: server.directory, method: .GET, body: nil)
        guard response.status == 200 else {
            throw MailTLSError(server.directory, "answered HTTP \(response.status) instead of an ACME directory", remedy: "check the --server URL")
        }
        let directory = try response.decode(ACMEDirectory.self, from: server.directory)
        directoryCache = directory
        return directory
    }

    /// A signed POST. `payload` nil is POST-as-GET (§6.3), how ACME reads resources.
    func post(_ url: String, payload: Data?, useJWK: Bool = false) async throws -> Response {
        var attempt = 0
        while true {
            attempt += 1
            let nonce = try await takeNonce()
            let reference: JWS.KeyReference
            if useJWK {
                reference = .jwk
            } else if let accountURL {
                reference = .kid(accountURL)
            } else {
                throw MailTLSError(server.directory, "no ACME account yet", remedy: "run mailtls acme account --agree-tos first")
            }
            let body = try JWS.body(payload: payload, url: url, nonce: nonce, key: key, reference: reference)
            let response = try await send(url: url, method: .POST, body: body)
            if response.status < 400 { return response }
            let problem = (try? JSONDecoder().decode(ACMEProblem.self, from: response.body))
                ?? ACMEProblem(type: nil, detail: "HTTP \(response.status)", status: response.status)
            if problem.shortType == "badNonce" && attempt <= Self.nonceRetries { continue }
            throw ACMEFailure(problem: problem, url: url, retryAfter: response.retryAfter)
        }
    }

    /// A POST-as-GET that returns the body as text (the certificate chain).
    func download(_ url: String) async throws -> String {
        let response = try await post(url, payload: nil)
        return String(decoding: response.body, as: UTF8.self)
    }

    private func takeNonce() async throws -> String {
        if let nonce {
            self.nonce = nil
            return nonce
        }
        let newNonce = try await directory().newNonce
        _ = try await send(url: newNonce, method: .HEAD, body: nil)
        guard let nonce else {
            throw MailTLSError(server.host, "gave no Replay-Nonce", remedy: "check that the --server URL is an ACME server")
        }
        self.nonce = nil
        return nonce
    }

    /// One HTTP exchange; keeps the nonce the server hands out with every answer.
    private func send(url: String, method: HTTPMethod, body: Data?) async throws -> Response {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "User-Agent", value: "mailtls")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/jose+json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let remaining = deadline - .now()
        guard remaining > .zero else { throw ACMETimeout(server: server.host) }
        let response: HTTPClientResponse
        var bytes: ByteBuffer
        do {
            response = try await http.execute(request, timeout: min(remaining, .seconds(60)))
            bytes = try await response.body.collect(upTo: 4 << 20)
        } catch {
            throw Self.networkError(error, server: server, url: url)
        }
        if let fresh = response.headers.first(name: "Replay-Nonce") { nonce = fresh }
        return Response(status: Int(response.status.code),
                        body: Data(bytes.readBytes(length: bytes.readableBytes) ?? []),
                        location: response.headers.first(name: "Location"),
                        retryAfter: response.headers.first(name: "Retry-After").flatMap(RetryAfter.seconds),
                        links: response.headers["Link"])
    }

    /// What a failed exchange means for the admin: the run's time ran out, the server's
    /// certificate is not trusted, or the server cannot be reached. Judged by the error's type,
    /// not its text.
    private static func networkError(_ error: Error, server: ACMEServer, url: String) -> Error {
        if error is MailTLSError { return error }
        if let http = error as? HTTPClientError, [.deadlineExceeded, .readTimeout, .connectTimeout].contains(http) {
            return ACMETimeout(server: server.host)
        }
        if error is NIOSSLError || error is BoringSSLError {
            return MailTLSError(server.host, "its HTTPS certificate is not trusted (\(error))",
                                remedy: server.caBundle.map { "check that --ca-bundle \($0) holds the CA of the server's certificate" }
                                    ?? "for a private ACME server, give --ca-bundle with its CA")
        }
        return MailTLSError(server.host, "cannot reach the ACME server at \(url) (\(error))",
                            remedy: "check the network and the --server URL; the certificate in service was not touched")
    }
}

/// An ACME server said no; carries its problem document.
public struct ACMEFailure: Error, CustomStringConvertible, Sendable {
    public var problem: ACMEProblem
    public var url: String
    public var retryAfter: Double?

    public var description: String {
        let host = ACMEServer(directory: url).host
        return MailTLSError(host, "\(problem.shortType): \(problem.readable)", remedy: remedy).description
    }

    var remedy: String {
        switch problem.shortType {
        case "rateLimited":
            let wait = retryAfter.map { " (the server says after \(Int($0)) s)" } ?? ""
            return "the CA's rate limit was hit: try again later\(wait); test with --staging"
        case "unauthorized", "connection", "dns", "incorrectResponse", "tls":
            return "the CA could not confirm control of the name: check DNS, port 80 or the dns hook"
        case "accountDoesNotExist":
            return "run mailtls acme account --agree-tos to register"
        case "userActionRequired", "agreementRequired":
            return "agree to the CA's terms: mailtls acme account --agree-tos"
        case "rejectedIdentifier", "unsupportedIdentifier":
            return "the CA will not certify that name; check --host"
        case "badCSR", "badPublicKey":
            return "the CA refuses this key; make one it accepts with --rekey (RSA 2048+ or ECDSA P-256/P-384)"
        case "malformed", "serverInternal":
            return "the CA refused the request; try again later, and report it if it persists"
        default:
            return "the certificate in service was not touched"
        }
    }
}

/// The run's time ran out (`--timeout`).
struct ACMETimeout: Error, CustomStringConvertible {
    var server: String
    var description: String {
        MailTLSError(server, "no answer within the run's time limit", remedy: "try again later or raise --timeout; the certificate in service was not touched").description
    }
}

/// `Retry-After` (RFC 9110 §10.2.3): seconds, or an HTTP date.
enum RetryAfter {
    static func seconds(_ value: String) -> Double? {
        if let seconds = Double(value.trimmingCharacters(in: .whitespaces)) { return max(0, seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: value).map { max(0, $0.timeIntervalSinceNow) }
    }
}
