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
        if let chain = value("smtpd_tls_chain_files") {
            // Postfix 3.4+: the key, then its certificate chain (files may hold both).
            let parts = chain.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
            files.serverKey = parts.first
            files.serverCertificate = parts.count > 1 ? parts[1] : parts.first
        } else {
            files.serverCertificate = value("smtpd_tls_cert_file")
            files.serverKey = value("smtpd_tls_key_file") ?? files.serverCertificate
        }
        if let chain = value("smtp_tls_chain_files") {
            let parts = chain.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
            files.clientKey = parts.first
            files.clientCertificate = parts.count > 1 ? parts[1] : parts.first
        } else {
            files.clientCertificate = value("smtp_tls_cert_file")
            files.clientKey = value("smtp_tls_key_file") ?? files.clientCertificate
        }
        files.caFile = value("smtpd_tls_CAfile") ?? value("smtp_tls_CAfile")
        files.caPath = value("smtpd_tls_CApath") ?? value("smtp_tls_CApath")
        files.hostName = value("myhostname")
        return files
    }

    /// Expands `$name` and `${name}` from the file's parameters and Postfix's defaults.
    static func expand(_ text: String, _ parameters: [String: String], depth: Int = 0) -> String {
        guard depth < 8, text.contains("$") else { return text }
        var out = ""
        var chars = Substring(text)
        while let first = chars.first {
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
            out += expand(parameters[name] ?? defaults[name] ?? "", parameters, depth: depth + 1)
        }
        return out
    }
}
