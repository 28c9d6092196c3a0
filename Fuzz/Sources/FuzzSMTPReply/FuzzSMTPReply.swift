// libFuzzer entry point: SMTPReplyReader (internal in MailTLS; the same source file is compiled
// here). Besides not crashing, the reader must not depend on how the bytes arrive: feeding the
// input in one piece and in pieces cut at input-derived points gives the same replies.
import FuzzDriver

enum Outcome: Equatable {
    case reply(SMTPReply)
    case failure(SMTPReplyReader.Failure)
}

func drain(_ reader: inout SMTPReplyReader, into outcomes: inout [Outcome]) -> Bool {
    while true {
        do {
            guard let reply = try reader.nextReply() else { return true }
            outcomes.append(.reply(reply))
        } catch let failure as SMTPReplyReader.Failure {
            outcomes.append(.failure(failure))
            return false
        } catch {
            fatalError("unexpected error \(error)")
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    var whole = SMTPReplyReader()
    var wholeOutcomes: [Outcome] = []
    whole.append(bytes)
    _ = drain(&whole, into: &wholeOutcomes)

    var pieces = SMTPReplyReader()
    var pieceOutcomes: [Outcome] = []
    var index = 0
    let step = bytes.isEmpty ? 1 : Int(bytes[0] % 7) + 1
    while index < bytes.count {
        let end = min(index + step, bytes.count)
        pieces.append(Array(bytes[index..<end]))
        index = end
        if !drain(&pieces, into: &pieceOutcomes) { break }
    }
    // A failure may be noticed earlier in pieces (a long line without its newline yet), but
    // every complete reply before it must be the same.
    let wholeReplies = wholeOutcomes.filter { if case .reply = $0 { return true } else { return false } }
    let pieceReplies = pieceOutcomes.filter { if case .reply = $0 { return true } else { return false } }
    precondition(pieceReplies.count <= wholeReplies.count && Array(wholeReplies.prefix(pieceReplies.count)) == pieceReplies,
                 "replies depend on how the bytes arrive")
    return 0
}

@_cdecl("FuzzSMTPReply_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzDriver(argc, argv, fuzzTestOneInput)
}
