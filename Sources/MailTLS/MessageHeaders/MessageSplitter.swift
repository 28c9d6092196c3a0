/// Splits input into messages (the lines of each, line endings removed): an mbox at its
/// `From ` lines (at the start, or after an empty line), anything else as one message.
enum MessageSplitter {
    static func messages(in bytes: [UInt8]) -> [[ArraySlice<UInt8>]] {
        let lines = splitLines(bytes)
        let isMbox = lines.first.map(isFromLine) ?? false
        guard isMbox else { return [lines] }
        var messages: [[ArraySlice<UInt8>]] = []
        var current: [ArraySlice<UInt8>] = []
        var previousEmpty = true
        for line in lines {
            if previousEmpty && isFromLine(line) {
                if !current.isEmpty || !messages.isEmpty { messages.append(current) }
                current = []
            } else {
                current.append(line)
            }
            previousEmpty = line.isEmpty
        }
        messages.append(current)
        return messages
    }

    static func isFromLine(_ line: ArraySlice<UInt8>) -> Bool {
        line.starts(with: Array("From ".utf8))
    }

    /// Lines without their LF or CRLF.
    static func splitLines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        var start = bytes.startIndex
        for index in bytes.indices where bytes[index] == 0x0A {
            var end = index
            if end > start && bytes[end - 1] == 0x0D { end -= 1 }
            lines.append(bytes[start..<end])
            start = index + 1
        }
        if start < bytes.endIndex { lines.append(bytes[start..<bytes.endIndex]) }
        return lines
    }
}
