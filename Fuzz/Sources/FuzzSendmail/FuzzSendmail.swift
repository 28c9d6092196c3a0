// libFuzzer entry point: SendmailConfig: sendmail.mc (m4) and sendmail.cf readers.
import FuzzDriver
import MailTLS

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    let text = String(decoding: bytes, as: UTF8.self)
    _ = SendmailConfig.parseMC(text, source: "fuzz.mc")
    _ = SendmailConfig.parseCF(text, source: "fuzz.cf")
    return 0
}

@_cdecl("FuzzSendmail_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzDriver(argc, argv, fuzzTestOneInput)
}
