// libFuzzer entry point: SubjectParser: OpenSSL -subj (/C=…/CN=…) and RFC 4514 strings.
import FuzzDriver
import MailTLS

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    _ = try? SubjectParser.parse(String(decoding: bytes, as: UTF8.self))
    return 0
}

@_cdecl("FuzzSubject_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzDriver(argc, argv, fuzzTestOneInput)
}
