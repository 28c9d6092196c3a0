import Testing
import Foundation
@testable import MailTLS

@Suite("Atomic writes")
struct AtomicFileTests {
    @Test("refuse leaves an existing file alone and no temp file behind")
    func refuse() throws {
        let dir = TempDirectory()
        try dir.write("a", "old")
        #expect(throws: MailTLSError.self) {
            try AtomicFile.write("new", to: dir.file("a"), mode: .shared, existing: .refuse)
        }
        #expect(try dir.read("a") == "old")
        #expect(dir.listing() == ["a"])
    }

    @Test("secret files are 0600 and shared files 0644 whatever the umask")
    func modes() throws {
        let dir = TempDirectory()
        let old = umask(0)
        defer { umask(old) }
        try AtomicFile.write("k", to: dir.file("k"), mode: .secret, existing: .refuse)
        try AtomicFile.write("c", to: dir.file("c"), mode: .shared, existing: .refuse)
        umask(0o077)
        try AtomicFile.write("c2", to: dir.file("c2"), mode: .shared, existing: .refuse)
        #expect(dir.mode("k") == 0o600)
        #expect(dir.mode("c") == 0o644)
        #expect(dir.mode("c2") == 0o644)
    }

    @Test("replace swaps the content; backups never overwrite each other")
    func replaceAndBackUp() throws {
        let dir = TempDirectory()
        try AtomicFile.write("one", to: dir.file("f"), mode: .shared, existing: .refuse)
        let first = try AtomicFile.backUp(dir.file("f"), stamp: "S")
        try AtomicFile.write("two", to: dir.file("f"), mode: .shared, existing: .replace)
        let second = try AtomicFile.backUp(dir.file("f"), stamp: "S")
        #expect(first == dir.file("f.S") && second == dir.file("f.S.1"))
        #expect(try dir.read("f.S") == "one" && dir.read("f.S.1") == "two" && dir.read("f") == "two")
        #expect(try AtomicFile.backUp(dir.file("missing"), stamp: "S") == nil)
    }

    @Test("a directory that does not exist gives an error naming it")
    func missingDirectory() {
        #expect {
            try AtomicFile.write("x", to: "/nonexistent-mailtls/dir/f", mode: .shared, existing: .refuse)
        } throws: { error in
            (error as? MailTLSError)?.subject == "/nonexistent-mailtls/dir"
        }
    }

    @Test("a second lock on a directory is refused while the first is held")
    func lock() throws {
        let dir = TempDirectory()
        let first = try DirectoryLock(dir.path)
        // flock locks belong to the open file description, so a second open conflicts even in one process.
        #expect(throws: MailTLSError.self) { try DirectoryLock(dir.path) }
        first.release()
        _ = try DirectoryLock(dir.path)
    }
}
