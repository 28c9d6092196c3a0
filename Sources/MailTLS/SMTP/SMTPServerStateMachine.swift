/// The SMTP side of one `mailtls serve` session, with no NIO and no sockets: it is given what
/// happened (the connection opened, a line arrived, TLS is up, the store finished, the client
/// went quiet) and says what to do (replies, start TLS, store a message, close). The channel
/// handler (`ServerSessionHandler`) only carries bytes and runs the actions, so every rule of
/// the dialogue can be tested by feeding inputs and reading actions.
///
/// It never reads ahead: after STARTTLS (until the handshake is done) and while a message is
/// being stored it takes no input, so plaintext pipelined after STARTTLS can never be read as
/// if encrypted (RFC 3207 §4.2) and a pipelined command is answered only after the message's
/// 250 (RFC 2920 keeps replies in order).
struct SMTPServerStateMachine {
    struct Configuration: Sendable {
        var hostName: String
        var requireTLS: Bool
        /// Largest message accepted, in bytes.
        var maxMessageSize: Int
        /// Whether accepted messages go to a store (`--maildir`) before the 250; else they are
        /// discarded and answered at once.
        var storesMessages: Bool

        init(_ options: ServeOptions, storesMessages: Bool) {
            hostName = options.hostName
            requireTLS = options.requireTLS
            maxMessageSize = options.maxMessageSize
            self.storesMessages = storesMessages
        }
    }

    /// A MAIL transaction: the sender and the recipients given so far.
    struct Envelope: Equatable {
        var sender: String
        var recipients: [String] = []
    }

    /// The text of a message as it arrives between 354 and ".", dot-unstuffed, CRLF line ends.
    struct MessageText: Equatable {
        var bytes: [UInt8] = []
        /// Longer than `maxMessageSize`: no more bytes are kept, and "." gets 552.
        var tooBig = false
        /// A line over `SMTPLineDecoder.maxDataLine` came: the rest of it was dropped unread,
        /// and "." gets 552.
        var lineTooLong = false
    }

    enum State: Equatable {
        /// Greeting sent, or TLS just started: EHLO or HELO must come before MAIL.
        case awaitingHello
        /// EHLO or HELO done, no transaction open.
        case ready
        /// MAIL accepted; RCPT adds recipients.
        case transaction(Envelope)
        /// After 354: every line is message text until a line holding only ".".
        case data(Envelope, MessageText)
        /// The message went to the store; no input is taken until the store says how it went.
        case storing
        /// 220 to STARTTLS sent; no input is taken until the TLS handshake is done.
        case startingTLS
        /// QUIT, an over-long command line or an idle client ended the session.
        case closed
    }

    enum Input: Equatable {
        /// The TCP connection is open.
        case connected
        /// One line without its CR LF: a command, or message text after 354.
        case line([UInt8])
        /// A line over the limit `maxLineLength` gave; its bytes were dropped.
        case lineTooLong
        /// The TLS handshake after STARTTLS completed.
        case tlsEstablished(version: String?, cipher: String?, verify: String)
        /// The store finished with the message: nil when it is safely on disk, else why not.
        case stored(failure: String?)
        /// The client said nothing for too long.
        case idleTimeout
    }

    /// A message to keep, with what its Received header says about the session.
    struct AcceptedMessage: Equatable, Sendable {
        var text: [UInt8]
        var ehlo: String
        var peer: String
        var tlsVersion: String?
        var cipher: String?
        var verify: String
        /// The first recipient's address, `<a@example.org>`.
        var recipient: String
    }

    enum Action: Equatable {
        /// Send one reply (its lines joined by CR LF, without the final CR LF).
        case reply(String)
        /// The 220 to STARTTLS is out: drop any plaintext already received and start TLS.
        case startTLS
        /// Store the message durably, then give `.stored`.
        case store(AcceptedMessage)
        /// Close the connection (after the replies before this action are written).
        case close
    }

    /// Command lines: RFC 5321 allows 512 octets; real clients stay far below 2048.
    static let maxCommandLine = 2048

    let configuration: Configuration
    private(set) var state: State = .awaitingHello
    private(set) var tls = false
    /// What the session log line (and the Received header) says about this session.
    private(set) var log: ServeSessionLog

    init(configuration: Configuration, peer: String) {
        self.configuration = configuration
        self.log = ServeSessionLog(peer: peer)
    }

    /// Whether the machine takes the next line now (not while TLS starts, a message is being
    /// stored, or after the end).
    var takesInput: Bool {
        switch state {
        case .storing, .startingTLS, .closed: false
        default: true
        }
    }

    /// The longest line accepted in the current state.
    var maxLineLength: Int {
        if case .data = state { return SMTPLineDecoder.maxDataLine }
        return Self.maxCommandLine
    }

    /// Why the session failed, for the log line (a TLS error, a store that could not start).
    mutating func note(_ text: String) {
        log.note = text
    }

