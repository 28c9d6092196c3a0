/// The encoding rules OpenSSL 3.0 reads certificates, CRLs and names with: BER, bounded
/// exactly where OpenSSL's decoder (`ASN1_get_object` and `asn1_get_length` in
/// `crypto/asn1/asn1_lib.c`; `asn1_check_tlen`, `asn1_collect`, `asn1_find_end` in
/// `crypto/asn1/tasn_dec.c`) stops, so that mailtls hashes, links and shows every
/// certificate `openssl x509` loads and refuses, with a reason, every one it refuses.
///
/// OpenSSL's template decoder is a BER decoder everywhere in a certificate, not only in
/// names (checked with the `openssl` CLI, `Tests/MailTLSTests/Names/LenientNameTests`):
///
/// - Lengths: short form; long form with any number of leading zero octets, at most 8
///   significant ones (so `81 05`, `83 00 00 05` and `89 00 … 05` all mean 5), but the
///   long form needs at least one byte after its length octets inside the enclosing
///   element (`0c 81 00` as the last thing in a definite-length element is refused).
///   The indefinite form `80` only on constructed elements, ended by `00 00`; `00 00`
///   where an element is expected inside a definite-length one is refused.
/// - Tags: the high-tag-number form is read as a number, even when a low tag would do
///   (`1f 0c` is a UTF8String); the tag number must stay below 2^31.
/// - Constructed strings: a string type given in constructed form (definite or
///   indefinite length) is the concatenation of its chunks. OpenSSL checks neither
///   the chunks' tags nor their class (an OCTET STRING, a context-tagged or a SEQUENCE
///   chunk is read like any other; a constructed chunk is opened in turn), but opens
///   at most 5 levels of chunks inside the outer string (`ASN1_MAX_STRING_NEST`).
/// - SEQUENCE OF and SET OF (the Name and its RDNs) do not check the constructed bit;
///   a SEQUENCE (an attribute, the tbsCertificate) must be constructed.
///
/// OpenSSL keeps the tbsCertificate and the Name exactly as received (`X509_CINF` saves
/// its encoding, `X509_NAME` caches its bytes): the old MD5 hash and the CApath lookup
/// use those bytes, so readers here hand out ranges of the input, never re-encodings.
/// `der(of:in:)` re-encodes an element as DER only for the libraries that need DER
/// (swift-certificates, for `show` and names shown to people) and for the outer frame of
/// a certificate, which OpenSSL re-encodes when it writes or fingerprints one.
///
/// Where mailtls stays apart, on purpose: bytes after a certificate (which `d2i` ignores)
/// are taken for damage; the contents OpenSSL checks field by field (an INTEGER's
/// padding, a key's parameters) are not checked here, as before; and an algorithm's
/// SEQUENCE parameters given in BER, which OpenSSL keeps as received, are re-encoded in
/// the stored form (no such certificate has been seen).
enum OpenSSLBER {
    /// One element: where it lies in the input and how it was encoded.
    struct Element: Equatable, Sendable {
        /// 0x00 universal, 0x40 application, 0x80 context-specific, 0xC0 private.
        var tagClass: UInt8
        var isConstructed: Bool
        var tagNumber: UInt
        /// The whole element, its end-of-contents marker included.
        var range: Range<Int>
        /// The contents, without the end-of-contents marker.
        var contentRange: Range<Int>
        var isIndefinite: Bool
        /// Where the window of the element's children ends. OpenSSL bounds a child of an
        /// indefinite-length element by the parent's own window, not by its marker.
        var childWindowEnd: Int

        func isUniversal(_ tag: UInt) -> Bool { tagClass == 0 && tagNumber == tag }
    }

    /// Why OpenSSL would refuse the encoding.
    struct Malformed: Error, Equatable {
        var reason: String
    }

    /// How many levels of chunks OpenSSL opens inside a constructed string.
    static let maxStringNesting = 5
    /// How deep `der(of:in:)` follows constructed elements (OpenSSL's `ASN1_MAX_CONSTRUCTED_NEST`).
    static let maxNesting = 30

    /// The element starting at `start`, in a window that ends at `windowEnd` (the end of
    /// the enclosing element's contents, or of the input).
    static func element(in bytes: ArraySlice<UInt8>, at start: Int, windowEnd: Int, roomAfterWindow: Int = 0) throws(Malformed) -> Element {
        let head = try header(in: bytes, at: start, windowEnd: windowEnd, roomAfterWindow: roomAfterWindow)
        guard head.isIndefinite else {
            let end = head.contentStart + head.length
            return Element(tagClass: head.tagClass, isConstructed: head.isConstructed, tagNumber: head.tagNumber,
                           range: start..<end, contentRange: head.contentStart..<end, isIndefinite: false, childWindowEnd: end)
        }
        let end = try endOfIndefinite(in: bytes, contentStart: head.contentStart, windowEnd: windowEnd)
        return Element(tagClass: head.tagClass, isConstructed: true, tagNumber: head.tagNumber,
                       range: start..<end, contentRange: head.contentStart..<(end - 2), isIndefinite: true,
                       childWindowEnd: windowEnd)
    }

