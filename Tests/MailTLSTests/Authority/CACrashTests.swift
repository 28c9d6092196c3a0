import Testing
import Foundation
@testable import MailTLS

/// Kill `mailtls ca sign` with SIGKILL at random moments: the index must always parse, and
/// every certificate file that exists must be complete and recorded in the index.
@Suite("Crash safety: CA signing under kill -9")
struct CACrashTests {
    @Test("a killed ca sign never leaves a certificate without an index entry")
    func killLoop() throws {
        let dir = TempDirectory()
        let layout = CALayout(directory: dir.file("ca"))
        _ = try CAInit.run(layout, options: .init(subject: try SubjectParser.parse("/CN=Crash CA"), key: KeyOptions(algorithm: .ecdsaP256)))
        try OpenSSL.expectSuccess(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "r.key",
                                   "-out", "r.csr", "-subj", "/CN=mail.example.org"], in: dir.path)
        try FileManager.default.createDirectory(atPath: dir.file("out"), withIntermediateDirectories: false)
        var completed = 0, killed = 0
        let rounds = 80
        for round in 0..<rounds {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: MailTLSBinary.path)
            process.arguments = ["ca", "sign", "r.csr", "--dir", "ca", "--yes", "--allow-duplicate", "--out", "out/c\(round).cert"]
            process.currentDirectoryURL = URL(fileURLWithPath: dir.path)
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Every fourth run finishes; the others are killed at a random moment of their life
            // (a debug build on a loaded machine takes 30-300 ms to sign).
            if round % 4 != 3 {
                usleep(UInt32.random(in: 0...120_000))
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            }
            process.waitUntilExit()
            if process.terminationReason == .uncaughtSignal { killed += 1 } else { completed += 1 }

            let index = try CAIndex.load(layout)
            let serials = Set(index.entries.map(\.serial))
            for file in try FileManager.default.contentsOfDirectory(atPath: dir.file("out")) where file.hasSuffix(".cert") {
                let certificate = try MaterialFile.load(dir.file("out/\(file)")).firstCertificate().certificate
                #expect(serials.contains(CAIndex.normalizedSerial(Hex.lower(certificate.serialNumber.bytes))), "out/\(file) is not in the index")
            }
            for file in try FileManager.default.contentsOfDirectory(atPath: layout.issuedDirectory) where !file.hasPrefix(".") {
                #expect(serials.contains(String(file.dropLast(4))), "issued/\(file) is not in the index")
            }
        }
        // Every outcome happened: some runs finished, some were killed part-way.
        #expect(completed > 0)
        #expect(killed > 0)
        // A later run under the lock sweeps the temp files of killed runs.
        var ca = try CertificateAuthority.open(layout)
        _ = try RevocationList.write(&ca, days: 1)
        _ = try DirectoryLock(layout.directory)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: layout.directory).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty, "\(leftovers)")
        print("ca sign kill loop: \(rounds) runs, \(completed) completed, \(killed) killed, index consistent after each")
    }
}
