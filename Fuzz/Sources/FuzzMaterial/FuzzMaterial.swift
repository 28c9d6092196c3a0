// libFuzzer entry point: MaterialFile.parse: PEM or DER certificates, CSRs, keys (PKCS#1, PKCS#8, SEC1), CRLs.
import FuzzDriver
import MailTLS

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    if let file = try? MaterialFile.parse(bytes, path: "fuzz.pem") {
        _ = file.objects.count
    }
    return 0
}

@_cdecl("FuzzMaterial_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzDriver(argc, argv, fuzzTestOneInput)
}
