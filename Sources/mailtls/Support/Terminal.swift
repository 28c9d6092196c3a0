#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Where output goes, and whether a person is there to answer prompts.
enum Terminal {
    static var stdinIsTerminal: Bool { isatty(0) == 1 }

    static func error(_ line: String) {
        var text = line
        if !text.hasSuffix("\n") { text += "\n" }
        fputs(text, stderr)
    }

    /// Prints `prompt` without a newline and reads one answer; nil at end of input.
    static func ask(_ prompt: String) -> String? {
        fputs(prompt, stdout)
        fflush(stdout)
        return readLine(strippingNewline: true)
    }
}
