/// The lines that point an MTA at a certs directory, ready to paste.
public enum MTASnippets {
    /// For sendmail.mc (then rebuild sendmail.cf and restart sendmail).
    public static func sendmail(_ layout: CertsLayout, absoluteDirectory: String) -> [String] {
        let dir = absoluteDirectory
        return [
            "define(`CERT_DIR', `\(dir)')dnl",
            "define(`confCACERT_PATH', `CERT_DIR/CA')dnl",
            "define(`confCACERT', `CERT_DIR/cacert.pem')dnl",
            "define(`confSERVER_CERT', `CERT_DIR/\(layout.stem).cert')dnl",
            "define(`confSERVER_KEY', `CERT_DIR/\(layout.stem).key')dnl",
            "define(`confCLIENT_CERT', `CERT_DIR/\(layout.stem).cert')dnl",
            "define(`confCLIENT_KEY', `CERT_DIR/\(layout.stem).key')dnl",
        ]
    }

    /// For Postfix's main.cf (then `postfix reload`).
    /// With `chain`, the server sends its certificate followed by the CA (fullchain.pem).
    public static func postfix(_ layout: CertsLayout, absoluteDirectory: String, chain: Bool = false) -> [String] {
        let dir = absoluteDirectory
        let certificate = chain ? Paths.fileName(of: layout.fullChainPath) : "\(layout.stem).cert"
        return [
            "smtpd_tls_chain_files = \(dir)/\(layout.stem).key, \(dir)/\(certificate)",
            "smtpd_tls_security_level = may",
            "smtp_tls_security_level = may",
            "smtp_tls_CApath = \(dir)/CA",
        ]
    }
}