    /// The element that starts `bytes` (trailing bytes are not looked at, as `d2i` does not).
    ///
    /// `isInsideMore` says that `bytes` were cut out of a larger whole that continues after
    /// them, as a certificate's subject is followed by its key: the element's long-form
    /// length then has the room after it that OpenSSL saw when it read the whole.
    static func first(in bytes: ArraySlice<UInt8>, isInsideMore: Bool = false) throws(Malformed) -> Element {
        try element(in: bytes, at: bytes.startIndex, windowEnd: bytes.endIndex, roomAfterWindow: isInsideMore ? 1 : 0)
    }

    /// The elements inside `parent`'s contents, in order. The constructed bit is not
    /// checked, as OpenSSL does not for SEQUENCE OF and SET OF; callers check it where
    /// OpenSSL does.
    static func children(of parent: Element, in bytes: ArraySlice<UInt8>) throws(Malformed) -> [Element] {
        var result: [Element] = []
        var index = parent.contentRange.lowerBound
        let end = parent.contentRange.upperBound
        let window = parent.isIndefinite ? parent.childWindowEnd : end
        while index < end {
            if end - index >= 2 && bytes[index] == 0 && bytes[index + 1] == 0 {
                throw Malformed(reason: "an end-of-contents marker (00 00) stands inside a definite-length element")
            }
            let child = try element(in: bytes, at: index, windowEnd: window)
            guard child.range.upperBound <= end else {
                throw Malformed(reason: "an element runs past the end of the element that holds it")
            }
            result.append(child)
            index = child.range.upperBound
        }
        return result
    }

    /// A string's contents: a primitive element's bytes, or the chunks of a constructed
    /// one joined (`asn1_collect`), whatever the chunks' tags.
    static func stringContent(of element: Element, in bytes: ArraySlice<UInt8>) throws(Malformed) -> [UInt8] {
        guard element.isConstructed else { return Array(bytes[element.contentRange]) }
        var out: [UInt8] = []
        try collect(element, in: bytes, depth: 0, into: &out)
        return out
    }

    private static func collect(_ element: Element, in bytes: ArraySlice<UInt8>, depth: Int, into out: inout [UInt8]) throws(Malformed) {
        for chunk in try children(of: element, in: bytes) {
            if chunk.isConstructed {
                guard depth < maxStringNesting else {
                    throw Malformed(reason: "a constructed string nests its chunks more than \(maxStringNesting) levels deep")
                }
                try collect(chunk, in: bytes, depth: depth + 1, into: &out)
            } else {
                out += bytes[chunk.contentRange]
            }
        }
    }

    /// A signed object (certificate, CRL) as OpenSSL holds it after loading, which is what
    /// `openssl x509 -outform DER` writes and `-fingerprint` digests: the signed part
    /// (tbsCertificate, tbsCertList) exactly as received; the outer SEQUENCE, the algorithm
    /// and the signature re-encoded as DER. For DER input this is the input. Bytes after
    /// the object are left out, as OpenSSL ignores them; callers that take them for damage
    /// check `first(in:)` themselves.
    static func storedForm(ofSigned input: [UInt8]) throws(Malformed) -> [UInt8] {
        let bytes = input[...]
        let root = try first(in: bytes)
        let parts = try children(of: root, in: bytes)
        guard root.isUniversal(16), root.isConstructed, parts.count == 3 else {
            throw Malformed(reason: "it is not a SEQUENCE of a signed part, an algorithm and a signature")
        }
        guard parts[0].isUniversal(16), parts[0].isConstructed else { throw Malformed(reason: "the signed part is not a SEQUENCE") }
        let content = Array(bytes[parts[0].range]) + (try der(of: parts[1], in: bytes)) + (try der(of: parts[2], in: bytes))
        let stored = encoded(root, constructed: true, content: content)
        return stored == input ? input : stored
    }

    /// The element re-encoded as DER: definite minimal lengths, low tag numbers where they
    /// fit, universal strings in primitive form (BIT STRING unused bits cleared, as
    /// OpenSSL's decoder clears them). SEQUENCE and SET (even with the constructed bit
    /// clear, as OpenSSL reads a SEQUENCE OF, when the contents are elements) and
    /// context-specific or private constructed elements, taken as EXPLICIT wrappers, are
    /// re-encoded child by child.
    static func der(of element: Element, in bytes: ArraySlice<UInt8>, depth: Int = 0) throws(Malformed) -> [UInt8] {
        guard depth <= maxNesting else {
            throw Malformed(reason: "elements are nested more than \(maxNesting) levels deep")
        }
        let isSequenceOrSet = element.isUniversal(16) || element.isUniversal(17)
        if element.isConstructed && (element.tagClass != 0 || isSequenceOrSet) {
            return encoded(element, constructed: true, content: try childrenDER(of: element, in: bytes, depth: depth))
        }
        if isSequenceOrSet, let content = try? childrenDER(of: element, in: bytes, depth: depth) {
            return encoded(element, constructed: true, content: content)
        }
        var content = try stringContent(of: element, in: bytes)
        if element.isUniversal(3), content.count > 1, content[0] < 8 {
            content[content.count - 1] &= UInt8(truncatingIfNeeded: 0xFF << content[0])
        }
        return encoded(element, constructed: false, content: content)
    }

