// libFuzzer entry point: ReceivedHeaders: messages / mbox files and single Received header values.
import FuzzDriver
import MailTLS

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    _ = try? ReceivedHeaders.parse(bytes, source: "fuzz.eml")
    _ = ReceivedHeaders.parseHop(String(decoding: bytes, as: UTF8.self))
    return 0
}

@_cdecl("FuzzReceived_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzDriver(argc, argv, fuzzTestOneInput)
}
