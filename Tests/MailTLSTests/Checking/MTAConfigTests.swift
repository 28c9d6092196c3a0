import Testing
@testable import MailTLS

@Suite("Reading MTA configurations")
struct MTAConfigTests {
    @Test("sendmail.mc: defines with nested quotes and CERT_DIR/MAIL_SETTINGS_DIR macros, as Debian writes them")
    func sendmailMC() {
        let mc = """
        divert(-1)dnl
        include(`/usr/share/sendmail/cf/m4/cf.m4')dnl
        define(`confDOMAIN_NAME', `mail.example.org')dnl
        define(`CERT_DIR', `MAIL_SETTINGS_DIR`'certs')dnl
        define(`confCACERT_PATH', `CERT_DIR/CA')dnl
        define(`confCACERT', `CERT_DIR/cacert.pem')dnl
        define(`confSERVER_CERT', `CERT_DIR/host.cert')dnl
        define(`confSERVER_KEY', `CERT_DIR/host.key')dnl
        define(`confCLIENT_CERT', `CERT_DIR/host.cert')dnl
        define(`confCLIENT_KEY', `CERT_DIR/host.key')dnl
        dnl define(`confCRL', `CERT_DIR/ignored.crl')dnl
        define(`confDONT_BLAME_SENDMAIL', `GroupReadableKeyFile')dnl
        define(`confRUN_AS_USER', `smmsp:smmsp')dnl
        MAILER(`smtp')dnl
        """
        let files = SendmailConfig.parseMC(mc, source: "sendmail.mc")
        #expect(files.serverCertificate == "/etc/mail/certs/host.cert")
        #expect(files.serverKey == "/etc/mail/certs/host.key")
        #expect(files.clientKey == "/etc/mail/certs/host.key")
        #expect(files.caFile == "/etc/mail/certs/cacert.pem")
        #expect(files.caPath == "/etc/mail/certs/CA")
        #expect(files.crlFile == nil, "a define after dnl is a comment")
        #expect(files.groupReadableKeyAllowed)
        #expect(files.trustedUsers == ["smmsp"])
        #expect(files.hostName == "mail.example.org")
    }

    @Test("sendmail.cf: O lines and Dj")
    func sendmailCF() {
        let cf = """
        Dj mail.example.org
        O ServerCertFile=/etc/mail/tls/server.pem
        O ServerKeyFile=/etc/mail/tls/server.key
        O CACertFile=/etc/mail/tls/ca.pem
        O CACertPath=/etc/mail/tls/CA
        O DontBlameSendmail=safe
        O TrustedUser=mailadm
        """
        let files = SendmailConfig.parseCF(cf, source: "sendmail.cf")
        #expect(files.serverCertificate == "/etc/mail/tls/server.pem" && files.serverKey == "/etc/mail/tls/server.key")
        #expect(files.caFile == "/etc/mail/tls/ca.pem" && files.caPath == "/etc/mail/tls/CA")
        #expect(!files.groupReadableKeyAllowed && files.trustedUsers == ["mailadm"] && files.hostName == "mail.example.org")
    }

    @Test("main.cf: chain files, continuation lines, $variables, comments")
    func postfixMainCF() {
        let cf = """
        # TLS
        myhostname = mx.example.org
        tls_dir = ${config_directory}/tls
        smtpd_tls_chain_files =
            $tls_dir/host.key,
            $tls_dir/fullchain.pem
        smtpd_tls_CApath = /etc/ssl/certs
        smtp_tls_cert_file = $tls_dir/client.pem
        #smtpd_tls_CAfile = /nowhere
        """
        let files = PostfixConfig.parse(cf, source: "main.cf")
        #expect(files.mta == .postfix)
        #expect(files.serverKey == "/etc/postfix/tls/host.key")
        #expect(files.serverCertificate == "/etc/postfix/tls/fullchain.pem")
        #expect(files.clientCertificate == "/etc/postfix/tls/client.pem" && files.clientKey == "/etc/postfix/tls/client.pem")
        #expect(files.caPath == "/etc/ssl/certs" && files.caFile == nil)
        #expect(files.hostName == "mx.example.org")
    }
}