    mutating func handle(_ input: Input) -> [Action] {
        guard state != .closed else { return [] }
        switch input {
        case .connected:
            return [.reply("220 \(configuration.hostName) ESMTP mailtls serve")]
        case .line(let line):
            guard takesInput else { return [] }
            if case .data(let envelope, let text) = state { return dataLine(line, envelope: envelope, text: text) }
            return command(String(decoding: line, as: UTF8.self))
        case .lineTooLong:
            if case .data(let envelope, var text) = state {
                text.lineTooLong = true
                state = .data(envelope, text)
                return []
            }
            state = .closed
            return [.reply("500 5.5.0 Line too long"), .close]
        case .tlsEstablished(let version, let cipher, let verify):
            guard state == .startingTLS else { return [] }
            tls = true
            log.tlsVersion = version
            log.cipher = cipher
            log.verify = verify
            state = .awaitingHello
            return []
        case .stored(let failure):
            guard state == .storing else { return [] }
            state = .ready
            if let failure { return [.reply("451 4.3.0 Cannot store the message: \(failure)")] }
            log.messages += 1
            return [.reply("250 2.0.0 Message accepted")]
        case .idleTimeout:
            state = .closed
            return [.reply("421 4.4.2 \(configuration.hostName) idle too long, closing"), .close]
        }
    }

    // MARK: commands

    private mutating func command(_ line: String) -> [Action] {
        let verb = line.split(separator: " ", maxSplits: 1).first.map { $0.uppercased() } ?? ""
        let argument = line.count > verb.count ? String(line.dropFirst(verb.count + 1)) : ""
        let host = configuration.hostName
        switch verb {
        case "EHLO", "HELO":
            // RFC 5321 §4.1.4: a new EHLO ends any open transaction, as RSET would.
            state = .ready
            log.ehlo = argument
            if verb == "HELO" { return [.reply("250 \(host)")] }
            var lines = ["250-\(host) Hello \(argument)", "250-PIPELINING", "250-8BITMIME", "250-SIZE \(configuration.maxMessageSize)"]
            if !tls { lines.append("250-STARTTLS") }
            lines.append("250 ENHANCEDSTATUSCODES")
            return [.reply(lines.joined(separator: "\r\n"))]
        case "STARTTLS":
            guard !tls else { return [.reply("503 5.5.1 TLS already active")] }
            // RFC 3207 §4.2: everything learnt before TLS (EHLO, an open transaction) is forgotten.
            state = .startingTLS
            return [.reply("220 2.0.0 Ready to start TLS"), .startTLS]
        case "MAIL":
            if configuration.requireTLS && !tls { return [.reply("530 5.7.0 Must issue a STARTTLS command first")] }
            guard state != .awaitingHello else { return [.reply("503 5.5.1 Say EHLO first")] }
            state = .transaction(Envelope(sender: argument))
            return [.reply("250 2.1.0 Sender ok")]
        case "RCPT":
            guard case .transaction(var envelope) = state else { return [.reply("503 5.5.1 Need MAIL first")] }
            envelope.recipients.append(argument)
            state = .transaction(envelope)
            return [.reply("250 2.1.5 Recipient ok")]
        case "DATA":
            guard case .transaction(let envelope) = state, !envelope.recipients.isEmpty else {
                return [.reply("503 5.5.1 Need RCPT first")]
            }
            state = .data(envelope, MessageText())
            return [.reply("354 Enter mail, end with \".\" on a line by itself")]
        case "RSET":
            if case .transaction = state { state = .ready }
            return [.reply("250 2.0.0 Reset")]
        case "NOOP":
            return [.reply("250 2.0.0 OK")]
        case "QUIT":
            state = .closed
            return [.reply("221 2.0.0 \(host) closing connection"), .close]
        default:
            return [.reply("500 5.5.1 Command unrecognized")]
        }
    }

    // MARK: message text

    private mutating func dataLine(_ line: [UInt8], envelope: Envelope, text: MessageText) -> [Action] {
        var text = text
        guard line == [0x2E] else {
            if !text.tooBig && !text.lineTooLong {
                text.bytes += (line.first == 0x2E ? Array(line.dropFirst()) : line) + [0x0D, 0x0A]
                text.tooBig = text.bytes.count > configuration.maxMessageSize
                if text.tooBig { text.bytes = [] }
            }
            state = .data(envelope, text)
            return []
        }
        // RFC 5321 §4.1.1.4: the end of the text ends the transaction, whatever the answer.
        state = .ready
        if text.tooBig { return [.reply("552 5.3.4 Message too big")] }
        if text.lineTooLong {
            return [.reply("552 5.3.4 Message refused: a line is longer than \(SMTPLineDecoder.maxDataLine) bytes")]
        }
        guard configuration.storesMessages else {
            log.messages += 1
            return [.reply("250 2.0.0 Message accepted")]
        }
        state = .storing
        return [.store(AcceptedMessage(text: text.bytes, ehlo: log.ehlo ?? "unknown", peer: log.peer,
                                       tlsVersion: log.tlsVersion, cipher: log.cipher, verify: log.verify,
                                       recipient: Self.address(envelope.recipients.first ?? "")))]
    }

    /// `TO:<a@example.org> NOTIFY=…` → `<a@example.org>`.
    static func address(_ argument: String) -> String {
        let afterColon = argument.split(separator: ":", maxSplits: 1).last.map(String.init) ?? argument
        return afterColon.trimmingSpaces().split(separator: " ").first.map(String.init) ?? afterColon
    }
}
