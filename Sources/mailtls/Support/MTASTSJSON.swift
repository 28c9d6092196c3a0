import MailTLS

/// `mta-sts policy --json` and `mta-sts change --json`: the written file and what to publish,
/// for scripts that put the record into a zone themselves.
struct MTASTSPublicationJSON: Encodable {
    var file: String
    /// `written`, `unchanged` or `replaced`.
    var outcome: String
    /// The old policy's dated copy, when one was replaced.
    var backup: String?
    var id: String
    var mode: String
    var maxAge: Int
    var mx: [String]
    /// Where the file must be served: `https://mta-sts.D/.well-known/mta-sts.txt`.
    var url: String
    var policyHost: String
    /// `_mta-sts.D`, `v=STSv1; id=…`, and the zone-file line.
    var recordName: String
    var recordText: String
    var record: String

    init(_ publication: STSPublication, outcome: STSPolicyFile.Outcome, path: String) {
        file = path
        switch outcome {
        case .written: self.outcome = "written"
        case .unchanged: self.outcome = "unchanged"
        case .replaced(let backup):
            self.outcome = "replaced"
            self.backup = backup
        }
        id = publication.id
        mode = publication.policy.mode.rawValue
        maxAge = publication.policy.maxAge
        mx = publication.policy.mx
        url = publication.url
        policyHost = publication.policyHost
        recordName = publication.recordName
        recordText = publication.recordText
        record = publication.recordLine()
    }
}

/// `mta-sts change --json`: the step taken or due, as `change` prints it.
struct MTASTSChangeJSON: Encodable {
    /// `nothing`, `mode`, `widen`, `wait`, `move-mx` or `narrow`.
    var step: String
    /// The policy written by this step (mode, widen, narrow).
    var published: MTASTSPublicationJSON?
    /// Until when senders may hold the old policy (widen, wait).
    var waitUntil: String?
    /// MX records to add and remove now (move-mx).
    var addMXRecords: [String]?
    var removeMXRecords: [String]?
    /// The command that takes the next step, when there is one.
    var next: String?
}
