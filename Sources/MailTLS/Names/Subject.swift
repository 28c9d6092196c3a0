import X509

/// A certificate subject as the admin wrote it: relative distinguished names in encoding
/// order (country first, as `openssl req -subj` takes them), each one or more fields.
public struct Subject: Equatable, Sendable {
    public struct Field: Equatable, Sendable {
        public var attribute: SubjectAttribute
        public var value: String

        public init(_ attribute: SubjectAttribute, _ value: String) {
            self.attribute = attribute
            self.value = value
        }
    }

    /// RDNs in encoding order; an RDN with several fields is a multi-valued RDN (`CN=a+OU=b`).
    public var rdns: [[Field]]

    public init(rdns: [[Field]]) {
        self.rdns = rdns
    }

    /// A subject of single-field RDNs, in the order given.
    public init(fields: [Field]) {
        self.rdns = fields.map { [$0] }
    }

    public var fields: [Field] { rdns.flatMap { $0 } }

    /// The (last) Common Name, which is the one clients used to read.
    public var commonName: String? {
        fields.last { $0.attribute.shortName == "CN" }?.value
    }

    public func value(of shortName: String) -> String? {
        fields.last { $0.attribute.shortName == shortName }?.value
    }

    /// The subject as an X.509 name, each value in the string type OpenSSL would use.
    public func distinguishedName() throws -> DistinguishedName {
        var rdnList: [RelativeDistinguishedName] = []
        for rdn in rdns {
            var attributes: [RelativeDistinguishedName.Attribute] = []
            for field in rdn {
                switch field.attribute.encoding {
                case .utf8:
                    attributes.append(.init(type: field.attribute.oid, utf8String: field.value))
                case .printable:
                    attributes.append(try .init(type: field.attribute.oid, printableString: field.value))
                case .ia5:
                    attributes.append(try .init(type: field.attribute.oid, ia5String: field.value))
                }
            }
            rdnList.append(RelativeDistinguishedName(attributes))
        }
        return DistinguishedName(rdnList)
    }

    /// `/C=US/O=Example/CN=mail.example.org`, the form `openssl req -subj` and `mailtls --subject` take.
    public var slashForm: String {
        rdns.map { rdn in
            "/" + rdn.map { "\($0.attribute.shortName)=\($0.value.replacingSpecials("/+\\"))" }.joined(separator: "+")
        }.joined()
    }
}
