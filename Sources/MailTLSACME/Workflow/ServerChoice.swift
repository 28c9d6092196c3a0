import MailTLS

/// Which ACME server `acme issue` talks to when no `--server` (or `--staging`) is given: the
/// server of the one account acme/accounts.json holds, so an account made with
/// `acme account --server X` is used by a plain `acme issue`; otherwise Let's Encrypt.
/// With several accounts there is no telling which is meant, so the default stays.
public enum ServerChoice {
    /// - Parameters:
    ///   - given: the server named on the command line, which always wins.
    ///   - caBundle: `--ca-bundle` given without a server: it replaces the account's.
    public static func server(given: ACMEServer?, caBundle: String?, certsDirectory: String) throws -> ACMEServer {
        if let given { return given }
        let accounts = try ACMEState(certsDirectory: certsDirectory).accounts()
        guard accounts.count == 1 else { return ACMEServer(caBundle: caBundle) }
        var server = accounts[0].acmeServer
        if let caBundle { server.caBundle = caBundle }
        return server
    }
}
