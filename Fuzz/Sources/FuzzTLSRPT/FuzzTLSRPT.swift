// libFuzzer entry point: TLS reports (RFC 8460 §4) as `tlsrpt read` finds them: the input is
// sniffed as JSON, gzip or mail (one message or an mbox, MIME parts at any depth, base64 and
// quoted-printable bodies), each report parsed and summed. The same input is also given to
// `tlsrpt record` as a --rua value: whatever it accepts must read back with the audit's parser
// (the writer throws a "does not read back" error otherwise, which is a bug: trap on it).
import FuzzDriver
import MailTLS

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    var summary = TLSRPTSummary()
    // A smaller cap than the CLI's 10 MiB keeps each input fast; the cap's logic is the same.
    summary.add(TLSRPTDocuments.contents(of: bytes, source: "fuzz", limit: 1 << 20))
    _ = summary.finished()
    do {
        _ = try TLSRPTRecordWriter.record(rua: [String(decoding: bytes.prefix(512), as: UTF8.self)], domain: nil)
    } catch let error as MailTLSError {
        precondition(!error.problem.contains("does not read back"), "\(error)")
    } catch {}
    return 0
}

@_cdecl("FuzzTLSRPT_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzDriver(argc, argv, fuzzTestOneInput)
}
