import Testing
@testable import MailTLS

/// The `serve` session's dialogue as a pure state machine: inputs in, actions out, no NIO.
@Suite("serve: SMTP server state machine")
struct SMTPServerStateMachineTests {
    typealias Machine = SMTPServerStateMachine

    static func machine(requireTLS: Bool = false, stores: Bool = false, maxMessageSize: Int = 1000) -> Machine {
        let options = ServeOptions(hostName: "mx.example.org", requireTLS: requireTLS, maxMessageSize: maxMessageSize)
        return Machine(configuration: .init(options, storesMessages: stores), peer: "192.0.2.7")
    }

    /// Feeds one line and returns the actions.
    static func say(_ machine: inout Machine, _ line: String) -> [Machine.Action] {
        machine.handle(.line(Array(line.utf8)))
    }

    /// The reply codes among the actions.
    static func codes(_ actions: [Machine.Action]) -> [String] {
        actions.compactMap { action -> String? in
            guard case .reply(let text) = action else { return nil }
            return String(text.prefix(3))
        }
    }

    @Test("greeting, EHLO with STARTTLS, a whole transaction, QUIT")
    func wholeSession() {
        var machine = Self.machine()
        #expect(machine.handle(.connected) == [.reply("220 mx.example.org ESMTP mailtls serve")])
        let ehlo = Self.say(&machine, "EHLO client.example")
        #expect(ehlo == [.reply("250-mx.example.org Hello client.example\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SIZE 1000\r\n250-STARTTLS\r\n250 ENHANCEDSTATUSCODES")])
        #expect(Self.codes(Self.say(&machine, "MAIL FROM:<a@example.org>")) == ["250"])
        #expect(Self.codes(Self.say(&machine, "RCPT TO:<b@example.org> NOTIFY=NEVER")) == ["250"])
        #expect(Self.codes(Self.say(&machine, "DATA")) == ["354"])
        #expect(Self.say(&machine, "Subject: hi").isEmpty)
        #expect(Self.say(&machine, "..leading dot").isEmpty)
        #expect(Self.say(&machine, ".") == [.reply("250 2.0.0 Message accepted")])
        #expect(machine.log.messages == 1)
        #expect(machine.state == .ready)
        #expect(Self.say(&machine, "QUIT") == [.reply("221 2.0.0 mx.example.org closing connection"), .close])
        #expect(machine.state == .closed)
        #expect(Self.say(&machine, "NOOP").isEmpty, "nothing is answered after QUIT")
    }

    @Test("order is enforced: EHLO before MAIL, MAIL before RCPT, RCPT before DATA; unknown verbs get 500")
    func order() {
        var machine = Self.machine()
        #expect(Self.codes(Self.say(&machine, "MAIL FROM:<a@example.org>")) == ["503"])
        #expect(Self.codes(Self.say(&machine, "EHLO c")) == ["250"])
        #expect(Self.codes(Self.say(&machine, "RCPT TO:<b@example.org>")) == ["503"])
        #expect(Self.codes(Self.say(&machine, "MAIL FROM:<a@example.org>")) == ["250"])
        #expect(Self.codes(Self.say(&machine, "DATA")) == ["503"])
        #expect(Self.codes(Self.say(&machine, "RSET")) == ["250"])
        #expect(Self.codes(Self.say(&machine, "RCPT TO:<b@example.org>")) == ["503"], "RSET ended the transaction")
        #expect(Self.codes(Self.say(&machine, "XYZZY")) == ["500"])
        #expect(Self.codes(Self.say(&machine, "HELO c")) == ["250"])
        #expect(machine.log.ehlo == "c")
    }

    @Test("STARTTLS: 220 then startTLS, no input until the handshake, EHLO again without STARTTLS, 503 to a second STARTTLS")
    func startTLS() {
        var machine = Self.machine(requireTLS: true)
        _ = Self.say(&machine, "EHLO c")
        #expect(Self.codes(Self.say(&machine, "MAIL FROM:<a@example.org>")) == ["530"])
        #expect(Self.say(&machine, "STARTTLS") == [.reply("220 2.0.0 Ready to start TLS"), .startTLS])
        #expect(!machine.takesInput)
        #expect(Self.say(&machine, "NOOP").isEmpty, "a line before the handshake is not read")
        #expect(machine.handle(.tlsEstablished(version: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384", verify: "NOT")).isEmpty)
        #expect(machine.tls && machine.log.tlsVersion == "TLSv1.3" && machine.log.verify == "NOT")
        #expect(Self.codes(Self.say(&machine, "MAIL FROM:<a@example.org>")) == ["503"], "RFC 3207: EHLO is forgotten")
        let ehlo = Self.say(&machine, "EHLO c")
        guard case .reply(let text) = ehlo.first else { Issue.record("no EHLO reply"); return }
        #expect(!text.contains("STARTTLS"), "\(text)")
        #expect(Self.codes(Self.say(&machine, "MAIL FROM:<a@example.org>")) == ["250"])
        #expect(Self.codes(Self.say(&machine, "STARTTLS")) == ["503"])
    }

