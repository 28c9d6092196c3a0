import X509
import SwiftASN1

/// The names a certificate is valid for. Modern clients (and every MTA doing DANE or
/// hostname checks) read only subjectAltName, so the Common Name is always put here too.
public struct SubjectAltNames: Equatable, Sendable {
    public private(set) var names: [GeneralName] = []

    public init() {}

    /// Parses `--san` entries: `DNS:mail.example.org`, `IP:192.0.2.1`, `email:postmaster@…`,
    /// `URI:…`, or a bare host name or address.
    public init(parsing entries: [String]) throws {
        for entry in entries {
            for part in entry.split(separator: ",") {
                try add(parsing: String(part).trimmingSpaces())
            }
        }
    }

    public init(_ names: [GeneralName]) {
        for name in names { add(name) }
    }

    /// Adds the Common Name when it is a host name or an address; a CN such as
    /// "Postmaster" is not a name a client could check, so it is left out.
    public mutating func addCommonName(_ commonName: String) {
        if let address = IPAddressText.bytes(commonName) {
            add(.ipAddress(ASN1OctetString(contentBytes: address[...])))
        } else if HostNameRules.isValid(commonName) {
            add(.dnsName(commonName.lowercased()))
        }
    }

    public mutating func add(parsing entry: String) throws {
        guard !entry.isEmpty else { return }
        let lower = entry.lowercased()
        func rest(_ prefixLength: Int) -> String { String(entry.dropFirst(prefixLength)).trimmingSpaces() }
        if lower.hasPrefix("dns:") {
            let name = rest(4)
            guard HostNameRules.isValid(name) else {
                throw MailTLSError("--san \(entry)", "\"\(name)\" is not a valid host name", remedy: "use letters, digits, hyphens and dots, e.g. mail.example.org")
            }
            add(.dnsName(name.lowercased()))
        } else if lower.hasPrefix("ip:") {
            guard let address = IPAddressText.bytes(rest(3)) else {
                throw MailTLSError("--san \(entry)", "\"\(rest(3))\" is not an IPv4 or IPv6 address", remedy: "write it like IP:192.0.2.25")
            }
            add(.ipAddress(ASN1OctetString(contentBytes: address[...])))
        } else if lower.hasPrefix("email:") {
            let address = rest(6)
            guard address.split(separator: "@").count == 2 else {
                throw MailTLSError("--san \(entry)", "\"\(address)\" is not an email address", remedy: "write it like email:postmaster@example.org")
            }
            add(.rfc822Name(address))
        } else if lower.hasPrefix("uri:") {
            add(.uniformResourceIdentifier(rest(4)))
        } else if let address = IPAddressText.bytes(entry) {
            add(.ipAddress(ASN1OctetString(contentBytes: address[...])))
        } else if HostNameRules.isValid(entry) {
            add(.dnsName(entry.lowercased()))
        } else {
            throw MailTLSError("--san \(entry)", "is neither a host name nor an address", remedy: "use DNS:name, IP:address or email:address")
        }
    }

    /// Adds `name` unless it is already there (host names compare case-insensitively).
    public mutating func add(_ name: GeneralName) {
        if !names.contains(name) { names.append(name) }
    }

    public var isEmpty: Bool { names.isEmpty }

    /// The DNS names, for host-name checks.
    public var dnsNames: [String] {
        names.compactMap { if case .dnsName(let name) = $0 { return name } else { return nil } }
    }

    /// `DNS:mail.example.org, IP Address:192.0.2.1`, as `openssl x509 -text` prints them.
    public static func describe(_ name: GeneralName) -> String {
        switch name {
        case .dnsName(let value): return "DNS:\(value)"
        case .ipAddress(let bytes): return "IP Address:\(IPAddressText.text(Array(bytes.bytes)))"
        case .rfc822Name(let value): return "email:\(value)"
        case .uniformResourceIdentifier(let value): return "URI:\(value)"
        case .directoryName(let dn): return "DirName:\(NameFormatter.oneLine(dn))"
        default: return "othername:<unsupported>"
        }
    }
}

/// Host-name syntax (RFC 1123 labels), with a leading `*.` wildcard allowed.
public enum HostNameRules {
    public static func isValid(_ name: String) -> Bool {
        var text = Substring(name)
        if text.hasSuffix(".") { text = text.dropLast() }
        if text.hasPrefix("*.") { text = text.dropFirst(2) }
        guard !text.isEmpty, text.utf8.count <= 253 else { return false }
        for label in text.split(separator: ".", omittingEmptySubsequences: false) {
            guard (1...63).contains(label.utf8.count), label.first != "-", label.last != "-",
                  label.unicodeScalars.allSatisfy({ $0.isASCIILetter || $0.isASCIIDigit || $0 == "-" || $0 == "_" })
            else { return false }
        }
        return true
    }
}

/// IPv4 and IPv6 addresses between text and bytes, through the C library.
public enum IPAddressText {
    public static func bytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }

    public static func text(_ bytes: [UInt8]) -> String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        guard bytes.count == 4 || bytes.count == 16,
              bytes.withUnsafeBytes({ inet_ntop(family, $0.baseAddress, &buffer, socklen_t(buffer.count)) }) != nil
        else { return "<\(bytes.count)-byte address>" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
