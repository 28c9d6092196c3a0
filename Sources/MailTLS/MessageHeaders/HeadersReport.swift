/// One message of the input and its hops, oldest first.
public struct ReceivedMessage: Equatable, Sendable, Encodable {
    /// Position in the input, 1 = the first message (an mbox holds several).
    public var message: Int
    public var subject: String?
    public var messageId: String?
    /// The hops, oldest first: the reverse of the header order, since every MTA adds its
    /// Received header on top.
    public var hops: [ReceivedHop]

    public init(message: Int, subject: String?, messageId: String?, hops: [ReceivedHop]) {
        self.message = message
        self.subject = subject
        self.messageId = messageId
        self.hops = hops
    }

    enum CodingKeys: String, CodingKey { case message, subject, messageId, hops }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(message, forKey: .message)
        try container.encode(subject, forKey: .subject)
        try container.encode(messageId, forKey: .messageId)
        try container.encode(hops, forKey: .hops)
    }
}

/// What `mailtls headers` reports: the input and its messages.
public struct HeadersReport: Equatable, Sendable, Encodable {
    /// The file read, or `-` for standard input.
    public var file: String
    public var messages: [ReceivedMessage]
}
