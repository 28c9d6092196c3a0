// libFuzzer entry point: MTA-STS and TLS-RPT parsers: the policy text (STSPolicyParser, then
// STSPolicy.covers) and the _mta-sts / _smtp._tls TXT records (TXTTagList, STSRecord,
// TLSRPTRecord). The same input feeds all of them: as a policy, and as a TXT RRset where a
// NUL byte separates records and a 0x01 byte a record's character-strings.
import FuzzDriver
import MailTLS

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    let reading = STSPolicyParser.read(bytes, source: "fuzz")
    if let policy = reading.policy {
        for pattern in policy.mx { _ = policy.covers(mxHost: String(pattern.map { $0 == "*" ? "x" : $0 })) }
    }
    let rrset = bytes.split(separator: 0, omittingEmptySubsequences: false).map { record in
        record.split(separator: 1, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    }
    _ = STSRecord.read(rrset, name: "_mta-sts.fuzz")
    _ = TLSRPTRecord.read(rrset, name: "_smtp._tls.fuzz")
    return 0
}

@_cdecl("FuzzSTSPolicy_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzDriver(argc, argv, fuzzTestOneInput)
}
