import Foundation
import MailTLS

/// The order state machine of RFC 8555 §7.4: order → authorizations (prove control of each
/// name) → finalize with our CSR → certificate chain. Every wait honours `Retry-After` and
/// the run's deadline; every challenge put in place is removed again, success or not.
struct OrderFlow {
    let client: ACMEClient
    let solver: any ChallengeSolver
    let key: AccountKey
    /// Told what is happening, one short line at a time (`--verbose`).
    let progress: @Sendable (String) -> Void

    /// Orders a certificate for `names` and returns the PEM chain (leaf first).
    func certificateChain(names: [String], csrDER: [UInt8]) async throws -> String {
        let directory = try await client.directory()
        let identifiers = names.map { ["type": "dns", "value": $0] }
        let created = try await client.post(directory.newOrder, payload: AccountRegistration.json(["identifiers": identifiers]))
        guard let orderURL = created.location else {
            throw MailTLSError(client.server.host, "did not say where the order is (no Location header)", remedy: "check that the --server URL is an ACME server")
        }
        var order = try created.decode(ACMEOrder.self, from: client.server.host)
        progress("order \(orderURL): \(order.status)")
        do {
            for authorization in order.authorizations {
                try await authorize(authorization)
            }
            await solver.finish()
        } catch {
            await solver.finish()
            throw error
        }
        order = try await poll(orderURL, until: ["ready", "valid"], what: "order")
        if order.status == "ready" {
            let finalized = try await client.post(order.finalize, payload: AccountRegistration.json(["csr": Base64URL.encode(csrDER)]))
            order = try finalized.decode(ACMEOrder.self, from: client.server.host)
            progress("finalized: \(order.status)")
            if order.status != "valid" { order = try await poll(orderURL, until: ["valid"], what: "order") }
        }
        guard let certificateURL = order.certificate else {
            throw MailTLSError(client.server.host, "reported the order valid but gave no certificate URL", remedy: "try again later")
        }
        progress("downloading \(certificateURL)")
        return try await client.download(certificateURL)
    }

    /// Proves control of one name, unless the CA already holds a valid authorization for it.
    private func authorize(_ url: String) async throws {
        let authorization = try await client.post(url, payload: nil).decode(ACMEAuthorization.self, from: client.server.host)
        let name = authorization.identifier.value
        if authorization.status == "valid" {
            progress("\(name): already authorized")
            return
        }
        guard authorization.status == "pending" else {
            throw MailTLSError(name, "authorization is \(authorization.status) at the CA", remedy: "run again to start a new order")
        }
        guard let challenge = authorization.challenges.first(where: { $0.type == solver.type }), let token = challenge.token else {
            let offered = authorization.challenges.map(\.type).joined(separator: ", ")
            throw MailTLSError(name, "the CA offers no \(solver.type) challenge (only \(offered))", remedy: "choose one it offers with --challenge")
        }
        let keyAuthorization = key.keyAuthorization(token: token)
        try await solver.prepare(name: name, token: token, keyAuthorization: keyAuthorization)
        do {
            progress("\(name): \(solver.type) ready, asking the CA to check")
            _ = try await client.post(challenge.url, payload: Data("{}".utf8))
            let final = try await poll(url, until: ["valid"], what: "authorization", as: ACMEAuthorization.self)
            progress("\(name): \(final.status)")
            await solver.cleanUp(name: name, token: token, keyAuthorization: keyAuthorization)
        } catch {
            await solver.cleanUp(name: name, token: token, keyAuthorization: keyAuthorization)
            throw error
        }
    }

    private func poll(_ url: String, until wanted: Set<String>, what: String) async throws -> ACMEOrder {
        try await poll(url, until: wanted, what: what, as: ACMEOrder.self)
    }

    /// POST-as-GET `url` until its status is one of `wanted`; `invalid` (or any final state
    /// not wanted) ends with the CA's reason. Waits follow `Retry-After`, else back off from
    /// 0.25 s to 3 s; the client's deadline bounds it all.
    private func poll<T: Decodable & StatusCarrying>(_ url: String, until wanted: Set<String>, what: String, as type: T.Type) async throws -> T {
        var wait = 0.25
        while true {
            let response = try await client.post(url, payload: nil)
            let object = try response.decode(T.self, from: client.server.host)
            if wanted.contains(object.status) { return object }
            if !["pending", "processing", "ready"].contains(object.status) {
                if let problem = object.problem {
                    throw ACMEFailure(problem: problem, url: url, retryAfter: nil)
                }
                throw MailTLSError(object.subject ?? client.server.host, "the \(what) became \(object.status) at the CA", remedy: "run again with --verbose to see each step")
            }
            let pause = min(response.retryAfter ?? wait, 10)
            try await Task.sleep(nanoseconds: UInt64(pause * 1_000_000_000))
            wait = min(wait * 2, 3)
        }
    }
}

/// Orders and authorizations both carry a status, and may say why they failed.
protocol StatusCarrying {
    var status: String { get }
    var problem: ACMEProblem? { get }
    var subject: String? { get }
}

extension ACMEOrder: StatusCarrying {
    var problem: ACMEProblem? { error }
    var subject: String? { identifiers.map(\.value).joined(separator: ", ") }
}

extension ACMEAuthorization: StatusCarrying {
    /// The failed challenge's problem, with the name attached for the message.
    var problem: ACMEProblem? {
        guard var problem = challenges.first(where: { $0.error != nil })?.error else { return nil }
        if let detail = problem.detail, !detail.contains(identifier.value) {
            problem.detail = "\(identifier.value): \(detail)"
        }
        return problem
    }
    var subject: String? { identifier.value }
}
