import NIOCore
import NIOPosix
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where `mailtls serve` keeps the messages it accepts. The session answers 250 only after
/// the future returned by `store` succeeds, so a 250 always means "on disk".
protocol MessageStore: Sendable {
    /// Stores the message; the future completes on `eventLoop`.
    func store(_ message: SMTPServerStateMachine.AcceptedMessage, on eventLoop: any EventLoop) -> EventLoopFuture<Void>
}

/// `--maildir`: one file per message, `<time>.<pid>.<random>.eml`, the message under a
/// Received header in Sendmail's form. The write (and its fsyncs) runs on a thread pool, never
/// on the event loop, so a slow disk holds up only the session whose message it is writing.
struct MaildirStore: MessageStore {
    let directory: String
    /// The receiving host's name in the Received header.
    let hostName: String
    let pool: NIOThreadPool

    init(directory: String, hostName: String, pool: NIOThreadPool = .singleton) {
        self.directory = directory
        self.hostName = hostName
        self.pool = pool
    }

    func store(_ message: SMTPServerStateMachine.AcceptedMessage, on eventLoop: any EventLoop) -> EventLoopFuture<Void> {
        let directory = directory, hostName = hostName
        return pool.runIfActive(eventLoop: eventLoop) {
            try Self.write(message, in: directory, by: hostName, date: Date())
        }
    }

    /// Writes the message with its Received header, durably (AtomicFile: fsync of the file
    /// and of the directory); refuses to replace a file of the same name.
    static func write(_ message: SMTPServerStateMachine.AcceptedMessage, in directory: String, by hostName: String, date: Date) throws {
        let header = ReceivedHeaderLine.sendmailStyle(from: message.ehlo, peer: message.peer, by: hostName,
                                                      tlsVersion: message.tlsVersion, cipher: message.cipher, verify: message.verify,
                                                      recipient: message.recipient, date: date)
        let name = Paths.join(directory, "\(UTCTimestamp.compact(date)).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).eml")
        try AtomicFile.write(Array(header.utf8) + message.text, to: name, mode: .shared, existing: .refuse)
    }
}
