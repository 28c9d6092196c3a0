import Foundation
import Testing
@testable import MailTLS

/// `.json.gz` reports against Python's `gzip` as the oracle, and the size cap against a
/// gzip bomb.
@Suite("TLS-RPT gzip")
struct TLSRPTGzipTests {
    @Test("a .json.gz made by Python's gzip decompresses to the very bytes Python compressed; two members join")
    func pythonGzip() throws {
        let dir = TempDirectory("tlsrpt-gz")
        try dir.write("report.json", TLSRPTSamples.rfc)
        try Python.run("""
        import gzip, sys
        data = open(sys.argv[1] + '/report.json', 'rb').read()
        open(sys.argv[1] + '/report.json.gz', 'wb').write(gzip.compress(data))
        open(sys.argv[1] + '/two.json.gz', 'wb').write(gzip.compress(data[:100]) + gzip.compress(data[100:]))
        """, [dir.path])
        let contents = TLSRPTDocuments.contents(of: try dir.bytes("report.json.gz"), source: "report.json.gz")
        #expect(contents.problems.isEmpty)
        #expect(contents.documents == [TLSRPTDocuments.Document(source: "report.json.gz", json: try dir.bytes("report.json"))])
        #expect(try Gzip.decompress(try dir.bytes("two.json.gz"), source: "two.json.gz") == (try dir.bytes("report.json")))
    }

    @Test("cut-short and damaged gzip data are refused naming the input")
    func damaged() throws {
        let dir = TempDirectory("tlsrpt-gz")
        try dir.write("report.json", TLSRPTSamples.rfc)
        try Python.run("""
        import gzip, sys
        data = gzip.compress(open(sys.argv[1] + '/report.json', 'rb').read())
        open(sys.argv[1] + '/cut.json.gz', 'wb').write(data[:len(data) // 2])
        bad = bytearray(data); bad[-6] ^= 0xff   # the CRC-32
        open(sys.argv[1] + '/crc.json.gz', 'wb').write(bytes(bad))
        """, [dir.path])
        #expect(throws: MailTLSError("cut.json.gz", "is cut short: the gzip data ends early", remedy: "save the report again, whole")) {
            try Gzip.decompress(try dir.bytes("cut.json.gz"), source: "cut.json.gz")
        }
        #expect(throws: MailTLSError("crc.json.gz", "is damaged gzip data (bad header or checksum)", remedy: "save the report again, or ask its sender")) {
            try Gzip.decompress(try dir.bytes("crc.json.gz"), source: "crc.json.gz")
        }
    }

    /// No time bound is asserted (speed is for scripts/bench, not tests): the cap is what keeps a
    /// bomb cheap, and the exact-cap cases below show inflating stops one byte past it.
    @Test("a gzip bomb (1 GiB of zeros) is refused, naming the file, after at most the cap")
    func bomb() throws {
        let dir = TempDirectory("tlsrpt-gz")
        try Python.run("""
        import gzip, sys
        with gzip.open(sys.argv[1] + '/bomb.json.gz', 'wb', compresslevel=6) as f:
            chunk = bytes(1 << 20)
            for _ in range(1024):
                f.write(chunk)
        """, [dir.path])
        let bytes = try dir.bytes("bomb.json.gz")
        #expect(bytes.count < 2 << 20)
        let contents = TLSRPTDocuments.contents(of: bytes, source: "bomb.json.gz")
        #expect(contents.documents.isEmpty)
        #expect(contents.problems.count == 1)
        #expect(contents.problems.first?.subject == "bomb.json.gz")
        #expect(contents.problems.first?.problem.contains("expands to more than 10 MiB") == true)
        // Exactly at the cap is allowed; one byte more is not.
        let exact = try gzipped(count: 1000, in: dir)
        #expect(try Gzip.decompress(exact, limit: 1000, source: "x").count == 1000)
        #expect(throws: MailTLSError.self) { try Gzip.decompress(exact, limit: 999, source: "x") }
    }

    func gzipped(count: Int, in dir: TempDirectory) throws -> [UInt8] {
        try Python.run("import gzip, sys; open(sys.argv[1] + '/n.gz', 'wb').write(gzip.compress(b'x' * int(sys.argv[2])))", [dir.path, String(count)])
        return try dir.bytes("n.gz")
    }
}