    @Test("with a store: the message goes to the store, and 250 (or 451) comes only with the store's answer")
    func storing() {
        var machine = Self.machine(stores: true)
        _ = Self.say(&machine, "EHLO client.example")
        _ = Self.say(&machine, "MAIL FROM:<a@example.org>")
        _ = Self.say(&machine, "RCPT TO:<b@example.org>")
        _ = Self.say(&machine, "RCPT TO:<c@example.org>")
        _ = Self.say(&machine, "DATA")
        _ = Self.say(&machine, "hello")
        let end = Self.say(&machine, ".")
        #expect(end == [.store(Machine.AcceptedMessage(text: Array("hello\r\n".utf8), ehlo: "client.example", peer: "192.0.2.7",
                                                       tlsVersion: nil, cipher: nil, verify: "NONE", recipient: "<b@example.org>"))])
        #expect(machine.state == .storing && !machine.takesInput)
        #expect(Self.say(&machine, "QUIT").isEmpty, "a pipelined command waits for the store")
        #expect(machine.log.messages == 0)
        #expect(machine.handle(.stored(failure: nil)) == [.reply("250 2.0.0 Message accepted")])
        #expect(machine.log.messages == 1)

        _ = Self.say(&machine, "MAIL FROM:<a@example.org>")
        _ = Self.say(&machine, "RCPT TO:<b@example.org>")
        _ = Self.say(&machine, "DATA")
        _ = Self.say(&machine, ".")
        #expect(machine.handle(.stored(failure: "disk full")) == [.reply("451 4.3.0 Cannot store the message: disk full")])
        #expect(machine.log.messages == 1, "a message that was not stored is not counted")
        #expect(machine.state == .ready)
    }

    @Test("a message over the size limit gets 552 and keeps no bytes")
    func tooBig() {
        var machine = Self.machine(stores: true, maxMessageSize: 100)
        for line in ["EHLO c", "MAIL FROM:<a@example.org>", "RCPT TO:<b@example.org>", "DATA"] { _ = Self.say(&machine, line) }
        for _ in 0..<20 { _ = Self.say(&machine, String(repeating: "x", count: 50)) }
        guard case .data(_, let text) = machine.state else { Issue.record("not in DATA: \(machine.state)"); return }
        #expect(text.tooBig && text.bytes.isEmpty)
        #expect(Self.say(&machine, ".") == [.reply("552 5.3.4 Message too big")])
        #expect(machine.state == .ready)
    }

    @Test("an over-long line: 500 and close in a command, 552 at the end of the message in DATA")
    func lineTooLong() {
        var machine = Self.machine()
        _ = Self.say(&machine, "EHLO c")
        #expect(machine.maxLineLength == Machine.maxCommandLine)
        #expect(machine.handle(.lineTooLong) == [.reply("500 5.5.0 Line too long"), .close])
        #expect(machine.state == .closed)

        var data = Self.machine()
        for line in ["EHLO c", "MAIL FROM:<a@example.org>", "RCPT TO:<b@example.org>", "DATA"] { _ = Self.say(&data, line) }
        #expect(data.maxLineLength == SMTPLineDecoder.maxDataLine)
        #expect(data.handle(.lineTooLong).isEmpty, "the client is not interrupted while it sends")
        #expect(Self.say(&data, "more text").isEmpty)
        #expect(Self.codes(Self.say(&data, ".")) == ["552"])
        #expect(data.log.messages == 0)
        #expect(Self.codes(Self.say(&data, "NOOP")) == ["250"], "the session goes on")
    }

    @Test("an idle client is told why and closed")
    func idle() {
        var machine = Self.machine()
        #expect(machine.handle(.idleTimeout) == [.reply("421 4.4.2 mx.example.org idle too long, closing"), .close])
        #expect(machine.handle(.idleTimeout).isEmpty)
    }

    @Test("RCPT argument to the address of the Received header", arguments: [
        ("TO:<a@example.org>", "<a@example.org>"), ("TO: <a@example.org> NOTIFY=NEVER", "<a@example.org>"), ("<a@example.org>", "<a@example.org>"),
    ])
    func address(_ argument: String, _ expected: String) {
        #expect(Machine.address(argument) == expected)
    }
}
