import Foundation
import Testing
@testable import MailTLS

/// Every row of vectors.tsv (made by the openssl CLI from the certificates beside it:
/// tricky names and Debian's 139 roots) must hash exactly as OpenSSL did.
@Suite struct SubjectHashVectorTests {
    struct Row: CustomTestStringConvertible, Sendable {
        var file: String, sha256: String, hash: String, oldHash: String
        var testDescription: String { file }
    }

    static let rows: [Row] = {
        let text = try! String(contentsOfFile: Fixtures.path("subject-hash/vectors.tsv"), encoding: .utf8)
        return text.split(separator: "\n").dropFirst().map { line in
            let f = line.split(separator: "\t").map(String.init)
            return Row(file: f[0], sha256: f[1], hash: f[2], oldHash: f[3])
        }
    }()

    @Test func theTableIsComplete() {
        #expect(Self.rows.count == 174)
        #expect(Self.rows.filter { $0.file.hasPrefix("cabundle/") }.count == 139)
    }

    @Test(arguments: rows)
    func hashesMatchOpenSSL(_ row: Row) throws {
        let path = Fixtures.path("subject-hash/" + row.file)
        let file = try TrustFile.load(path)
        #expect(file.objects.count == 1)
        let object = try #require(file.objects.first)
        #expect(Hex.lower(object.sha256) == row.sha256, "the fixture is not the file the vector was made from")
        #expect(SubjectHash.text(try object.hash(.new, path: path)) == row.hash)
        #expect(SubjectHash.text(try object.hash(.old, path: path)) == row.oldHash)
    }

    @Test func emptyNameHashesLikeOpenSSL() throws {
        // SEQUENCE {} : SHA-1 of nothing for the new hash.
        #expect(SubjectHash.text(try SubjectHash.value(ofNameDER: [0x30, 0x00], kind: .new)) == "eea339da")
    }

    @Test func foldingTrimsCollapsesAndLowersASCIIOnly() {
        let input = Array(" \t A\u{0B}\u{0C}B\r\nÉé  Z \n".utf8)
        #expect(CanonicalName.folded(input) == Array("a b Éé z".utf8))
    }
}
