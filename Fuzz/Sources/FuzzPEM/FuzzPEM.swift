// libFuzzer entry point: PEMScanner: BEGIN/END blocks, headers, base64; re-encoding a block must scan back to the same bytes.
import FuzzDriver
import MailTLS

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    _ = PEMScanner.looksLikePEM(bytes)
    guard let blocks = try? PEMScanner.blocks(in: String(decoding: bytes, as: UTF8.self)) else { return 0 }
    for block in blocks where !block.label.contains("-") && block.label.allSatisfy({ $0.isASCII && !$0.isNewline }) {
        let again = try? PEMScanner.blocks(in: PEMScanner.encode(block.der, label: block.label))
        precondition(again?.first?.der == block.der, "PEM round trip changed the bytes of \(block.label)")
    }
    return 0
}

@_cdecl("FuzzPEM_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzDriver(argc, argv, fuzzTestOneInput)
}
