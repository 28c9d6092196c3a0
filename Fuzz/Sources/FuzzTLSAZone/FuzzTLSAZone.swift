// libFuzzer entry point: TLSAZoneParser: TLSA records in zone-file syntax.
import FuzzDriver
import MailTLS

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    _ = try? TLSAZoneParser.parse(String(decoding: bytes, as: UTF8.self), path: "fuzz.zone")
    return 0
}

@_cdecl("FuzzTLSAZone_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzDriver(argc, argv, fuzzTestOneInput)
}
