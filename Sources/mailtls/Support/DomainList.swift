import MailTLS
#if canImport(Glibc)
import Glibc
#endif

/// The domains of `audit`: the arguments, or a file (`-`: stdin) read one line at a time as
/// the audit asks for the next, so a list of a million names is never held in memory. Blank
/// lines and `#` comments are skipped.
struct DomainList: AsyncSequence, Sendable {
    typealias Element = String
    private let names: [String]
    private let path: String?

    init(names: [String]) {
        self.names = names
        path = nil
    }

    init(path: String) {
        names = []
        self.path = path
    }

    func makeAsyncIterator() -> Iterator { Iterator(names: names, path: path) }

    struct Iterator: AsyncIteratorProtocol {
        private var names: IndexingIterator<[String]>
        private let path: String?
        private var file: UnsafeMutablePointer<FILE>?
        private var opened = false

        init(names: [String], path: String?) {
            self.names = names.makeIterator()
            self.path = path
        }

        mutating func next() async throws -> String? {
            guard let path else { return names.next() }
            if !opened {
                opened = true
                // stdin through its own FILE: glibc's `stdin` global is shared mutable state to Swift 6.
                file = path == "-" ? fdopen(0, "r") : fopen(path, "r")
                if file == nil {
                    throw MailTLSError(path, "cannot be read: \(String(cString: strerror(errno)))", remedy: "give a file with one domain per line")
                }
            }
            guard let file else { return nil }
            var line: UnsafeMutablePointer<CChar>?
            var capacity = 0
            defer { free(line) }
            while getline(&line, &capacity, file) >= 0, let line {
                let text = String(cString: line).trimmingNewlines()
                if !text.isEmpty, !text.hasPrefix("#") { return text }
            }
            if path != "-" { fclose(file) }
            self.file = nil
            return nil
        }
    }
}

private extension String {
    func trimmingNewlines() -> String {
        var text = Substring(self)
        while let last = text.last, last == "\n" || last == "\r" || last == "\r\n" { text = text.dropLast() }
        return String(text).trimmingSpacesAndTabs()
    }
}
