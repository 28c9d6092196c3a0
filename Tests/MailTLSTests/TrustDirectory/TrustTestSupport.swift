import Foundation
import Testing
@testable import MailTLS

/// Helpers for CA-directory tests: fixture copies, link listings, running as another user.
enum TrustFixtures {
    static var tricky: [String] { files(in: "subject-hash/tricky") }
    static var cabundle: [String] { files(in: "subject-hash/cabundle") }

    static func files(in relative: String) -> [String] {
        let dir = Fixtures.path(relative)
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted().map { dir + "/" + $0 }
    }

    /// Copies `files` into `dir` under their own names.
    static func copy(_ files: [String], into dir: TempDirectory) throws {
        for file in files {
            try FileManager.default.copyItem(atPath: file, toPath: dir.file(URL(fileURLWithPath: file).lastPathComponent))
        }
    }

    /// The text of fixture `relative`.
    static func text(_ relative: String) throws -> String {
        try String(contentsOfFile: Fixtures.path(relative), encoding: .utf8)
    }

    /// Every symlink in `dir`: name -> target.
    static func links(_ dir: String) -> [String: String] {
        var result: [String: String] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] {
            if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: dir + "/" + name) {
                result[name] = target
            }
        }
        return result
    }

    /// lstat of a path: (inode, mtime ns, ctime ns).
    static func identity(_ path: String) -> [Int] {
        var info = stat()
        guard lstat(path, &info) == 0 else { return [] }
        return [Int(info.st_ino), Int(info.st_mtim.tv_sec), Int(info.st_mtim.tv_nsec), Int(info.st_ctim.tv_sec), Int(info.st_ctim.tv_nsec)]
    }

    static let options = RehashOptions(hashes: .new, now: Int64(Date().timeIntervalSince1970))

    /// Runs the mailtls binary as user nobody (root ignores permission bits, so tests of
    /// unreadable files and read-only directories need another user).
    static func runAsNobody(_ arguments: [String]) throws -> RunResult {
        try MailTLSBinary.runAsNobody(arguments)
    }

    static var canSwitchUser: Bool { Nobody.canSwitch }
}
