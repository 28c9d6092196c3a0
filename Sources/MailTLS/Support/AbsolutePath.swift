/// Absolute paths for configuration lines: an MTA does not run in the admin's directory.
public enum AbsolutePath {
    public static func of(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return path }
        let cwd = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let relative = path == "." ? "" : (path.hasPrefix("./") ? String(path.dropFirst(2)) : path)
        return relative.isEmpty ? cwd : Paths.join(cwd, relative)
    }
}
