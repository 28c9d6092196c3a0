import Crypto

/// OpenSSL's name hashes: the eight hex digits in `/etc/ssl/certs/5e24647f.0` and the
/// output of `openssl x509 -hash` (new, SHA-1 of the canonical name) or
/// `-subject_hash_old` (old, MD5 of the name's bytes as stored, used before OpenSSL 1.0).
///
/// A CA directory (Sendmail's CACertPath, Postfix's `smtpd_tls_CApath`) only works if
/// these match OpenSSL's to the bit, so they are computed from the name's bytes exactly
/// as stored in the certificate, never from a re-serialised name (which re-sorts SETs and
/// would turn the BER OpenSSL accepts, such as a chunked string, into DER).
public enum SubjectHash {
    /// Which of OpenSSL's two hashes.
    public enum Kind: String, Sendable, CaseIterable {
        /// SHA-1 over the canonical name (OpenSSL 1.0 and later).
        case new
        /// MD5 over the name's bytes as stored (OpenSSL before 1.0, `-subject_hash_old`, `rehash -old`).
        case old
    }

    /// The hash of the Name whose bytes as stored (outer SEQUENCE included; DER, or BER
    /// as OpenSSL reads it) are `nameDER`.
    ///
    /// Throws `CanonicalName.Refusal` for names OpenSSL refuses to load (so that no wrong
    /// hash is ever printed or linked); callers wrap it with the file's name.
    static func value(ofNameDER nameDER: ArraySlice<UInt8>, kind: Kind) throws -> UInt32 {
        switch kind {
        case .new:
            let canonical = try CanonicalName.encoding(ofNameDER: nameDER)
            return firstWordLittleEndian(Insecure.SHA1.hash(data: canonical))
        case .old:
            // OpenSSL decodes the name before hashing its stored bytes: a name it refuses
            // gets no old hash either.
            _ = try CanonicalName.encoding(ofNameDER: nameDER)
            return firstWordLittleEndian(Insecure.MD5.hash(data: nameDER))
        }
    }

    /// Both hashes, sharing the one decode.
    static func values(ofNameDER nameDER: ArraySlice<UInt8>) throws -> (new: UInt32, old: UInt32) {
        let canonical = try CanonicalName.encoding(ofNameDER: nameDER)
        return (firstWordLittleEndian(Insecure.SHA1.hash(data: canonical)),
                firstWordLittleEndian(Insecure.MD5.hash(data: nameDER)))
    }

    /// `%08lx`, as OpenSSL prints and names links.
    public static func text(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }

    /// Digest bytes 0...3 read as a little-endian number, as OpenSSL's `X509_NAME_hash_ex` does.
    private static func firstWordLittleEndian<D: Digest>(_ digest: D) -> UInt32 {
        digest.withUnsafeBytes { raw in
            UInt32(raw[0]) | UInt32(raw[1]) << 8 | UInt32(raw[2]) << 16 | UInt32(raw[3]) << 24
        }
    }
}
