import Foundation
import Testing
@testable import MailTLS

/// `bundle split|join|check|add`, checked against the certificates' own bytes and openssl.
@Suite struct BundleTests {
    /// A Debian-style bundle of the 139 roots, with title lines between them and one repeat.
    func debianStyleBundle(in dir: TempDirectory) throws -> String {
        var text = "# A bundle like /etc/ssl/certs/ca-certificates.crt\n"
        for file in TrustFixtures.cabundle {
            text += "# \(URL(fileURLWithPath: file).lastPathComponent)\n" + (try String(contentsOfFile: file, encoding: .utf8))
        }
        text += try String(contentsOfFile: TrustFixtures.cabundle[0], encoding: .utf8)
        try dir.write("ca-certificates.crt", text)
        return dir.file("ca-certificates.crt")
    }

    func certificateDERs(_ path: String) throws -> [[UInt8]] {
        try TrustFile.load(path).objects.map(\.der)
    }

    @Test func splitWritesOneFilePerCertificateAndLinksLikeOpenSSL() throws {
        let work = TempDirectory("bundle-split")
        let bundle = try debianStyleBundle(in: work)
        let ca = work.file("CA")
        let outcome = try BundleSplit.split(bundle, into: ca)
        #expect(outcome.written.count == 139 && outcome.duplicates == 1 && outcome.findings.isEmpty)
        // Every certificate of the bundle is in exactly one file, byte for byte.
        let split = try outcome.written.flatMap(certificateDERs)
        #expect(Set(split) == Set(try certificateDERs(bundle)))
        #expect(split.count == 139)
        // Names are readable and stable: ISRG Root X1's file is named after it.
        let names = outcome.written.map { Paths.fileName(of: $0) }
        #expect(names.contains { $0.hasPrefix("ISRG_Root_X1_") && $0.hasSuffix(".pem") })
        #expect(names.allSatisfy { !$0.contains(" ") && !$0.contains("/") && !$0.hasPrefix(".") })

        _ = try Rehash.run(ca, options: TrustFixtures.options, dryRun: false)
        let copy = TempDirectory("bundle-split-openssl")
        try TrustFixtures.copy(outcome.written, into: copy)
        try OpenSSL.run(["rehash", copy.path])
        #expect(TrustFixtures.links(ca) == TrustFixtures.links(copy.path))

        // Splitting the same bundle again writes nothing.
        let again = try BundleSplit.split(bundle, into: ca)
        #expect(again.written.isEmpty && again.present.count == 139)
    }

    @Test func splitNeverOverwritesAFileWithTheSameName() throws {
        let work = TempDirectory("bundle-split-taken")
        let bundle = try debianStyleBundle(in: work)
        let first = try BundleSplit.split(bundle, into: work.file("CA"))
        let taken = first.written[5]
        try "not the certificate\n".write(toFile: taken, atomically: false, encoding: .utf8)
        let second = try BundleSplit.split(bundle, into: work.file("CA"))
        #expect(second.findings.map(\.subject) == [taken])
        #expect(try String(contentsOfFile: taken, encoding: .utf8) == "not the certificate\n")
    }

    @Test func joinIsDeduplicatedSortedCommentedAndIndependentOfFileNames() throws {
        let a = TempDirectory("bundle-join-a"), b = TempDirectory("bundle-join-b")
        try TrustFixtures.copy(TrustFixtures.tricky + TrustFixtures.cabundle, into: a)
        // The same certificates under other names, DER for some, one twice.
        for (index, file) in (TrustFixtures.tricky + TrustFixtures.cabundle).enumerated() {
            if index % 7 == 0 {
                try OpenSSL.expectSuccess(["x509", "-in", file, "-outform", "DER", "-out", b.file("cert\(index).cer")])
            } else {
                try FileManager.default.copyItem(atPath: file, toPath: b.file("z\(index).crt"))
            }
        }
        try FileManager.default.copyItem(atPath: TrustFixtures.tricky[0], toPath: b.file("again.pem"))
        let joinedA = try BundleJoin.join(a.path, now: TrustFixtures.options.now)
        let joinedB = try BundleJoin.join(b.path, now: TrustFixtures.options.now)
        #expect(joinedA.text == joinedB.text)
        #expect(joinedA.certificateCount == 174 && joinedB.duplicates == 1)
        try a.write("cacert.pem", joinedA.text)
        let store = try OpenSSL.expectSuccess(["storeutl", "-noout", "-certs", a.file("cacert.pem")])
        #expect(store.contains("Total found: 174"))
        // Each certificate sits under a comment naming its subject.
        let lines = joinedA.text.split(separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() where line == "-----BEGIN CERTIFICATE-----" {
            #expect(lines[index - 1].hasPrefix("# "))
        }
        #expect(joinedA.text.contains("# C = US, O = Internet Security Research Group, CN = ISRG Root X1\n-----BEGIN CERTIFICATE-----"))
    }

    @Test func joinOutRefusesToOverwriteWithoutForce() throws {
        let dir = TempDirectory("bundle-join-out")
        try TrustFixtures.copy(Array(TrustFixtures.cabundle.prefix(3)), into: dir)
        // Outside the CA directory (join would read it back), in a directory of its own so
        // the backup --force makes is cleaned up too.
        let outDir = TempDirectory("bundle-join-out-file")
        let out = outDir.file("cacert.pem")
        #expect(try MailTLSBinary.run(["bundle", "join", dir.path, "--out", out]).status == 0)
        let written = try String(contentsOfFile: out, encoding: .utf8)
        try "keep me\n".write(toFile: out, atomically: false, encoding: .utf8)
        let refused = try MailTLSBinary.run(["bundle", "join", dir.path, "--out", out])
        #expect(refused.status == 1 && refused.stderr.contains("already exists"))
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "keep me\n")
        let forced = try MailTLSBinary.run(["bundle", "join", dir.path, "--out", out, "--force"])
        #expect(forced.status == 0 && forced.stdout.contains("kept the old bundle as"))
        #expect(try String(contentsOfFile: out, encoding: .utf8) == written)
        #expect(outDir.listing().filter { $0.hasPrefix("cacert.pem.") }.count == 1)
    }

