/// This machine's fully qualified name: the default Common Name, as a mail server's
/// certificate must name the host that peers connect to.
public enum HostName {
    public static func fullyQualified() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let short = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if short.contains(".") { return short.lowercased() }
        var hints = addrinfo()
        hints.ai_flags = AI_CANONNAME
        hints.ai_family = AF_UNSPEC
        var result: UnsafeMutablePointer<addrinfo>?
        defer { if result != nil { freeaddrinfo(result) } }
        if getaddrinfo(short, nil, &hints, &result) == 0, let info = result, let canonical = info.pointee.ai_canonname {
            let name = String(cString: canonical)
            if name.contains(".") { return name.lowercased() }
        }
        return short.isEmpty ? "localhost" : short.lowercased()
    }
}
