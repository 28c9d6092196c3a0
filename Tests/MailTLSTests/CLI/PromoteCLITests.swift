import Foundation
import Testing

/// `mailtls promote` through the executable: it checks new.* first and changes nothing when
/// they are not good; when they are, it backs up host.* and moves new.* into place, all or nothing.
@Suite("CLI: promote")
struct CLIPromoteTests {
    let material = CLIMaterial.shared

    /// host.key/csr/cert and new.key/csr/cert, all made by mailtls.
    func renewal(newKey: Bool = true) throws -> TempDirectory {
        let dir = TempDirectory("promote")
        try mailtls(["csr", "--subject", "/CN=mail.example.org"], in: dir)
        try mailtls(["self", "--subject", "/CN=mail.example.org"], in: dir)
        if newKey {
            try mailtls(["csr", "--file", "new", "--subject", "/CN=mail.example.org"], in: dir)
            try mailtls(["self", "--file", "new", "--csr", "new.csr"], in: dir)
        } else {
            // Key continuity: the renewal's request and certificate are for host.key.
            try OpenSSL.expectSuccess(["req", "-new", "-key", "host.key", "-subj", "/CN=mail.example.org", "-out", "new.csr"], in: dir.path)
            try OpenSSL.expectSuccess(["req", "-x509", "-key", "host.key", "-in", "new.csr", "-days", "90", "-out", "new.cert"], in: dir.path)
        }
        return dir
    }

    // MARK: the happy path

    @Test("promote backs up host.*, moves new.* into place, and leaves no new.*")
    func happyPath() throws {
        let dir = try renewal()
        let before = DirectoryState.of(dir.path)
        let result = try mailtls(["promote"], in: dir)
        let after = DirectoryState.of(dir.path).ignoring([promoteLockName])
        for kind in ["key", "csr", "cert"] {
            #expect(after.entries["host.\(kind)"] == before.entries["new.\(kind)"], "host.\(kind) is the former new.\(kind), bytes and mode")
            #expect(after.entries["new.\(kind)"] == nil, "new.\(kind) is gone")
            let backups = after.names.filter { $0.hasPrefix("host.\(kind).") }
            #expect(backups.count == 1, "one backup of host.\(kind): \(after.names)")
            if let backup = backups.first {
                #expect(backup.dropFirst("host.\(kind).".count).wholeMatch(of: /\d{8}T\d{6}Z/) != nil, "\(backup)")
                #expect(after.entries[backup] == before.entries["host.\(kind)"], "\(backup) is the old host.\(kind), bytes and mode")
                #expect(result.stdout.contains(backup), "output names the backup \(backup)")
            }
        }
        #expect(after.names.count == 6, "\(after.names)")
        #expect(dir.mode("host.key") == 0o600)
        expectNoTempFiles(dir.path)
        // What is in place now is a working set: openssl agrees the certificate matches the key.
        let certKey = try OpenSSL.run(["x509", "-in", "host.cert", "-noout", "-pubkey"], in: dir.path).stdout
        let keyKey = try OpenSSL.run(["pkey", "-in", "host.key", "-pubout"], in: dir.path).stdout
        #expect(!certKey.isEmpty && certKey == keyKey)
    }

    @Test("promote of a renewal that keeps the key moves only the certificate and request")
    func happyPathKeepingKey() throws {
        let dir = try renewal(newKey: false)
        let before = DirectoryState.of(dir.path)
        let result = try mailtls(["promote"], in: dir)
        let after = DirectoryState.of(dir.path).ignoring([promoteLockName])
        #expect(after.entries["host.key"] == before.entries["host.key"], "host.key untouched")
        #expect(!after.names.contains { $0.hasPrefix("host.key.") }, "no key backup when the key stays")
        #expect(after.entries["host.cert"] == before.entries["new.cert"])
        #expect(after.entries["host.csr"] == before.entries["new.csr"])
        #expect(after.names.filter { $0.hasPrefix("new.") }.isEmpty)
        #expect(result.stdout.contains("DANE"), "says the key was kept: \(result.stdout)")
    }

