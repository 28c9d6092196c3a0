/// File names for certificates split out of a bundle or added to a CA directory:
/// readable (from the subject), unique and stable (the start of the SHA-256
/// fingerprint), and safe (no `/`, no leading dot, nothing a shell trips over).
///
/// `ISRG Root X1` becomes `ISRG_Root_X1_96bcec06.pem`: the same certificate always gets
/// the same name, so splitting a newer bundle into the same directory adds only what is new.
public enum TrustFileNaming {
    public static func fileName(for object: TrustObject) -> String {
        let label = safeLabel(NameText.shortLabel(nameDER: object.nameDER))
        let suffix = object.kind == .certificate ? "pem" : "crl"
        return "\(label)_\(Hex.lower(object.sha256.prefix(4))).\(suffix)"
    }

    /// Letters and digits kept (any script), `.`/`-` kept inside, everything else one `_`.
    static func safeLabel(_ text: String) -> String {
        var out = ""
        var lastWasUnderscore = false
        for character in text {
            if character.isLetter || character.isNumber || ((character == "-" || character == ".") && !out.isEmpty) {
                out.append(character)
                lastWasUnderscore = false
            } else if !lastWasUnderscore && !out.isEmpty {
                out.append("_")
                lastWasUnderscore = true
            }
        }
        while out.last == "_" || out.last == "." || out.last == "-" { out.removeLast() }
        if out.count > 64 { out = String(out.prefix(64)) }
        return out.isEmpty ? "certificate" : out
    }
}
