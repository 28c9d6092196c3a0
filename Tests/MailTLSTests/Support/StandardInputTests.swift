import Foundation
import Testing
@testable import MailTLS

/// The one bounded reader of standard input, fed through a pipe.
@Suite("Support: StandardInput")
struct StandardInputTests {
    /// Writes `bytes` into a pipe (from a thread, so a full pipe cannot block the test) and
    /// reads them back with the limit.
    func read(_ bytes: [UInt8], limit: Int) throws -> [UInt8] {
        var fds: [Int32] = [0, 0]
        try #require(pipe(&fds) == 0)
        let writer = fds[1]
        let thread = Thread {
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { write(writer, $0.baseAddress, $0.count) }
                if written <= 0 { break }
                offset += written
            }
            close(writer)
        }
        thread.start()
        defer { close(fds[0]) }
        return try StandardInput.readAll(from: fds[0], limit: limit, remedy: "pipe in less")
    }

    @Test("reads everything up to the limit, byte for byte")
    func underLimit() throws {
        let bytes = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        #expect(try read(bytes, limit: 200_000) == bytes)
        #expect(try read([], limit: 10) == [])
    }

    @Test("one byte over the limit is one error naming stdin")
    func overLimit() throws {
        #expect(throws: MailTLSError("stdin", "is more than the 100 bytes mailtls reads", remedy: "pipe in less")) {
            try read([UInt8](repeating: 0x41, count: 101), limit: 100)
        }
        #expect(StandardInput.words(FileReading.sizeLimit) == "64 MiB")
    }
}
