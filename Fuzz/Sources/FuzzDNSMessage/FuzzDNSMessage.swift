// libFuzzer entry point: DNSMessage, the reply parser of the DNS layer (what a resolver, or
// anything on the path to it, sends back), and DNSAnswer's reading of a parsed reply.
import FuzzDriver
import MailTLS

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    guard let reply = try? DNSReply(bytes: bytes), let question = reply.message.questions.first else { return 0 }
    let answer = DNSAnswer(name: question.name, type: question.type, reply: reply)
    _ = answer.records.map(\.presentation)
    _ = answer.texts
    _ = answer.isNullMX
    return 0
}

@_cdecl("FuzzDNSMessage_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzDriver(argc, argv, fuzzTestOneInput)
}
