// What every fuzz target shares: libFuzzer's input as bytes, and the hand-over to
// libFuzzer's driver. Each target keeps only its LLVMFuzzerTestOneInput and a two-line
// <target>_main (the symbol name differs per target, so it cannot live here).

/// libFuzzer's input as an array (empty for a zero-length input, whose pointer may be nil).
public func fuzzBytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    size == 0 || data == nil ? [] : Array(UnsafeBufferPointer(start: data, count: size))
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// SwiftPM links every executable with main defined as <target>_main (so tests can link it);
/// that function calls this to hand `callback` to libFuzzer's driver, which parses the
/// options and runs the loop.
public func runFuzzDriver(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                          _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, callback)
}
