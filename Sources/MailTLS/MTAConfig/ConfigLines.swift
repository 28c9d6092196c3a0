/// The configuration lines that point an MTA at a certs directory, ready to paste or to
/// apply (`ConfigEditor`): each a setting name and its value, so an editor can replace just
/// those settings.
public struct ConfigLines: Sendable, Equatable {
    /// Which file the lines are for.
    public enum Target: String, Sendable, CaseIterable, Codable {
        /// sendmail.mc: the MTA daemon (server and relay client).
        case sendmail
        /// submit.mc: the mail submission program, which runs as smmsp and so needs a
        /// group-readable key (DontBlameSendmail=GroupReadableKeyFile).
        case submit
        /// Postfix main.cf.
        case postfix
    }

    public var target: Target
    /// Setting name and value, in order.
    public var settings: [(name: String, value: String)]

    public static func == (lhs: ConfigLines, rhs: ConfigLines) -> Bool {
        lhs.target == rhs.target && lhs.settings.map(\.name) == rhs.settings.map(\.name) && lhs.settings.map(\.value) == rhs.settings.map(\.value)
    }

    /// The lines as they appear in the file.
    public var lines: [String] {
        settings.map { setting in
            switch target {
            case .sendmail, .submit: return "define(`\(setting.name)', `\(setting.value)')dnl"
            case .postfix: return "\(setting.name) = \(setting.value)"
            }
        }
    }

    /// What to run after changing the file.
    public var rebuildHint: String {
        switch target {
        case .sendmail: return "rebuild sendmail.cf and restart: cd /etc/mail && m4 sendmail.mc > sendmail.cf (Debian: sendmailconfig), then restart sendmail"
        case .submit: return "rebuild submit.cf: cd /etc/mail && m4 submit.mc > submit.cf; give the key to group smmsp: chgrp smmsp KEY && chmod 0640 KEY"
        case .postfix: return "postfix check && postfix reload"
        }
    }

    /// The settings for the certs directory `directory` (absolute), using what is there:
    /// `fullchain.pem` when the certificate came with a chain, `ca.crl` when present.
    public static func forDirectory(_ directory: String, target: Target, stem: String = "host") -> ConfigLines {
        let layout = CertsLayout(directory: directory, stem: stem)
        let certificate = FileReading.exists(layout.fullChainPath) ? layout.fullChainPath : layout.certificatePath
        let crl = Paths.join(directory, "ca.crl")
        var settings: [(String, String)] = []
        switch target {
        case .sendmail, .submit:
            settings = [("confCACERT_PATH", layout.caDirectoryPath), ("confCACERT", layout.caBundlePath)]
            if target == .sendmail {
                settings += [("confSERVER_CERT", certificate), ("confSERVER_KEY", layout.keyPath)]
            }
            settings += [("confCLIENT_CERT", certificate), ("confCLIENT_KEY", layout.keyPath)]
            if FileReading.exists(crl) { settings.append(("confCRL", crl)) }
            if target == .submit { settings.append(("confDONT_BLAME_SENDMAIL", "GroupReadableKeyFile")) }
        case .postfix:
            settings = [
                ("smtpd_tls_chain_files", "\(layout.keyPath), \(certificate)"),
                ("smtpd_tls_CAfile", layout.caBundlePath),
                ("smtpd_tls_CApath", layout.caDirectoryPath),
                ("smtpd_tls_security_level", "may"),
                ("smtpd_tls_received_header", "yes"),
                ("smtpd_tls_loglevel", "1"),
                ("smtp_tls_chain_files", "\(layout.keyPath), \(certificate)"),
                ("smtp_tls_CApath", layout.caDirectoryPath),
                ("smtp_tls_security_level", "may"),
                ("smtp_tls_loglevel", "1"),
            ]
        }
        return ConfigLines(target: target, settings: settings)
    }
}
