/// A host's A and AAAA answers read the way RFC 7672 §2.2 reads them: the addresses, whether
/// both answers are secure (AD set, NOERROR or NXDOMAIN), and the name their CNAMEs lead to.
/// The one reading behind the audit's MX hosts and ``DNSTLSASource`` (`check`, `probe` and
/// `rollover` with `dns`), so both decide "DANE applies" and "senders defer" alike.
public struct HostAddressAnswers: Sendable {
    /// A records' addresses, then AAAA's.
    public var addresses: [String]
    /// Both answers came with AD: TLSA records are looked up (insecure addresses mean DANE
    /// does not apply, RFC 7672 §2.2.1).
    public var secure: Bool
    /// The CNAME-expanded name (the host itself without CNAMEs): the first TLSA base tried.
    public var expanded: String

    /// Why there is nothing to judge: senders defer the mail in both cases.
    public enum Failure: Error, Sendable {
        /// SERVFAIL: validation failed (or the resolver gave up on the name).
        case bogus(String)
        /// No reply, or a reply that could not be read.
        case lookup(DNSLookupError)

        public var reason: String {
            switch self {
            case .bogus(let reason): return reason
            case .lookup(let error): return error.problem
            }
        }
    }

    /// Reads the A and AAAA answers (either order) for `host`.
    public static func read(host: String, _ answers: [Result<DNSAnswer, DNSLookupError>]) -> Result<HostAddressAnswers, Failure> {
        var reading = HostAddressAnswers(addresses: [], secure: true, expanded: host)
        for result in answers {
            let answer: DNSAnswer
            switch result {
            case .failure(let error): return .failure(.lookup(error))
            case .success(let got): answer = got
            }
            if answer.rcode == .servFail {
                let detail = answer.extendedError.map { ", extended error \($0.infoCode)" } ?? ""
                return .failure(.bogus("the \(answer.type) lookup of \(host) failed (SERVFAIL\(detail)): senders defer the mail, never send it in plaintext"))
            }
            if answer.rcode == .noError { reading.addresses += answer.addresses }
            reading.secure = reading.secure && answer.authenticated && (answer.rcode == .noError || answer.rcode == .nxDomain)
            if !answer.cnameChain.isEmpty { reading.expanded = answer.canonicalName.hostName }
        }
        return .success(reading)
    }

    /// Asks for `host`'s A and AAAA at once through `ask` (``TLSALookup/Ask``) and reads them.
    public static func lookup(_ host: String, ask: TLSALookup.Ask) async -> Result<HostAddressAnswers, Failure> {
        async let v4 = ask(host, .a)
        async let v6 = ask(host, .aaaa)
        return read(host: host, [await v4, await v6])
    }
}
