/// Reads the TLS settings out of Postfix's `main.cf`: `name = value` lines, continuation
/// lines that start with white space, `#` comments, and `$name`/`${name}` expansion.
public enum PostfixConfig {
    /// Defaults of the parameters a TLS path is usually built from.
    static let defaults = ["config_directory": "/etc/postfix", "queue_directory": "/var/spool/postfix",
                           "daemon_directory": "/usr/lib/postfix/sbin"]

    public static func load(_ path: String) throws -> TLSFileSet {
        parse(String(decoding: try FileReading.bytes(of: path), as: UTF8.self), source: path)
    }

    /// The parameters of a main.cf, unexpanded.
    public static func parameters(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        var current: (name: String, value: String)?
        func finish() { if let current { result[current.name] = current.value.trimmingSpaces() } }
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let line = String(rawLine)
            if line.trimmingSpaces().hasPrefix("#") || line.trimmingSpaces().isEmpty {
                continue
            }
            if line.first == " " || line.first == "\t" {
                current?.value += " " + line.trimmingSpaces()
                continue
            }
            finish()
            guard let equals = line.firstIndex(of: "=") else { current = nil; continue }
            current = (String(line[..<equals]).trimmingSpaces(), String(line[line.index(after: equals)...]))
        }
        finish()
        return result
    }

    public static func parse(_ text: String, source: String) -> TLSFileSet {
        let raw = parameters(text)
        func value(_ name: String) -> String? {
            guard let text = raw[name], !text.isEmpty else { return nil }
            return expand(text, raw)
        }
        var files = TLSFileSet(mta: .postfix, source: source)
        (files.serverKey, files.serverCertificate) = keyAndCertificate(prefix: "smtpd", value)
        (files.clientKey, files.clientCertificate) = keyAndCertificate(prefix: "smtp", value)
        files.caFile = value("smtpd_tls_CAfile") ?? value("smtp_tls_CAfile")
        files.caPath = value("smtpd_tls_CApath") ?? value("smtp_tls_CApath")
        files.hostName = value("myhostname")
        return files
    }

    /// The key and certificate of one side (`smtpd` server, `smtp` client): Postfix 3.4+'s
    /// `_tls_chain_files` (the key, then its chain; one file may hold both), else the older
    /// `_tls_cert_file` / `_tls_key_file` (the key defaulting to the certificate file).
    static func keyAndCertificate(prefix: String, _ value: (String) -> String?) -> (key: String?, certificate: String?) {
        if let chain = value("\(prefix)_tls_chain_files") {
            let parts = chain.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
            return (parts.first, parts.count > 1 ? parts[1] : parts.first)
        }
        let certificate = value("\(prefix)_tls_cert_file")
        return (value("\(prefix)_tls_key_file") ?? certificate, certificate)
    }

    /// Bounds on expansion. Real values are paths and host names with a few references; without
    /// a bound, parameters that refer to each other (or to themselves) many times over took
    /// exponential time and memory (`tls_dir = $tls_dir $tls_dir …`: found by fuzzing, input in
    /// Fuzz/regressions/FuzzPostfix/). Past either bound the rest of the value is dropped.
    static let maxExpansion = 4096
    static let maxReferences = 256

    /// Expands `$name` and `${name}` from the file's parameters and Postfix's defaults.
    static func expand(_ text: String, _ parameters: [String: String]) -> String {
        var references = maxReferences
        let out = expand(text, parameters, depth: 0, references: &references)
        return out.utf8.count <= maxExpansion ? out : String(out.prefix(maxExpansion))
    }

    private static func expand(_ text: String, _ parameters: [String: String], depth: Int,
                               references: inout Int) -> String {
        guard depth < 8, text.contains("$") else { return text }
        var out = ""
        var chars = Substring(text)
        while let first = chars.first, out.utf8.count <= maxExpansion {
            chars = chars.dropFirst()
            guard first == "$" else { out.append(first); continue }
            var name = ""
            if chars.first == "{" || chars.first == "(" {
                let close: Character = chars.first == "{" ? "}" : ")"
                chars = chars.dropFirst()
                name = String(chars.prefix { $0 != close })
                chars = chars.dropFirst(name.count + 1)
            } else {
                name = String(chars.prefix { $0.isLetter || $0.isNumber || $0 == "_" })
                chars = chars.dropFirst(name.count)
            }
            guard references > 0 else { break }
            references -= 1
            out += expand(parameters[name] ?? defaults[name] ?? "", parameters, depth: depth + 1, references: &references)
        }
        return out
    }
}
