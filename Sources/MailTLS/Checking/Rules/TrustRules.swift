/// CACertFile: Sendmail verifies peers only when it exists and holds certificates, and sends
/// the subject of every certificate in it to clients, so it should be small.
struct CAFileRule: CheckRule {
    let name = "ca-file"
    /// More than this many certificates makes every TLS handshake carry a long CA list.
    static let handful = 20

    func evaluate(_ context: CheckContext) -> [CheckFinding] {
        guard let path = context.files.caFile else {
            return [finding(.warning, nil, "no CA file is configured: Sendmail will not verify peer certificates (no CERTISSUER relaying)",
                            fix: "set confCACERT to a small cacert.pem (mailtls setup makes one)")]
        }
        switch context.material(path) {
        case .failure(let error):
            return [finding(.error, path, "\(error.problem): Sendmail silently stops verifying peers", fix: error.remedy.isEmpty ? "mailtls setup makes a cacert.pem" : error.remedy)]
        case .success(let file):
            let count = file.certificates.count
            if count == 0 {
                return [finding(.error, path, "holds no certificate: Sendmail silently stops verifying peers", fix: "put your CA's certificate in it")]
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

    func evaluate(_ context: CheckContext) -> [CheckFinding] {
        guard let path = context.files.caPath else {
            return [finding(.warning, nil, "no CA directory is configured: Sendmail will not verify peer certificates",
                            fix: "set confCACERT_PATH to a hashed directory, e.g. CA/ made with mailtls bundle split and mailtls rehash")]
        }
        guard FileReading.isDirectory(path) else {
            return [finding(.error, path, "is not a directory", fix: "mkdir \(path) && mailtls rehash \(path)")]
        }
        do {
            let plan = try Rehash.plan(path, options: RehashOptions(now: Int64(context.now.timeIntervalSince1970)))
            let changes = plan.changes
            if !changes.isEmpty {
                return [finding(.error, path, "hash links are incomplete or stale (\(changes.count) to change): peers' certificates will not be found",
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