    @Test("--dry-run changes nothing, not even a lock file")
    func dryRun() throws {
        let dir = try renewal()
        let before = DirectoryState.of(dir.path)
        let result = try mailtls(["promote", "--dry-run"], in: dir)
        #expect(before.differences(to: DirectoryState.of(dir.path)).isEmpty, "dry run changed the directory")
        #expect(result.stdout.contains("new.cert"))
    }

    @Test("two promotes in one second keep every backup")
    func secondPromoteKeepsEarlierBackups() throws {
        let dir = try renewal()
        let original = DirectoryState.of(dir.path)
        try mailtls(["promote"], in: dir)
        let middle = DirectoryState.of(dir.path)
        try mailtls(["csr", "--file", "new", "--algorithm", "ed25519", "--subject", "/CN=mail.example.org"], in: dir)
        try mailtls(["self", "--file", "new", "--csr", "new.csr"], in: dir)
        try mailtls(["promote"], in: dir)
        let after = DirectoryState.of(dir.path).ignoring([promoteLockName])
        for kind in ["key", "csr", "cert"] {
            let backups = after.names.filter { $0.hasPrefix("host.\(kind).") }
            #expect(backups.count == 2, "\(after.names)")
            #expect(backups.contains { after.entries[$0] == original.entries["host.\(kind)"] }, "first backup of host.\(kind) kept")
            #expect(backups.contains { after.entries[$0] == middle.entries["host.\(kind)"] }, "second backup of host.\(kind) kept")
        }
    }

    // MARK: refusals: nothing changes

    @Test("promote refuses a bad new.cert", arguments: BadContent.all)
    func badNewCertificate(_ bad: BadContent) throws {
        let dir = try renewal()
        try FileManager.default.removeItem(atPath: dir.file("new.cert"))
        try bad.make("new.cert", in: dir, from: material.certificate)
        try expectFailureChangesNothing(["promote"], in: dir, mentions: ["new.cert"])
    }

    @Test("promote refuses a bad new.key", arguments: BadContent.present)
    func badNewKey(_ bad: BadContent) throws {
        let dir = try renewal()
        try FileManager.default.removeItem(atPath: dir.file("new.key"))
        try bad.make("new.key", in: dir, from: material.key)
        try expectFailureChangesNothing(["promote"], in: dir, mentions: ["new.key"])
    }

    @Test("promote refuses wrong types: a key as new.cert, a certificate or request as new.key",
          arguments: ["key as cert", "cert as key", "request as key", "request as cert"])
    func wrongTypes(_ what: String) throws {
        let dir = try renewal()
        switch what {
        case "key as cert": try dir.write("new.cert", try dir.read("new.key"))
        case "cert as key": try dir.write("new.key", try dir.read("new.cert"))
        case "request as key": try dir.write("new.key", try dir.read("new.csr"))
        default: try dir.write("new.cert", try dir.read("new.csr"))
        }
        try expectFailureChangesNothing(["promote"], in: dir, mentions: [what.hasSuffix("cert") ? "new.cert" : "new.key"])
    }

    @Test("promote refuses an encrypted new.key", arguments: ["pkcs8", "traditional"])
    func encryptedNewKey(_ kind: String) throws {
        let dir = try renewal()
        try dir.write("new.key", kind == "pkcs8" ? material.encryptedPKCS8Key : material.encryptedTraditionalKey)
        let result = try expectFailureChangesNothing(["promote"], in: dir, mentions: ["new.key"])
        #expect(result.stderr.contains("encrypted"))
    }

    @Test("promote refuses new.cert that does not match new.key")
    func mismatch() throws {
        let dir = try renewal()
        try dir.write("new.cert", material.otherCertificate)
        try expectFailureChangesNothing(["promote"], in: dir, mentions: ["new.cert", "new.key"])
    }

    @Test("promote without new.key refuses new.cert that does not match host.key")
    func mismatchKeepingKey() throws {
        let dir = try renewal(newKey: false)
        try dir.write("new.cert", material.otherCertificate)
        try expectFailureChangesNothing(["promote"], in: dir, mentions: ["new.cert", "host.key"])
    }

