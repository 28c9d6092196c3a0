import Testing
@testable import MailTLS

/// The line decoder of `serve`: lines in any chunking, and a cap that holds in DATA too.
@Suite("serve: SMTP line decoder")
struct SMTPLineDecoderTests {
    static func lines(_ decoder: inout SMTPLineDecoder, limit: Int = 100) -> [SMTPLineDecoder.Frame] {
        var frames: [SMTPLineDecoder.Frame] = []
        while let frame = decoder.next(limit: limit) { frames.append(frame) }
        return frames
    }

    @Test("CR LF and bare LF end lines; a line split over reads comes out whole")
    func chunks() {
        var decoder = SMTPLineDecoder()
        decoder.append(Array("EHLO a\r\nNO".utf8))
        #expect(Self.lines(&decoder) == [.line(Array("EHLO a".utf8))])
        decoder.append(Array("OP\nQUIT\r".utf8))
        #expect(Self.lines(&decoder) == [.line(Array("NOOP".utf8))])
        decoder.append(Array("\n".utf8))
        #expect(Self.lines(&decoder) == [.line(Array("QUIT".utf8))])
        #expect(decoder.bufferedCount == 0)
    }

    @Test("a line at the limit passes; one byte more is too long, and the next line is read normally")
    func limit() {
        var decoder = SMTPLineDecoder()
        decoder.append(Array(String(repeating: "a", count: 100).utf8) + [0x0D, 0x0A])
        decoder.append(Array(String(repeating: "b", count: 101).utf8) + [0x0D, 0x0A])
        decoder.append(Array("next\r\n".utf8))
        #expect(Self.lines(&decoder) == [.line(Array(repeating: 0x61, count: 100)), .tooLong, .line(Array("next".utf8))])
    }

    @Test("an endless line is reported once and held to the limit, however much of it comes")
    func endlessLine() {
        var decoder = SMTPLineDecoder()
        let chunk = [UInt8](repeating: 0x41, count: 4096)
        var frames: [SMTPLineDecoder.Frame] = []
        var largest = 0
        for _ in 0..<2_560 { // 10 MiB without a line end
            decoder.append(chunk)
            frames += Self.lines(&decoder, limit: SMTPLineDecoder.maxDataLine)
            largest = max(largest, decoder.bufferedCount)
        }
        #expect(frames == [.tooLong])
        #expect(largest <= SMTPLineDecoder.maxDataLine + chunk.count + 1, "held \(largest) bytes")
        decoder.append(Array("rest of the long line\r\n.\r\n".utf8))
        #expect(Self.lines(&decoder, limit: SMTPLineDecoder.maxDataLine) == [.line([0x2E])], "the long line ends at its LF")
    }

    @Test("discardBuffered drops a partial line too (STARTTLS)")
    func discard() {
        var decoder = SMTPLineDecoder()
        decoder.append(Array("STARTTLS\r\nNOOP\r\nMAIL FR".utf8))
        #expect(decoder.next(limit: 100) == .line(Array("STARTTLS".utf8)))
        decoder.discardBuffered()
        #expect(decoder.bufferedCount == 0)
        decoder.append(Array("EHLO x\r\n".utf8))
        #expect(Self.lines(&decoder) == [.line(Array("EHLO x".utf8))])
    }
}
