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
