// libFuzzer entry point: ServerHelloFacts.parse (internal in MailTLS; the same source file is compiled here).
import FuzzDriver


@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    _ = ServerHelloFacts.parse(bytes)
    return 0
}

@_cdecl("FuzzServerHello_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzDriver(argc, argv, fuzzTestOneInput)
}
