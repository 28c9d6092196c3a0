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
