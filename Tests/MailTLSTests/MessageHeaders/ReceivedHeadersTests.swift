import Foundation
import Testing
@testable import MailTLS

/// `mailtls headers`: the TLS facts of each hop from `Received:` headers, in the library and
/// through the real executable. Fixtures: Tests/MailTLSTests/Fixtures/headers/ (README.txt there).
@Suite("ReceivedHeaders")
struct ReceivedHeadersTests {
    static let directory = Fixtures.path("headers")

    func messages(_ name: String) throws -> [ReceivedMessage] {
        try ReceivedHeaders.load(Fixtures.path("headers/" + name)).messages
    }

    /// A hop with the given facts, every other key left at its default.
    func hop(_ number: Int, from: String? = nil, fromHost: String? = nil, fromAddress: String? = nil, by: String?,
             with: String?, id: String?, tls: Bool, tlsVersion: String? = nil, cipher: String? = nil, bits: Int? = nil,
             keyExchange: String? = nil, verify: String? = nil, clientCertificate: ClientCertificate? = nil,
             clientCN: String? = nil, issuer: String? = nil, verifyMeaning: String? = nil, date: String?,
             header: String) -> ReceivedHop {
        var hop = ReceivedHop()
        hop.hop = number
        hop.from = from
        hop.fromHost = fromHost
        hop.fromAddress = fromAddress
        hop.by = by
        hop.with = with
        hop.id = id
        hop.tls = tls
        hop.tlsVersion = tlsVersion
        hop.cipher = cipher
        hop.bits = bits
        hop.keyExchange = keyExchange
        hop.verify = verify
        hop.clientCertificate = clientCertificate
        hop.clientCN = clientCN
        hop.issuer = issuer
        hop.verifyMeaning = verifyMeaning
        hop.date = date
        hop.header = header
        return hop
    }

    // MARK: the library, per fixture

