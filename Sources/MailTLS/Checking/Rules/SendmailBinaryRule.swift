/// A sendmail built without STARTTLS ignores every TLS setting. Its compile options say
/// whether it has it (`sendmail -d0.1 -bv root`).
struct SendmailBinaryRule: CheckRule {
    let name = "sendmail-starttls"
    /// Where to look for sendmail; a test points it elsewhere.
    var candidates = ["/usr/sbin/sendmail", "/usr/lib/sendmail", "/usr/libexec/sendmail/sendmail"]

    func evaluate(_ context: CheckContext) -> [Finding] {
        guard context.files.mta == .sendmail else { return [] }
        guard let binary = candidates.first(where: { access($0, X_OK) == 0 }) else { return [] }
        guard let output = ChildProcess.output(binary, ["-d0.1", "-bv", "root"]) else {
            return [finding(.warning, binary, "could not be run to read its compile options", fix: "run \(binary) -d0.1 -bv root and look for STARTTLS")]
        }
        if output.contains("Compiled with:") && !output.contains("STARTTLS") {
            // Postfix and others install a sendmail(1) too; only Sendmail prints "Compiled with:".
            return [finding(.error, binary, "was built without STARTTLS: it ignores every TLS setting", fix: "install a sendmail built with STARTTLS (Debian's sendmail-bin has it)")]
        }
        if output.contains("STARTTLS") {
            return [finding(.ok, binary, "has STARTTLS compiled in")]
        }
        return []
    }
}
