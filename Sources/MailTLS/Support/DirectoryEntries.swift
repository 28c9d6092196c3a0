/// Reading a directory's entries: the one `readdir` loop of mailtls.
public enum DirectoryEntries {
    /// One entry: its name and `d_type` (`DT_UNKNOWN` on file systems that do not say).
    public struct Entry: Sendable {
        public var name: String
        public var type: UInt8
    }

    /// The entries of an open directory stream, without `.` and `..`.
    static func read(_ handle: OpaquePointer) -> [Entry] {
        var entries: [Entry] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name == "." || name == ".." { continue }
            entries.append(Entry(name: name, type: entry.pointee.d_type))
        }
        return entries
    }

    /// The names in the directory at `path`; nil when it cannot be opened.
    public static func names(in path: String) -> [String]? {
        guard let handle = opendir(path) else { return nil }
        defer { closedir(handle) }
        return read(handle).map(\.name)
    }
}
