/// The subject to suggest when none is given: the one the current certificate or request
/// already has (a renewal normally keeps it), else just this host's name as CN.
public enum SubjectDefaults {
    public static func suggested(for layout: CertsLayout, hostName: String) -> Subject {
        let candidates = [layout.certificatePath, layout.requestPath,
                          layout.with(stem: "host").certificatePath, layout.with(stem: "host").requestPath]
        for path in candidates where FileReading.exists(path) {
            guard let file = try? MaterialFile.load(path) else { continue }
            let name = file.certificates.first?.certificate.subject ?? (try? file.request().request.subject)
            if let name, let subject = try? SubjectParser.parse(NameFormatter.slashForm(name)) {
                return subject
            }
        }
        return Subject(fields: [Subject.Field(SubjectAttribute.commonName, hostName)])
    }
}