    private static func childrenDER(of element: Element, in bytes: ArraySlice<UInt8>, depth: Int) throws(Malformed) -> [UInt8] {
        var content: [UInt8] = []
        for child in try children(of: element, in: bytes) {
            content += try der(of: child, in: bytes, depth: depth + 1)
        }
        return content
    }

    /// A DER header for `element`'s tag, then `content`.
    static func encoded(_ element: Element, constructed: Bool, content: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        let first = element.tagClass | (constructed ? 0x20 : 0)
        if element.tagNumber < 31 {
            out.append(first | UInt8(element.tagNumber))
        } else {
            out.append(first | 0x1F)
            var groups: [UInt8] = []
            var rest = element.tagNumber
            repeat { groups.insert(UInt8(rest & 0x7F), at: 0); rest >>= 7 } while rest > 0
            for index in groups.indices.dropLast() { groups[index] |= 0x80 }
            out += groups
        }
        appendLength(content.count, to: &out)
        return out + content
    }

    /// A DER length.
    static func appendLength(_ length: Int, to out: inout [UInt8]) {
        if length < 0x80 {
            out.append(UInt8(length))
            return
        }
        var octets: [UInt8] = []
        var rest = length
        while rest > 0 { octets.insert(UInt8(rest & 0xFF), at: 0); rest >>= 8 }
        out.append(0x80 | UInt8(octets.count))
        out += octets
    }

    private struct Header {
        var tagClass: UInt8
        var isConstructed: Bool
        var tagNumber: UInt
        var contentStart: Int
        var length: Int
        var isIndefinite: Bool
    }

    /// One identifier and length, by `ASN1_get_object`'s rules.
    private static func header(in bytes: ArraySlice<UInt8>, at start: Int, windowEnd: Int, roomAfterWindow: Int = 0) throws(Malformed) -> Header {
        let cutOff = Malformed(reason: "an element's header is cut off")
        guard start < windowEnd else { throw cutOff }
        var index = start
        let first = bytes[index]
        var tagNumber = UInt(first & 0x1F)
        index += 1
        guard index < windowEnd else { throw cutOff }
        if tagNumber == 0x1F {
            tagNumber = 0
            while bytes[index] & 0x80 != 0 {
                tagNumber = tagNumber << 7 | UInt(bytes[index] & 0x7F)
                index += 1
                guard index < windowEnd else { throw cutOff }
                guard tagNumber <= UInt(Int32.max >> 7) else { throw Malformed(reason: "an element's tag number is too large") }
            }
            tagNumber = tagNumber << 7 | UInt(bytes[index] & 0x7F)
            index += 1
            guard index < windowEnd else { throw cutOff }
        }
        let isConstructed = first & 0x20 != 0
        let lengthByte = bytes[index]
        index += 1
        var length = 0
        let isIndefinite = lengthByte == 0x80
        if isIndefinite {
            guard isConstructed else {
                throw Malformed(reason: "a primitive element has the indefinite length form, which only constructed elements may have")
            }
        } else if lengthByte & 0x80 != 0 {
            var count = Int(lengthByte & 0x7F)
            guard windowEnd + roomAfterWindow - index >= count + 1 else {
                throw Malformed(reason: "an element's long-form length has no room for its length octets and contents")
            }
            while count > 0 && bytes[index] == 0 { index += 1; count -= 1 }
            guard count <= 8 else { throw Malformed(reason: "an element's length has more than 8 significant octets") }
            var value: UInt64 = 0
            for _ in 0..<count { value = value << 8 | UInt64(bytes[index]); index += 1 }
            guard value <= UInt64(Int.max) else { throw Malformed(reason: "an element's length is too large") }
            length = Int(value)
        } else {
            length = Int(lengthByte)
        }
        guard length <= windowEnd - index else {
            throw Malformed(reason: "an element's length runs past the end of what holds it")
        }
        return Header(tagClass: first & 0xC0, isConstructed: isConstructed, tagNumber: tagNumber,
                      contentStart: index, length: length, isIndefinite: isIndefinite)
    }

    /// Where an indefinite-length element whose contents start at `contentStart` ends
    /// (after its `00 00`), by `asn1_find_end`: headers are read, contents skipped.
    private static func endOfIndefinite(in bytes: ArraySlice<UInt8>, contentStart: Int, windowEnd: Int) throws(Malformed) -> Int {
        var open = 1
        var index = contentStart
        while index < windowEnd {
            if windowEnd - index >= 2 && bytes[index] == 0 && bytes[index + 1] == 0 {
                index += 2
                open -= 1
                if open == 0 { return index }
                continue
            }
            let inner = try header(in: bytes, at: index, windowEnd: windowEnd)
            if inner.isIndefinite {
                open += 1
                index = inner.contentStart
            } else {
                index = inner.contentStart + inner.length
            }
        }
        throw Malformed(reason: "an indefinite-length element has no end-of-contents marker (00 00)")
    }
}
