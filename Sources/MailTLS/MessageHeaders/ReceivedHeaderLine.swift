#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A `Received:` header as Sendmail writes it, with its TLS comment
/// `(version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 bits=256 verify=NO)`.
enum ReceivedHeaderLine {
    static func sendmailStyle(from ehlo: String, peer: String, by host: String, tlsVersion: String?, cipher: String?,
                              verify: String, recipient: String, date: Date) -> String {
        let tls = tlsVersion.map { version in
            "\r\n\t(version=\(version) cipher=\(cipher ?? "unknown") bits=\(bits(cipher)) verify=\(verify))"
        } ?? ""
        let with = tlsVersion == nil ? "ESMTP" : "ESMTPS"
        return "Received: from \(ehlo) ([\(peer)])\r\n\tby \(host) (mailtls serve) with \(with) id \(UInt32.random(in: 0...UInt32.max))\(tls)\r\n\tfor \(recipient); \(rfc5322Date(date))\r\n"
    }

    static func bits(_ cipher: String?) -> Int {
        guard let cipher else { return 0 }
        if cipher.contains("128") { return 128 }
        return 256
    }

    static func rfc5322Date(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "%a, %d %b %Y %H:%M:%S +0000", &parts)
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