    @Test("Sendmail: MSP submission, verify=OK, verify=NOT; oldest hop first")
    func sendmail() throws {
        let all = try messages("sendmail.eml")
        try #require(all.count == 1)
        let message = all[0]
        #expect(message.message == 1)
        #expect(message.subject == "Quarterly figures")
        #expect(message.messageId == "<202611261014.5AQAEx2R004211@a.example>")
        try #require(message.hops.count == 3)
        #expect(message.hops[0] == hop(
            1, by: "a.example", with: nil, id: "5AQAEx2R004211", tls: false,
            date: "Thu, 26 Nov 2026 10:14:59 GMT",
            header: "(from alice@localhost) by a.example (8.17.1/8.17.1/Submit) id 5AQAEx2R004211 for x@example.org; Thu, 26 Nov 2026 10:14:59 GMT"))
        #expect(message.hops[1] == hop(
            2, from: "a.example", fromHost: "a.example", fromAddress: "192.0.2.1", by: "mx.example.org",
            with: "ESMTPS", id: "4ABC", tls: true, tlsVersion: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384", bits: 256,
            verify: "OK", clientCertificate: .verified,
            verifyMeaning: "the client's certificate verified against CACertFile/CACertPath",
            date: "Thu, 26 Nov 2026 10:15:00 +0000",
            header: "from a.example (a.example [192.0.2.1]) (authenticated bits=0) by mx.example.org (8.17.1/8.17.1) with ESMTPS id 4ABC (version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 bits=256 verify=OK) for <x@example.org>; Thu, 26 Nov 2026 10:15:00 +0000"))
        #expect(message.hops[2] == hop(
            3, from: "mx.example.org", fromHost: "mx.example.org", fromAddress: "192.0.2.25", by: "store.example.org",
            with: "ESMTPS", id: "5AQAF1Hk012377", tls: true, tlsVersion: "TLSv1.2", cipher: "ECDHE-RSA-AES256-GCM-SHA384",
            bits: 256, verify: "NOT", clientCertificate: .notRequested, verifyMeaning: "no certificate was asked for",
            date: "Thu, 26 Nov 2026 10:15:01 +0000",
            header: "from mx.example.org (mx.example.org [192.0.2.25]) by store.example.org (8.18.1/8.18.1) with ESMTPS id 5AQAF1Hk012377 (version=TLSv1.2 cipher=ECDHE-RSA-AES256-GCM-SHA384 bits=256 verify=NOT) for <x@example.org>; Thu, 26 Nov 2026 10:15:01 +0000"))
    }

    @Test("Postfix: no certificate requested, verified OK, not presented")
    func postfix() throws {
        let all = try messages("postfix.eml")
        try #require(all.count == 1 && all[0].hops.count == 3)
        let hops = all[0].hops
        #expect(all[0].subject == "Re: Quarterly figures")
        #expect(hops[0] == hop(
            1, from: "[198.51.100.7]", fromHost: "unknown", fromAddress: "198.51.100.7", by: "smtp.a.example",
            with: "ESMTPSA", id: "4dHk2V6bQxz9sWd", tls: true, tlsVersion: "TLSv1.3", cipher: "TLS_AES_128_GCM_SHA256",
            bits: 128, keyExchange: "X25519", clientCertificate: .notRequested,
            verifyMeaning: "no certificate was asked for (smtpd_tls_ask_ccert = no, the default)",
            date: "Thu, 26 Nov 2026 10:15:00 +0000 (UTC)",
            header: "from [198.51.100.7] (unknown [198.51.100.7]) (using TLSv1.3 with cipher TLS_AES_128_GCM_SHA256 (128/128 bits) key-exchange X25519 server-signature ECDSA (P-256) server-digest SHA256) (No client certificate requested) (Authenticated sender: alice) by smtp.a.example (Postfix) with ESMTPSA id 4dHk2V6bQxz9sWd for <x@example.org>; Thu, 26 Nov 2026 10:15:00 +0000 (UTC)"))
        #expect(hops[1] == hop(
            2, from: "smtp.a.example", fromHost: "smtp.a.example", fromAddress: "192.0.2.1", by: "mx.example.org",
            with: "ESMTPS", id: "4ABC", tls: true, tlsVersion: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384", bits: 256,
            keyExchange: "X25519", clientCertificate: .verified, clientCN: "smtp.a.example", issuer: "Example CA",
            verifyMeaning: "the client's certificate verified against smtpd_tls_CAfile/smtpd_tls_CApath",
            date: "Thu, 26 Nov 2026 10:15:01 +0000 (UTC)",
            header: "from smtp.a.example (smtp.a.example [192.0.2.1]) (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256) (Client CN \"smtp.a.example\", Issuer \"Example CA\" (verified OK)) by mx.example.org (Postfix) with ESMTPS id 4ABC for <x@example.org>; Thu, 26 Nov 2026 10:15:01 +0000 (UTC)"))
        #expect(hops[2] == hop(
            3, from: "mx.example.org", fromHost: "mx.example.org", fromAddress: "192.0.2.25", by: "store.example.org",
            with: "ESMTPS", id: "4dHk2W0Rm5z3wYq", tls: true, tlsVersion: "TLSv1.2", cipher: "ECDHE-RSA-AES256-GCM-SHA384",
            bits: 256, clientCertificate: .notPresented,
            verifyMeaning: "the client was asked for a certificate and sent none (normal for MTA-to-MTA)",
            date: "Thu, 26 Nov 2026 10:15:02 +0000 (UTC)",
            header: "from mx.example.org (mx.example.org [192.0.2.25]) (using TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits)) (Client did not present a certificate) by store.example.org (Postfix) with ESMTPS id 4dHk2W0Rm5z3wYq for <x@example.org>; Thu, 26 Nov 2026 10:15:02 +0000 (UTC)"))
    }

    @Test("Postfix: a client certificate that did not verify")
    func postfixNotVerified() throws {
        let hops = try messages("postfix-not-verified.eml")[0].hops
        try #require(hops.count == 1)
        #expect(hops[0].clientCertificate == .notVerified)
        #expect(hops[0].clientCN == "relay.b.example")
        #expect(hops[0].issuer == "B Example Internal CA")
        #expect(hops[0].verify == nil)
        #expect(hops[0].verifyMeaning == "a certificate was presented but did not verify against smtpd_tls_CAfile/smtpd_tls_CApath")
        #expect(hops[0].bits == 256)
        #expect(hops[0].keyExchange == "X25519")
    }

    @Test("mixed path: Gmail-style SMTP, Postfix, Sendmail, Exim, plain ESMTP")
    func mixed() throws {
        let hops = try messages("mixed.eml")[0].hops
        try #require(hops.count == 5)
        #expect(hops.map(\.hop) == [1, 2, 3, 4, 5])
        #expect(hops.map(\.from) == [nil, "mail-wr1-f41.google.example", "mx.example.org", "store.example.org", "lists.example.org"])
        #expect(hops.map(\.by) == ["mail-wr1-f41.google.example", "mx.example.org", "store.example.org", "lists.example.org", "archive.example.org"])
        #expect(hops.map(\.with) == ["SMTP", "ESMTPS", "ESMTPS", "esmtps", "ESMTP"])
        #expect(hops.map(\.tls) == [false, true, true, true, false])
        #expect(hops.map(\.tlsVersion) == [nil, "TLSv1.3", "TLSv1.3", "TLS1.3", nil])
        #expect(hops.map(\.cipher) == [nil, "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384", nil])
        #expect(hops.map(\.bits) == [nil, 128, 256, nil, nil])
        #expect(hops.map(\.verify) == [nil, nil, "NO", nil, nil])
        #expect(hops.map(\.clientCertificate) == [nil, .notRequested, .notPresented, nil, nil])
        #expect(hops[2].verifyMeaning == "the client sent no certificate (normal for MTA-to-MTA)")
        #expect(hops[3].fromAddress == "192.0.2.26")
        #expect(hops[3].fromHost == nil)
        #expect(hops[3].id == "1tQabc-0001Xy-2K")
        #expect(hops[0].id == "ffacd0b85a97d-3a4f2b1c9e1so1234567f8f.3")
        #expect(hops[0].date == "Thu, 26 Nov 2026 04:00:00 -0800 (PST)")
    }

    @Test("folded at every space with CRLF line ends; Microsoft's comma form")
    func folded() throws {
        let all = try messages("folded.eml")
        try #require(all.count == 1 && all[0].hops.count == 2)
        #expect(all[0].subject == "Folded over two lines")
        #expect(all[0].messageId == "<folded@a.example>")
        let sendmail = all[0].hops[0]
        #expect(sendmail == hop(
            1, from: "a.example", fromHost: "a.example", fromAddress: "192.0.2.1", by: "mx.example.org",
            with: "ESMTPSA", id: "4ABC", tls: true, tlsVersion: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384", bits: 256,
            verify: "FAIL", clientCertificate: .notVerified,
            verifyMeaning: "a certificate was presented but did not verify against CACertFile/CACertPath",
            date: "Thu, 26 Nov 2026 10:15:00 +0000",
            header: "from a.example (a.example [192.0.2.1]) (authenticated bits=0) by mx.example.org (8.17.1/8.17.1) with ESMTPSA id 4ABC (version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 bits=256 verify=FAIL) for <x@example.org>; Thu, 26 Nov 2026 10:15:00 +0000"))
        let exchange = all[0].hops[1]
        #expect(exchange.from == "EXCH01.corp.example")
        #expect(exchange.fromAddress == "10.0.0.12")
        #expect(exchange.by == "EXCH02.corp.example")
        #expect(exchange.with == "Microsoft SMTP Server")
        #expect(exchange.id == "15.2.1544.4")
        #expect(exchange.tls)
        #expect(exchange.tlsVersion == "TLS1_2")
        #expect(exchange.cipher == "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384")
        #expect(exchange.verify == nil && exchange.verifyMeaning == nil)
        #expect(exchange.date == "Thu, 26 Nov 2026 10:20:01 -0800")
    }

    @Test("no TLS anywhere is not an error")
    func noTLS() throws {
        let hops = try messages("no-tls.eml")[0].hops
        #expect(hops.map(\.with) == ["SMTP", "ESMTP"])
        #expect(hops.map(\.tls) == [false, false])
        #expect(hops.allSatisfy { $0.tlsVersion == nil && $0.cipher == nil && $0.verifyMeaning == nil })
        #expect(hops.map(\.from) == ["old.c.example", "relay.c.example"])
    }

    @Test("mbox: three messages split at From lines; >From in a body does not split")
    func mbox() throws {
        let all = try messages("mailbox.mbox")
        #expect(all.map(\.message) == [1, 2, 3])
        #expect(all.map(\.subject) == ["First", "Second", "Draft, never sent"])
        #expect(all.map(\.hops.count) == [1, 1, 0])
        #expect(all[0].hops[0].verify == "OK")
        #expect(all[1].hops[0].tls == false)
    }

    @Test("a body line that looks like a header is not read")
    func bodyIgnored() throws {
        #expect(try messages("sendmail.eml")[0].hops.count == 3)
    }

    // MARK: bad input

    @Test("bad input: one MailTLSError naming the file, the problem and the remedy")
    func badInput() throws {
        let show = "e.g. as saved by your mail client's \"show original\""
        let cases: [(String, MailTLSError)] = [
            ("no-received.eml", MailTLSError("no-received.eml", "has no Received: headers",
                                             remedy: "give the whole message with its headers, \(show) or \"view source\"")),
            ("garbage.bin", MailTLSError("garbage.bin", "holds binary data, not a mail message",
                                         remedy: "give a message or mbox file as text, \(show)")),
        ]
        for (name, expected) in cases {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("headers/" + name))))
            #expect(throws: expected) { try ReceivedHeaders.parse(bytes, source: name) }
        }
        #expect(throws: MailTLSError("x", "is empty", remedy: "give a saved message or mbox file, or pipe one in")) {
            try ReceivedHeaders.parse(Array(" \r\n\n".utf8), source: "x")
        }
        let missing = Fixtures.path("headers/missing.eml")
        #expect(throws: MailTLSError(missing, "no such file", remedy: "check the path, or create it first")) {
            try ReceivedHeaders.load(missing)
        }
    }

    // MARK: single headers

    @Test("every verify word Sendmail documents, and one it does not", arguments: VerifyWord.allCases)
    func verifyWords(_ word: VerifyWord) {
        let hop = ReceivedHeaders.parseHop(
            "from a.example (a.example [192.0.2.1]) by mx.example.org (8.18.1/8.18.1) with ESMTPS id 5AQ (version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 bits=256 verify=\(word.rawValue)); Thu, 26 Nov 2026 10:15:00 +0000")
        #expect(hop.verify == word.rawValue)
        #expect(hop.verifyMeaning == word.meaning)
        #expect(hop.clientCertificate == word.clientCertificate)
        #expect(hop.tls)
    }

    @Test("the one-line meaning of each verify word")
    func verifyMeanings() {
        let meanings = Dictionary(uniqueKeysWithValues: VerifyWord.allCases.map { ($0.rawValue, $0.meaning) })
        #expect(meanings == [
            "OK": "the client's certificate verified against CACertFile/CACertPath",
            "NO": "the client sent no certificate (normal for MTA-to-MTA)",
            "NOT": "no certificate was asked for",
            "FAIL": "a certificate was presented but did not verify against CACertFile/CACertPath",
            "NONE": "STARTTLS was not used",
            "TEMP": "a temporary error stopped the certificate check",
            "PROTOCOL": "a protocol error happened during STARTTLS",
            "SOFTWARE": "the STARTTLS handshake failed (the message is queued for a retry)",
            "TRUSTED": "DANE: the certificate's key matched the peer's TLSA record",
            "DANE_FAIL": "DANE: TLSA records exist but the certificate matched none of them",
        ])
        #expect(VerifyWord.meaning(of: "MAYBE") == "not one of the words Sendmail documents for ${verify}")
        #expect(VerifyWord.meaning(of: "ok") == VerifyWord.ok.meaning)
        let hop = ReceivedHeaders.parseHop("from a (a [192.0.2.1]) by b with ESMTPS id 1 (version=TLSv1.3 cipher=X bits=256 verify=MAYBE); date")
        #expect(hop.verify == "MAYBE")
        #expect(hop.clientCertificate == nil)
        #expect(hop.verifyMeaning == "not one of the words Sendmail documents for ${verify}")
    }

    @Test("header forms seen in public mail archives")
    func realWorldForms() {
        // vger: address with port and a quoted EHLO inside the from comment; ';' inside a comment.
        let vger = ReceivedHeaders.parseHop("""
        from shards.monkeyblade.net ([23.128.96.9]:59598 "EHLO shards.monkeyblade.net" rhost-flags-OK-OK-OK-OK) by vger.kernel.org
                with ESMTP id S1726510AbfH3HNC (ORCPT
                <rfc822;netdev@vger.kernel.org>); Fri, 30 Aug 2019 03:13:02 -0400
        """)
        #expect(vger.from == "shards.monkeyblade.net")
        #expect(vger.fromAddress == "23.128.96.9")
        #expect(vger.by == "vger.kernel.org")
        #expect(vger.with == "ESMTP")
        #expect(vger.id == "S1726510AbfH3HNC")
        #expect(vger.tls == false)
        #expect(vger.date == "Fri, 30 Aug 2019 03:13:02 -0400")

        // Postfix local pickup: no from clause, a comma in the by comment.
        let pickup = ReceivedHeaders.parseHop("by hirez.example (Postfix, from userid 1000) id B6EF620223DA8; Wed, 2 Jun 2021 16:23:56 +0200 (CEST)")
        #expect(pickup.from == nil && pickup.by == "hirez.example" && pickup.id == "B6EF620223DA8" && !pickup.tls)

        // Gmail: key=value without verify, bits as used/total.
        let gmail = ReceivedHeaders.parseHop("from mail-sor-f41.google.example (mail-sor-f41.google.example. [209.85.220.41]) by mx.google.example with SMTPS id a1sor123 for <x@example.org> (Google Transport Security); Thu, 26 Nov 2026 02:00:00 -0800 (PST)")
        #expect(gmail.tls && gmail.with == "SMTPS" && gmail.tlsVersion == nil && gmail.fromAddress == "209.85.220.41")
        let gmailTLS = ReceivedHeaders.parseHop("from a.example (a.example [192.0.2.1]) by mx.google.example with ESMTPS id x1si2 for <x@example.org> (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256); Thu, 26 Nov 2026 02:00:00 -0800 (PST)")
        #expect(gmailTLS.tlsVersion == "TLS1_3" && gmailTLS.bits == 256 && gmailTLS.verify == nil && gmailTLS.tls)

        // Older Exim: everything in one comment.
        let exim = ReceivedHeaders.parseHop("from a.example ([192.0.2.1]) by mx.example.org with esmtps (TLS1.2:ECDHE_RSA_AES_256_GCM_SHA384:256) (Exim 4.92) (envelope-from <a@a.example>) id 1hXyZ-0003Ab-Cd; Thu, 26 Nov 2026 10:00:00 +0000")
        #expect(exim.tlsVersion == "TLS1.2" && exim.cipher == "ECDHE_RSA_AES_256_GCM_SHA384" && exim.bits == 256)
        #expect(exim.with == "esmtps" && exim.id == "1hXyZ-0003Ab-Cd")

        // IPv6, "may be forged", and Sendmail's authenticated bits=0 not taken for TLS.
        let v6 = ReceivedHeaders.parseHop("from a.example (a.example [IPv6:2001:db8::1]) (may be forged) (authenticated bits=0) by mx.example.org (8.17.1/8.17.1) with ESMTPA id 5AQ; Thu, 26 Nov 2026 10:00:00 +0000")
        #expect(v6.fromAddress == "IPv6:2001:db8::1" && v6.fromHost == "a.example")
        #expect(v6.tls == false && v6.bits == nil && v6.with == "ESMTPA")

        // ESMTPS without TLS details (RFC 3848 alone says TLS).
        let bare = ReceivedHeaders.parseHop("from a.example (a.example [192.0.2.1]) by mx.example.org with ESMTPS id 7; Thu, 26 Nov 2026 10:00:00 +0000")
        #expect(bare.tls && bare.tlsVersion == nil && bare.cipher == nil)

        // No date at all.
        #expect(ReceivedHeaders.parseHop("from a by b with SMTP").date == nil)
    }

    @Test("JSON: every key present, null when the header does not say")
    func json() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let report = try ReceivedHeaders.load(Fixtures.path("headers/no-tls.eml"))
        let object = try JSONSerialization.jsonObject(with: encoder.encode(report)) as! [String: Any]
        #expect(Set(object.keys) == ["file", "messages"])
        let message = (object["messages"] as! [[String: Any]])[0]
        #expect(Set(message.keys) == ["message", "subject", "messageId", "hops"])
        let hop = (message["hops"] as! [[String: Any]])[0]
        #expect(Set(hop.keys) == ["hop", "from", "fromHost", "fromAddress", "by", "with", "id", "tls", "tlsVersion",
                                  "cipher", "bits", "keyExchange", "verify", "clientCertificate", "clientCN", "issuer",
                                  "verifyMeaning", "date", "header"])
        #expect(hop["tlsVersion"] is NSNull)
        #expect(hop["tls"] as? Bool == false)
        #expect(hop["hop"] as? Int == 1)
    }

    // MARK: through the executable

    @Test("CLI: text output, one block per message, one line per hop")
    func cliText() throws {
        let result = try MailTLSBinary.run(["headers", "sendmail.eml"], in: Self.directory)
        #expect(result.status == 0)
        #expect(result.stderr == "")
        #expect(result.stdout.split(separator: "\n", omittingEmptySubsequences: false) == [
            "message 1: Quarterly figures",
            "  hop  from → by                                        with    TLS      cipher                       bits  client certificate",
            "  1    (local) → a.example                              -       no TLS   -                            -     -",
            "  2    a.example [192.0.2.1] → mx.example.org           ESMTPS  TLSv1.3  TLS_AES_256_GCM_SHA384       256   verify=OK: the client's certificate verified against CACertFile/CACertPath",
            "  3    mx.example.org [192.0.2.25] → store.example.org  ESMTPS  TLSv1.2  ECDHE-RSA-AES256-GCM-SHA384  256   verify=NOT: no certificate was asked for",
            "",
        ])
    }

    @Test("CLI: Postfix client-certificate facts in text")
    func cliPostfix() throws {
        let result = try MailTLSBinary.run(["headers", "postfix.eml"], in: Self.directory)
        #expect(result.status == 0)
        #expect(result.stdout.split(separator: "\n").map(String.init) == [
            "message 1: Re: Quarterly figures",
            "  hop  from → by                                        with     TLS      cipher                       bits  client certificate",
            "  1    [198.51.100.7] → smtp.a.example                  ESMTPSA  TLSv1.3  TLS_AES_128_GCM_SHA256       128   not requested: no certificate was asked for (smtpd_tls_ask_ccert = no, the default)",
            "  2    smtp.a.example [192.0.2.1] → mx.example.org      ESMTPS   TLSv1.3  TLS_AES_256_GCM_SHA384       256   verified OK (CN \"smtp.a.example\", issuer \"Example CA\"): the client's certificate verified against smtpd_tls_CAfile/smtpd_tls_CApath",
            "  3    mx.example.org [192.0.2.25] → store.example.org  ESMTPS   TLSv1.2  ECDHE-RSA-AES256-GCM-SHA384  256   none presented: the client was asked for a certificate and sent none (normal for MTA-to-MTA)",
        ])
    }

    @Test("CLI: an mbox gives one block per message, and a message without Received says so")
    func cliMbox() throws {
        let result = try MailTLSBinary.run(["headers", "mailbox.mbox"], in: Self.directory)
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.filter { $0.hasPrefix("message ") } == ["message 1: First", "message 2: Second", "message 3: Draft, never sent"])
        #expect(lines.suffix(3) == ["message 3: Draft, never sent", "  no Received: headers", ""])
        #expect(lines.contains("  1    relay.c.example [198.51.100.20] → mx.example.org  ESMTP  no TLS  -       -     -"))
    }

    @Test("CLI: - and no argument read standard input")
    func cliStdin() throws {
        let text = try String(contentsOfFile: Fixtures.path("headers/sendmail.eml"), encoding: .utf8)
        let fromFile = try MailTLSBinary.run(["headers", "sendmail.eml"], in: Self.directory)
        let dash = try MailTLSBinary.run(["headers", "-"], in: Self.directory, input: text)
        let none = try MailTLSBinary.run(["headers"], in: Self.directory, input: text)
        #expect(dash.status == 0 && none.status == 0)
        #expect(dash.stdout == fromFile.stdout)
        #expect(none.stdout == fromFile.stdout)
        let json = try MailTLSBinary.run(["headers", "--json", "-"], in: Self.directory, input: text)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        #expect(object["file"] as? String == "-")
    }

    @Test("CLI: --json")
    func cliJSON() throws {
        let result = try MailTLSBinary.run(["headers", "--json", "postfix.eml"], in: Self.directory)
        #expect(result.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        #expect(object["file"] as? String == "postfix.eml")
        let hops = (object["messages"] as! [[String: Any]])[0]["hops"] as! [[String: Any]]
        #expect(hops.map { $0["hop"] as? Int } == [1, 2, 3])
        #expect(hops.map { $0["clientCertificate"] as? String } == ["not-requested", "verified", "not-presented"])
        #expect(hops[1]["clientCN"] as? String == "smtp.a.example")
        #expect(hops[1]["issuer"] as? String == "Example CA")
        #expect(hops[1]["tlsVersion"] as? String == "TLSv1.3")
        #expect(hops[1]["bits"] as? Int == 256)
        #expect(hops[1]["verify"] is NSNull)
    }

    @Test("CLI: bad input exits 1 with one line on stderr and nothing on stdout")
    func cliBadInput() throws {
        let cases: [([String], String?, String)] = [
            (["headers", "missing.eml"], nil, "mailtls: missing.eml: no such file (check the path, or create it first)"),
            (["headers", "garbage.bin"], nil, "mailtls: garbage.bin: holds binary data, not a mail message (give a message or mbox file as text, e.g. as saved by your mail client's \"show original\")"),
            (["headers", "no-received.eml"], nil, "mailtls: no-received.eml: has no Received: headers (give the whole message with its headers, e.g. as saved by your mail client's \"show original\" or \"view source\")"),
            (["headers", "--json", "no-received.eml"], nil, "mailtls: no-received.eml: has no Received: headers (give the whole message with its headers, e.g. as saved by your mail client's \"show original\" or \"view source\")"),
            (["headers", "-"], "", "mailtls: stdin: is empty (give a saved message or mbox file, or pipe one in)"),
            (["headers", "."], nil, "mailtls: .: is a directory, not a file (name a file inside it)"),
        ]
        for (arguments, input, expected) in cases {
            let result = try MailTLSBinary.run(arguments, in: Self.directory, input: input)
            #expect(result.status == 1, "\(arguments)")
            #expect(result.stdout == "", "\(arguments)")
            #expect(result.stderr == expected + "\n", "\(arguments)")
        }
    }
}
