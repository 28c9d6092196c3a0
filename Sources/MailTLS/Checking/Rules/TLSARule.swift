/// `check --tlsa FILE|dns`: the server certificate (or key) matches the published TLSA
/// records, by the rules a DANE client applies (``TLSAMatcher``). A key changed without a
/// rollover, or records never updated, make DANE senders defer all mail to this server.
///
/// The records come from a file (``TLSAFileSource``) or, with `dns`, from DNS through a
/// validating resolver (``DNSTLSASource``: a bogus answer or a resolver that does not
/// validate is an error; unsigned records mean DANE does not apply).
struct TLSARule: CheckRule {
    /// The rule name in findings; ``CheckReport`` tells DANE-only errors by it.
    static let ruleName = "tlsa"
    let name = TLSARule.ruleName
    /// The records as published (zone lines, `TYPE52` lines or `dig +short` lines), or `dns`.
    let path: String
    let port: Int
    /// Asked when `path` is `dns`.
    let resolver: DNSResolver

    init(path: String, port: Int = 25, resolver: DNSResolver = DNSResolver()) {
        self.path = path
        self.port = port
        self.resolver = resolver
    }

    func evaluate(_ context: CheckContext) async -> [Finding] {
        let published: PublishedTLSA
        do {
            let source: any TLSARecordSource = path == "dns" ? DNSTLSASource(resolver: resolver) : try TLSAFileSource(path: path)
            published = try await source.published(host: context.hostName, port: port)
        } catch let error as MailTLSError {
            return [finding(.error, path == "dns" ? error.subject : path, error.problem, fix: error.remedy.isEmpty ? nil : error.remedy)]
        } catch {
            return [finding(.error, path, "cannot be read (\(error))")]
        }
        return published.resolverWarnings + (await judge(published, context))
    }

    /// The certificate (or, without one, the key) against the records.
    private func judge(_ published: PublishedTLSA, _ context: CheckContext) async -> [Finding] {
        let records = published.records
        let origin = published.origin
        let note = published.note.map { " (\($0))" } ?? ""
        guard let certificatePath = context.files.serverCertificate else { return [] }
        let chain = context.presented(certificatePath)
        guard !chain.isEmpty else {
            // No usable certificate (another rule says why): compare the key with 3 1 x records.
            guard let keyPath = context.files.serverKey, let key = context.key(keyPath) else { return [] }
            if let hit = records.first(where: { $0.usage == .daneEE && $0.matches(publicKey: key.publicKey) }) {
                return [finding(.ok, keyPath, "matches TLSA \(hit.parameters)\(note)")]
            }
            return [finding(.warning, keyPath, "matches none of the \(records.count) TLSA records in \(origin)\(note)",
                            fix: "publish mailtls tlsa's record for this key, or roll over with mailtls rollover plan")]
        }
        let report = await TLSAMatcher(records: records, referenceNames: [context.hostName], now: context.now).match(chain: chain)
        switch report.verdict {
        case .matched:
            return [finding(.ok, certificatePath, report.summary + note)]
        case .noMatch:
            let reasons = Set(report.evaluations.compactMap { evaluation -> String? in
                if case .mismatch(let why) = evaluation.outcome { return "\(evaluation.record.parameters): \(why)" }
                return nil
            }).sorted().joined(separator: "; ")
            // RFC 7672 §3.1.2: with DANE-TA(2) the server must send the trust anchor itself.
            let needsAnchor = chain.count == 1 && records.contains { $0.usage == .daneTA && $0.unusableReason == nil }
            let fix = needsAnchor
                ? "a DANE-TA(2) anchor must be in the chain the server sends: give the MTA a certificate file with the CA in it (fullchain.pem from mailtls ca sign) as confSERVER_CERT or smtpd_tls_chain_files"
                : "publish the record mailtls tlsa prints beside the old one, wait 2 x TTL, then drop the old; for a key change use mailtls rollover"
            return [finding(.warning, certificatePath,
                            "matches none of the \(records.count) TLSA records in \(origin), so DANE senders will defer mail to this server (\(reasons))\(note)",
                            fix: fix)]
        case .noRecords where published.note != nil && path == "dns":
            return [finding(.warning, certificatePath, published.note ?? "",
                            fix: "publish 3 1 1 records (mailtls tlsa) in a DNSSEC-signed zone")]
        case .noUsableRecords, .noRecords:
            return [finding(.warning, certificatePath, report.summary + " (\(origin))" + note,
                            fix: "publish 3 1 1 records: mailtls tlsa")]
        }
    }
}