    @Test func checkCountsAndFlags() throws {
        let dir = TempDirectory("bundle-check")
        let c01 = try TrustFixtures.text("subject-hash/tricky/c01.pem")      // a CA
        let c05 = try TrustFixtures.text("subject-hash/tricky/c05.pem")      // not a CA
        try dir.write("good.pem", c01 + c05 + c01)
        let good = try BundleCheck.check(dir.file("good.pem"), now: TrustFixtures.options.now)
        #expect(good.certificates == 2 && good.duplicates == 1 && good.notCA == 1)
        #expect(good.exitStatus == 3)

        try dir.write("empty.pem", "")
        #expect(try BundleCheck.check(dir.file("empty.pem"), now: 0).exitStatus == 1)

        var damaged = Array(c05.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
        damaged[3] = "!!!! not base64 !!!!"
        try dir.write("damaged.pem", c01 + damaged.joined(separator: "\n"))
        let report = try BundleCheck.check(dir.file("damaged.pem"), now: 0)
        #expect(report.exitStatus == 1)
        #expect(report.findings.contains { $0.severity == .error && $0.message.contains("base64") })

        let cli = try MailTLSBinary.run(["bundle", "check", dir.file("good.pem"), dir.file("missing.pem")])
        #expect(cli.status == 1)
        #expect(cli.stdout.contains("good.pem: 2 certificates, 1 duplicate, 1 not a CA"))
        #expect(cli.stderr.contains("missing.pem: no such file"))
    }

    @Test func addCopiesAsPEMSkipsWhatIsThereAndRehashes() throws {
        let work = TempDirectory("bundle-add")
        let ca = work.file("CA")
        mkdir(ca, 0o755)
        try OpenSSL.expectSuccess(["x509", "-in", Fixtures.path("subject-hash/tricky/c06.pem"), "-outform", "DER", "-out", work.file("partner.cer")])
        try work.write("two.pem", try TrustFixtures.text("subject-hash/tricky/c07.pem") + TrustFixtures.text("subject-hash/tricky/c08.pem"))
        let result = try MailTLSBinary.run(["bundle", "add", work.file("partner.cer"), work.file("two.pem"), "--to", ca])
        #expect(result.status == 0, "\(result.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: ca).filter { !$0.hasPrefix(".") && HashLinkName(parsing: $0) == nil }
        #expect(files.count == 3 && files.contains("partner.pem"))
        #expect(try String(contentsOfFile: ca + "/partner.pem", encoding: .utf8).hasPrefix("-----BEGIN CERTIFICATE-----"))
        #expect(TrustFixtures.links(ca)["7387e3f4.0"] == "partner.pem")
        #expect(TrustFixtures.links(ca).count == 3)

        let again = try MailTLSBinary.run(["bundle", "add", Fixtures.path("subject-hash/tricky/c06.pem"), "--to", ca])
        #expect(again.status == 0 && again.stdout.contains("already there"))
        // Another certificate under a taken name is refused, the file kept.
        try FileManager.default.copyItem(atPath: Fixtures.path("subject-hash/tricky/c09.pem"), toPath: work.file("partner.pem"))
        let taken = try MailTLSBinary.run(["bundle", "add", work.file("partner.pem"), "--to", ca])
        #expect(taken.status == 1 && taken.stderr.contains("not overwritten"))
        #expect(try TrustFile.load(ca + "/partner.pem").objects.first?.sha256 == (try TrustFile.load(Fixtures.path("subject-hash/tricky/c06.pem")).objects.first?.sha256))
    }
}
