import NIOCore

/// Opens an `ACMEClient` for the length of `body` and always closes it, whatever happens:
/// AsyncHTTPClient must be shut down before it is released.
enum ACMESession {
    static func with<T: Sendable>(_ server: ACMEServer, key: AccountKey, accountURL: String?, timeout: Double,
                                  _ body: (ACMEClient) async throws -> T) async throws -> T {
        let deadline = NIODeadline.now() + .milliseconds(Int64(timeout * 1000))
        let client = try ACMEClient(server: server, key: key, accountURL: accountURL, deadline: deadline)
        do {
            let result = try await body(client)
            await client.close()
            return result
        } catch {
            await client.close()
            throw error
        }
    }
}
