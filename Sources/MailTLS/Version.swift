/// The version `mailtls --version` prints, and the versions of the libraries that do its
/// cryptography, so an admin (or a bug report) can tell which TLS code a binary carries.
///
/// The library versions are constants, kept true by `VersionTests`: each must equal the version
/// pinned in `Package.resolved`, and each BoringSSL revision the one in the checked-out
/// package's `hash.txt`. A dependency update that forgets this file fails that test.
public enum MailTLSVersion {
    /// mailtls's own version.
    public static let string = "0.1.0"

    /// A library linked into mailtls: its package, the version resolved for this build, and the
    /// BoringSSL revision it vendors (swift-crypto and swift-nio-ssl each carry their own copy).
    public struct Component: Sendable, Equatable {
        public let package: String
        public let version: String
        public let boringSSL: String?
    }

    /// The crypto stack, from certificates down to BoringSSL.
    public static let components: [Component] = [
        Component(package: "swift-certificates", version: "1.21.1", boringSSL: nil),
        Component(package: "swift-asn1", version: "1.7.4", boringSSL: nil),
        Component(package: "swift-crypto", version: "4.5.2",
                  boringSSL: "0226f30467f540a3f62ef48d453f93927da199b6"),
        Component(package: "swift-nio-ssl", version: "2.37.6",
                  boringSSL: "8eb25be6fa18d475291122887a7bccd3762ff236"),
    ]

    /// What `mailtls --version` prints: `mailtls 0.1.0`, then one line per component, e.g.
    /// `swift-crypto 4.5.2 (BoringSSL 0226f30467f5)`.
    public static var text: String {
        var lines = ["mailtls \(string)"]
        for component in components {
            var line = "\(component.package) \(component.version)"
            if let revision = component.boringSSL { line += " (BoringSSL \(revision.prefix(12)))" }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}
