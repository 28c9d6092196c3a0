/// Cuts one unfolded Received header value into words and comments (RFC 5322 `CFWS`), so
/// that the clause reader and the MTA dialects only ever see whole tokens.
enum ReceivedTokenizer {
    enum Token: Equatable {
        case word(String)
        case comment(String)
    }

    /// The text with every run of whitespace (folding included) as one space, and none at
    /// either end.
    static func collapsingWhitespace(_ text: String) -> String {
        var result = ""
        var pendingSpace = false
        for character in text {
            if character == " " || character == "\t" || character == "\r" || character == "\n" || character == "\r\n" {
                pendingSpace = !result.isEmpty
            } else {
                if pendingSpace { result.append(" ") }
                pendingSpace = false
                result.append(character)
            }
        }
        return result
    }

    /// Words, quoted strings and (nested) comments of a collapsed text; the text after the
    /// last top-level `;` is the date.
    static func tokenize(_ text: String) -> ([Token], String?) {
        let characters = Array(text)
        var tokens: [Token] = []
        var dateCut: (tokenCount: Int, characterIndex: Int)?
        var index = 0
        while index < characters.count {
            let character = characters[index]
            switch character {
            case " ":
                index += 1
            case "(":
                var depth = 1
                var inner = ""
                index += 1
                while index < characters.count {
                    let next = characters[index]
                    if next == "\\", index + 1 < characters.count {
                        inner.append(characters[index + 1])
                        index += 2
                        continue
                    }
                    if next == "(" { depth += 1 }
                    if next == ")" {
                        depth -= 1
                        if depth == 0 { index += 1; break }
                    }
                    inner.append(next)
                    index += 1
                }
                tokens.append(.comment(inner))
            case ";":
                dateCut = (tokens.count, index + 1)
                index += 1
            case "\"":
                var word = ""
                index += 1
                while index < characters.count, characters[index] != "\"" {
                    if characters[index] == "\\", index + 1 < characters.count { index += 1 }
                    word.append(characters[index])
                    index += 1
                }
                index += 1
                tokens.append(.word(word))
            default:
                var word = ""
                while index < characters.count, !" (;".contains(characters[index]) {
                    word.append(characters[index])
                    index += 1
                }
                tokens.append(.word(word))
            }
        }
        guard let cut = dateCut else { return (tokens, nil) }
        let date = String(characters[cut.characterIndex...]).trimmingSpacesOnly()
        return (Array(tokens[..<cut.tokenCount]), date.isEmpty ? nil : date)
    }

    /// The number a text starts with (`256` of `256/256`), nil when it starts with none.
    static func leadingNumber(_ text: String) -> Int? {
        Int(String(text.prefix(while: \.isNumber)))
    }

    /// The text inside the double quotes that follow `marker`.
    static func quoted(after marker: String, in text: String) -> String? {
        guard let range = text.firstRange(of: marker) else { return nil }
        let rest = text[range.upperBound...]
        guard rest.first == "\"" else { return nil }
        var value = ""
        var index = rest.index(after: rest.startIndex)
        while index < rest.endIndex, rest[index] != "\"" {
            if rest[index] == "\\" {
                index = rest.index(after: index)
                if index == rest.endIndex { break }
            }
            value.append(rest[index])
            index = rest.index(after: index)
        }
        return value
    }
}

fileprivate extension String {
    /// Without leading and trailing spaces (the text has been collapsed already).
    func trimmingSpacesOnly() -> String {
        var text = Substring(self)
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return String(text)
    }
}
