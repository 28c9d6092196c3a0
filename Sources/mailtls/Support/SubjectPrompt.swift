import MailTLS

/// Decides the subject for `csr` and `self`: `--subject` if given; otherwise, on a terminal,
/// asks field by field the way `openssl req` does (defaults in brackets, Enter keeps the
/// default, `.` leaves the field out); otherwise (cron, scripts, `--batch`) the default.
enum SubjectPrompt {
    static func resolve(_ options: SubjectOptions, layout: CertsLayout) throws -> Subject {
        if let text = options.subject { return try SubjectParser.parse(text) }
        let suggested = SubjectDefaults.suggested(for: layout, hostName: HostName.fullyQualified())
        if options.batch || !Terminal.stdinIsTerminal {
            if !options.batch { Terminal.error("mailtls: no terminal to ask on; using subject \(suggested.slashForm) (give --subject to choose)") }
            return suggested
        }
        return try ask(suggested: suggested)
    }

    static func ask(suggested: Subject) throws -> Subject {
        print("""
        You are about to be asked for the information that goes into the certificate's subject.
        Press Enter to keep the value in brackets; enter '.' to leave a field out.
        -----
        """)
        var fields: [Subject.Field] = []
        for attribute in SubjectAttribute.prompted {
            let fallback = suggested.value(of: attribute.shortName) ?? ""
            while true {
                guard let answer = Terminal.ask("\(attribute.prompt) [\(fallback)]:") else {
                    throw MailTLSError("subject", "input ended before all fields were answered", remedy: "give --subject instead")
                }
                let trimmed = answer.trimmingSpacesAndTabs()
                let value = trimmed.isEmpty ? fallback : (trimmed == "." ? "" : trimmed)
                if value.isEmpty { break }
                do {
                    fields.append(Subject.Field(attribute, try attribute.validated(value)))
                    break
                } catch let error as MailTLSError {
                    Terminal.error("  \(error.problem); \(error.remedy)")
                }
            }
        }
        guard !fields.isEmpty else {
            throw MailTLSError("subject", "every field was left out", remedy: "give at least a Common Name")
        }
        return Subject(fields: fields)
    }
}

extension String {
    func trimmingSpacesAndTabs() -> String {
        var text = Substring(self)
        while text.first == " " || text.first == "\t" { text = text.dropFirst() }
        while text.last == " " || text.last == "\t" { text = text.dropLast() }
        return String(text)
    }
}
