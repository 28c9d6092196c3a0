#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Where output goes, and whether a person is there to answer prompts.
enum Terminal {
    static var stdinIsTerminal: Bool { isatty(0) == 1 }

    /// Writes one line to stderr (unbuffered, so it never interleaves oddly with stdout).
    static func error(_ line: String) {
        fflush(nil)
        let text = line.hasSuffix("\n") ? line : line + "\n"
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
    }

    /// Prints `prompt` without a newline and reads one answer; nil at end of input.
    static func ask(_ prompt: String) -> String? {
        print(prompt, terminator: "")
        fflush(nil)
        return readLine(strippingNewline: true)
    }

    /// Rewrites one status line on stderr (only call when stderr is a terminal).
    static func progress(_ text: String) {
        var bytes = Array(("\r\u{1B}[K" + text).utf8)
        _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
    }
}
