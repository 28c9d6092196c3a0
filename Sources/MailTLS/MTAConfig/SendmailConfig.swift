/// Reads the TLS settings out of Sendmail's configuration: `sendmail.mc` (the m4 source an
/// admin edits: `define(\`confSERVER_CERT', \`CERT_DIR/host.cert')dnl`) or `sendmail.cf`
/// (the generated file: `O ServerCertFile=/etc/mail/certs/host.cert`).
public enum SendmailConfig {
    public static func load(_ path: String) throws -> TLSFileSet {
        let text = String(decoding: try FileReading.bytes(of: path), as: UTF8.self)
        return path.hasSuffix(".cf") ? parseCF(text, source: path) : parseMC(text, source: path)
    }

    // MARK: sendmail.cf

    public static func parseCF(_ text: String, source: String) -> TLSFileSet {
        var files = TLSFileSet(mta: .sendmail, source: source)
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = String(rawLine)
            if line.hasPrefix("Dj") {
                files.hostName = String(line.dropFirst(2)).trimmingSpaces()
                continue
            }
            guard line.hasPrefix("O ") else { continue }
            let option = line.dropFirst(2)
            guard let equals = option.firstIndex(of: "=") else { continue }
            let name = String(option[..<equals]).trimmingSpaces()
            let value = String(option[option.index(after: equals)...]).trimmingSpaces()
            apply(option: name, value: value, to: &files)
        }
        return files
    }

    /// Sets the field for a sendmail.cf option name.
    static func apply(option: String, value: String, to files: inout TLSFileSet) {
        switch option {
        case "ServerCertFile": files.serverCertificate = value
        case "ServerKeyFile": files.serverKey = value
        case "ClientCertFile": files.clientCertificate = value
        case "ClientKeyFile": files.clientKey = value
        case "CACertFile": files.caFile = value
        case "CACertPath": files.caPath = value
        case "CRLFile": files.crlFile = value
        case "DontBlameSendmail":
            files.groupReadableKeyAllowed = value.lowercased().contains("groupreadablekeyfile")
        case "TrustedUser", "RunAsUser":
            let user = String(value.split(separator: ":").first ?? "")
            if !user.isEmpty && !files.trustedUsers.contains(user) { files.trustedUsers.append(user) }
        default: break
        }
    }

    // MARK: sendmail.mc

    /// The sendmail.mc names of the options above (cf/README's `conf…` table).
    static let mcNames: [String: String] = [
        "confSERVER_CERT": "ServerCertFile", "confSERVER_KEY": "ServerKeyFile",
        "confCLIENT_CERT": "ClientCertFile", "confCLIENT_KEY": "ClientKeyFile",
        "confCACERT": "CACertFile", "confCACERT_PATH": "CACertPath", "confCRL": "CRLFile",
        "confDONT_BLAME_SENDMAIL": "DontBlameSendmail", "confTRUSTED_USER": "TrustedUser",
        "confRUN_AS_USER": "RunAsUser",
    ]

    public static func parseMC(_ text: String, source: String) -> TLSFileSet {
        var macros: [String: String] = ["MAIL_SETTINGS_DIR": "/etc/mail/"]
        var order: [String] = []
        for (name, value) in M4Defines.scan(text) {
            macros[name] = value
            order.append(name)
        }
        var files = TLSFileSet(mta: .sendmail, source: source)
        for name in order {
            guard let value = macros[name] else { continue }
            let expanded = M4Defines.expand(value, macros: macros)
            if let option = mcNames[name] {
                apply(option: option, value: expanded, to: &files)
            } else if name == "confDOMAIN_NAME" {
                files.hostName = expanded
            }
        }
        return files
    }
}

/// Just enough of m4 to read `define(\`NAME', \`VALUE')` lines: nested quotes, `dnl`, and
/// expansion of macros defined earlier (`CERT_DIR`, `MAIL_SETTINGS_DIR`).
enum M4Defines {
    /// Every `define` in order, with the value's raw text (inner quotes kept).
    static func scan(_ text: String) -> [(String, String)] {
        var result: [(String, String)] = []
        let chars = Array(text)
        var index = 0
        let keyword = Array("define(")
        while index + keyword.count <= chars.count {
            if Array(chars[index..<index + keyword.count]) == keyword, index == 0 || !chars[index - 1].isLetter {
                var cursor = index + keyword.count
                if let name = argument(chars, &cursor), cursor < chars.count, chars[cursor] == "," {
                    cursor += 1
                    while cursor < chars.count && chars[cursor] == " " { cursor += 1 }
                    if let value = argument(chars, &cursor) {
                        result.append((strip(name), value))
                    }
                }
                index = cursor
            } else if chars[index] == "#" || (chars[index] == "d" && String(chars[index..<min(index + 3, chars.count)]) == "dnl" && index + 3 < chars.count && chars[index + 3] == " ") {
                while index < chars.count && chars[index] != "\n" { index += 1 }
            } else {
                index += 1
            }
        }
        return result
    }

    /// One argument: a quoted string (quotes nest) or bare text up to `,` or `)`.
    private static func argument(_ chars: [Character], _ cursor: inout Int) -> String? {
        var out = ""
        var depth = 0
        while cursor < chars.count {
            let char = chars[cursor]
            if char == "`" {
                if depth > 0 { out.append(char) }
                depth += 1
            } else if char == "'" && depth > 0 {
                depth -= 1
                if depth > 0 { out.append(char) }
            } else if depth == 0 && (char == "," || char == ")") {
                return out
            } else if depth == 0 && char == "\n" {
                return nil
            } else {
                out.append(char)
            }
            cursor += 1
        }
        return nil
    }

    private static func strip(_ text: String) -> String {
        text.filter { $0 != "`" && $0 != "'" }.trimmingSpaces()
    }

    /// Replaces macro names with their (expanded) values, then drops the quotes.
    /// A value longer than this after expansion is not a path; stop there. With the rule that
    /// a macro is not expanded inside its own expansion, this bounds the work whatever the file
    /// says (`define(\`A', \`A A A …')` once took exponential time: found by fuzzing).
    static let maxExpansion = 4096

    static func expand(_ value: String, macros: [String: String], depth: Int = 0, expanding: Set<String> = []) -> String {
        guard depth < 8 else { return strip(value) }
        var out = ""
        var word = ""
        func flush() {
            if let replacement = macros[word], !word.isEmpty, !expanding.contains(word), out.count < maxExpansion {
                out += expand(replacement, macros: macros, depth: depth + 1, expanding: expanding.union([word]))
            } else {
                out += word
            }
            word = ""
        }
        for char in value {
            if out.count >= maxExpansion { break }
            if char.isLetter || char.isNumber || char == "_" {
                word.append(char)
            } else {
                flush()
                if char != "`" && char != "'" { out.append(char) }
            }
        }
        flush()
        if out.count > maxExpansion { out = String(out.prefix(maxExpansion)) }
        return out.trimmingSpaces()
    }
}
