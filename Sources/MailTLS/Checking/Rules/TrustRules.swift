/// CACertFile: Sendmail verifies peers only when it exists and holds certificates, and sends
/// the subject of every certificate in it to clients, so it should be small.
struct CAFileRule: CheckRule {
    let name = "ca-file"
    /// More than this many certificates makes every TLS handshake carry a long CA list.
    static let handful = 20

    func evaluate(_ context: CheckContext) -> [Finding] {
        let sendmail = context.files.mta == .sendmail
        // Measured with Sendmail 8.17: an undefined, missing, empty or damaged CACertFile
        // (even one bad block after good ones) makes it leave STARTTLS out of EHLO.
        let consequence = sendmail ? "Sendmail will not offer STARTTLS" : "peer certificates cannot be verified"
        guard let path = context.files.caFile else {
            return [finding(sendmail ? .error : .warning, nil, "no CA file is configured: \(consequence)",
                            fix: sendmail ? "set confCACERT to a small cacert.pem (mailtls setup makes one)" : "set smtpd_tls_CAfile if you verify clients")]
        }
        switch context.material(path) {
        case .failure(let error):
            return [finding(sendmail ? .error : .warning, path, "\(error.problem): \(consequence)",
                            fix: error.remedy.isEmpty ? "mailtls setup makes a cacert.pem" : error.remedy)]
        case .success(let file):
            let count = file.certificates.count
            if count == 0 {
                return [finding(sendmail ? .error : .warning, path, "holds no certificate: \(consequence)", fix: "put your CA's certificate in it")]
            }
            if count > Self.handful {
                return [finding(.warning, path, "holds \(count) certificates: Sendmail sends all their names to every client",
                                fix: "keep only your own CA(s) here and put the rest into CACertPath: mailtls bundle split \(path) --into CA/")]
            }
            return [finding(.ok, path, "\(count) CA certificate\(count == 1 ? "" : "s")")]
        }
    }
}

/// CACertPath: a directory whose hash links are complete and not stale (as `rehash --dry-run` sees it).
struct CAPathRule: CheckRule {
    let name = "ca-path"

    func evaluate(_ context: CheckContext) -> [Finding] {
        let sendmail = context.files.mta == .sendmail
        guard let path = context.files.caPath else {
            // Measured with Sendmail 8.17: with confCACERT_PATH undefined it leaves STARTTLS out.
            return [finding(sendmail ? .error : .ok, nil,
                            sendmail ? "no CA directory is configured: Sendmail will not offer STARTTLS" : "no CApath configured",
                            fix: sendmail ? "set confCACERT_PATH to a hashed directory such as CA/ (mailtls setup makes one)" : nil)]
        }
        guard FileReading.isDirectory(path) else {
            return [finding(.warning, path, "is not a directory: peers' certificates cannot be verified through it",
                            fix: "mkdir \(path) && mailtls rehash \(path)")]
        }
        do {
            let plan = try Rehash.plan(path, options: RehashOptions(now: Int64(context.now.timeIntervalSince1970)))
            let changes = plan.changes
            if !changes.isEmpty {
                return [finding(.warning, path, "hash links are incomplete or stale (\(changes.count) to change): some peers' certificates will not verify",
                                fix: "mailtls rehash \(path)")]
            }
            return [finding(.ok, path, "\(plan.certificateCount) certificate\(plan.certificateCount == 1 ? "" : "s"), hash links complete")]
        } catch let error as MailTLSError {
            return [finding(.error, path, error.problem, fix: error.remedy)]
        } catch {
            return [finding(.error, path, "\(error)")]
        }
    }
}