    @Test("promote refuses an expired or not yet valid new.cert",
          arguments: [(-86_400 * 30, -86_400), (86_400, 86_400 * 30), (-86_400 * 30, -60)])
    func outsideValidity(_ notBefore: Int, _ notAfter: Int) throws {
        let dir = try renewal()
        try FileManager.default.removeItem(atPath: dir.file("new.cert"))
        try Material.certificate("new.cert", key: "new.key", notBefore: notBefore, notAfter: notAfter, in: dir)
        try #require(dir.exists("new.cert"))
        let result = try expectFailureChangesNothing(["promote"], in: dir, mentions: ["new.cert"])
        #expect(result.stderr.contains(notAfter < 0 ? "expired" : "not valid before"), "\(result.stderr)")
        // --dry-run runs the same checks.
        try expectFailureChangesNothing(["promote", "--dry-run"], in: dir, mentions: ["new.cert"])
    }

    @Test("promote with nothing to promote names new.cert")
    func nothingToPromote() throws {
        let dir = TempDirectory("promote-empty")
        try mailtls(["self", "--algorithm", "ed25519", "--subject", "/CN=x"], in: dir)
        try expectFailureChangesNothing(["promote"], in: dir, mentions: ["new.cert"])
        try dir.write("new.key", material.key)
        try expectFailureChangesNothing(["promote"], in: dir, mentions: ["new.cert"])
    }

    @Test("promote refuses --from equal to --to and stems that are not plain names",
          arguments: [["--from", "host"], ["--from", "../new"], ["--to", "a/b"], ["--to", "new"]])
    func badStems(_ options: [String]) throws {
        let dir = try renewal()
        try expectFailureChangesNothing(["promote"] + options, in: dir, mentions: [options[0]], status: usageErrorStatus)
    }

    @Test("promote refuses while another mailtls run holds the directory lock")
    func lockedDirectory() throws {
        let dir = try renewal()
        let fd = open(dir.file(promoteLockName), O_RDWR | O_CREAT, 0o600)
        try #require(fd >= 0)
        defer { close(fd) }
        try #require(flock(fd, LOCK_EX | LOCK_NB) == 0)
        try expectFailureChangesNothing(["promote", "--dir", dir.path], in: dir, mentions: [dir.path])
    }

    // MARK: all or nothing

    @Test("a new.csr that is a directory is refused before anything moves")
    func sourceNotAFile() throws {
        let dir = try renewal()
        try FileManager.default.removeItem(atPath: dir.file("new.csr"))
        try FileManager.default.createDirectory(atPath: dir.file("new.csr"), withIntermediateDirectories: false)
        try dir.write("new.csr/inside", "x")
        let result = try expectFailureChangesNothing(["promote"], in: dir, mentions: ["new.csr"], ignoring: [promoteLockName])
        #expect(result.stderr.contains("is not a regular file"), "\(result.stderr)")
    }

    @Test("when a backup fails (host.csr is a non-empty directory), everything is put back")
    func backupFails() throws {
        let dir = try renewal()
        try FileManager.default.removeItem(atPath: dir.file("host.csr"))
        try FileManager.default.createDirectory(atPath: dir.file("host.csr"), withIntermediateDirectories: false)
        try dir.write("host.csr/inside", "x")
        try expectFailureChangesNothing(["promote"], in: dir, mentions: ["host.csr"], ignoring: [promoteLockName])
    }

    @Test("promote in a read-only directory changes nothing",
          .enabled(if: UnwritableDirectory.possible, "needs non-root (chmod 0555) or root with mount (read-only tmpfs)"))
    func readOnlyDirectory() throws {
        let place = try UnwritableDirectory { path in
            _ = try MailTLSBinary.run(["self", "--algorithm", "ed25519", "--subject", "/CN=x"], in: path)
            _ = try MailTLSBinary.run(["csr", "--file", "new", "--algorithm", "ed25519", "--subject", "/CN=x"], in: path)
            _ = try MailTLSBinary.run(["self", "--file", "new", "--csr", "new.csr"], in: path)
        }
        defer { place.release() }
        #expect(FileManager.default.fileExists(atPath: place.path + "/new.cert"), "set-up failed")
        try expectFailureChangesNothing(["promote", "--dir", place.path], at: place.path, mentions: [place.path])
    }
}
