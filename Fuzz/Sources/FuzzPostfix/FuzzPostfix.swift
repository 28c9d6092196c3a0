// libFuzzer entry point: PostfixConfig: main.cf parameters and TLS file set.
import FuzzDriver
import MailTLS

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    let text = String(decoding: bytes, as: UTF8.self)
    _ = PostfixConfig.parameters(text)
    _ = PostfixConfig.parse(text, source: "main.cf")
    return 0
}

@_cdecl("FuzzPostfix_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzDriver(argc, argv, fuzzTestOneInput)
}
