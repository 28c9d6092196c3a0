import ArgumentParser
import MailTLS
import MailTLSAudit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct MTASTSChangeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "change",
        abstract: "Change the policy safely: the mode, or the MX hosts in steps (widen, wait, move MX, narrow).",
        discussion: """
        Senders keep a policy up to its max_age, so a new MX host must be in the published policy a full max_age before it receives mail. Run the same command again at each step; it says which one is due:
          1. widen: the new mx line joins the old ones (new id); publish
          2. wait the old policy's max_age (from the file's modification time)
          3. change the MX records (add the new host, remove the old one)
          4. narrow: the old host's mx line goes (new id); publish
        --mode enforce (from testing) is one step, refused while an MX host is uncovered.
        """
    )
    @Option(name: .long, help: "The mail domain.") var domain: String
    @Option(name: .long, help: "The policy file (written by mailtls mta-sts policy).") var policy: String = "mta-sts.txt"
    @Option(name: .customLong("add-mx"), parsing: .singleValue, help: "An MX pattern to add; repeatable.") var addMX: [String] = []
    @Option(name: .customLong("remove-mx"), parsing: .singleValue, help: "An MX pattern to remove; repeatable.") var removeMX: [String] = []
    @Option(name: .long, help: "The new mode: testing, enforce or none.") var mode: STSPolicy.Mode?
    @OptionGroup var network: MTASTSNetworkOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        try usageCheck {
            if addMX.isEmpty, removeMX.isEmpty, mode == nil {
                throw MailTLSError("mta-sts change", "nothing to change", remedy: "give --mode, or --add-mx / --remove-mx")
            }
            try STSPolicyDraft.checkOptions(patterns: addMX + removeMX, maxAge: 0)
        }
    }

    func run() async throws {
        try await reportingFailuresAsync {
            let current = try STSPolicyFile.read(policy)
            let lookup = await STSMXLookup.hosts(of: domain, resolver: try network.resolver())
            let mxHosts = try? lookup.get()
            if case .failure(let error) = lookup {
                FindingPrinter.printRemarks([Finding(.warning, domain, "the MX records could not be looked up (\(error.problem)), so the change is not checked against them",
                                                     fix: "give a working resolver with --nameserver", rule: "mta-sts-mx")])
            }
            let request = STSChange.Request(domain: domain, current: current, add: addMX, remove: removeMX, mode: mode, mxHosts: mxHosts)
            let again = "mailtls mta-sts change --domain \(domain) --policy \(policy)"
                + addMX.map { " --add-mx \(Self.quoted($0))" }.joined() + removeMX.map { " --remove-mx \(Self.quoted($0))" }.joined()
            let step = try STSChange.next(request)
            let written = try step.publication.map { ($0, try STSPolicyFile.write($0, to: policy, force: true)) }
            if output.json {
                return try JSONOutput.print(json(step, written: written, again: again))
            }
            func printWritten() {
                if let (publication, outcome) = written { MTASTSText.printPublication(publication, outcome: outcome, path: policy) }
            }
            switch step {
            case .nothing:
                print("; \(policy) already is as asked (id \(current.id)); nothing to change")
            case .mode(let publication):
                print("; mode \(current.reading.policy?.mode.rawValue ?? "?") -> \(publication.policy.mode.rawValue)")
                printWritten()
            case .widen(let publication, let until):
                print("; step 1 of 4 (widen): the policy now allows \(addMX.joined(separator: ", ")) beside the old hosts")
                printWritten()
                print("; step 2: senders may keep the old policy until \(UTCTimestamp.readable(until)) (its max_age, \(Duration.words(publication.policy.maxAge)))")
                print(";   do not let \(addMX.joined(separator: ", ")) receive mail before then; afterwards run: \(again)")
            case .waiting(let until):
                print("; step 2 of 4 (wait): \(policy) was widened on \(UTCTimestamp.readable(current.modified)); senders may hold the old policy until \(UTCTimestamp.readable(until))")
                print(";   publish it if not done yet (mailtls mta-sts check \(domain) --policy \(policy)); then run again: \(again)")
            case .moveMX(let add, let remove):
                print(addMX.isEmpty ? "; first change the MX records of \(domain); the policy keeps the hosts until they are no MX hosts:"
                                    : "; step 3 of 4 (move MX): the widened policy has been out for a full max_age; now change the MX records of \(domain):")
                for host in add { print(";   add an MX record for \(host)") }
                for host in remove { print(";   remove the MX record of \(host) (it is still an MX host)") }
                print(";   then, once the MX TTL has passed, run again: \(again)")
            case .narrow:
                print("; \(addMX.isEmpty ? "" : "step 4 of 4 (narrow): ")\(removeMX.joined(separator: ", ")) no longer receive\(removeMX.count == 1 ? "s" : "") mail as MX and leave\(removeMX.count == 1 ? "s" : "") the policy")
                printWritten()
            }
        }
    }

    /// The step as `--json` gives it.
    func json(_ step: STSChange.Step, written: (STSPublication, STSPolicyFile.Outcome)?, again: String) -> MTASTSChangeJSON {
        let published = written.map { MTASTSPublicationJSON($0.0, outcome: $0.1, path: policy) }
        switch step {
        case .nothing: return MTASTSChangeJSON(step: "nothing")
        case .mode: return MTASTSChangeJSON(step: "mode", published: published)
        case .widen(_, let until):
            return MTASTSChangeJSON(step: "widen", published: published, waitUntil: UTCTimestamp.iso8601(until), next: again)
        case .waiting(let until): return MTASTSChangeJSON(step: "wait", waitUntil: UTCTimestamp.iso8601(until), next: again)
        case .moveMX(let add, let remove): return MTASTSChangeJSON(step: "move-mx", addMXRecords: add, removeMXRecords: remove, next: again)
        case .narrow: return MTASTSChangeJSON(step: "narrow", published: published)
        }
    }

    /// A pattern as the shell needs it: `'*.example.org'`, `mx1.example.org`.
    static func quoted(_ pattern: String) -> String { pattern.hasPrefix("*") ? "'\(pattern)'" : pattern }
}
