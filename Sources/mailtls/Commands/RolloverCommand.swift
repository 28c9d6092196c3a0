import ArgumentParser
import MailTLS

struct RolloverCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollover",
        abstract: "Change the server key without breaking DANE: plan, next, finish.",
        discussion: """
        A DANE 3 1 1 record names the server's key, so a new key needs its record
        published before the MTA uses it, and the old record removed only afterwards:
          1. mailtls rollover plan --ttl 3600
             makes next.key, prints current + next records; publish both
          2. mailtls rollover next --records dns [--self]
             checks next.key's record is in DNS, DNSSEC-validated, and 2 x TTL
             have passed; gets next.key a certificate and promotes it (host.*
             kept as dated backups); restart or reload the MTA
          3. mailtls rollover finish
             prints the record set without the old key
        Step 2 asks the validating resolver (--nameserver), or checks the records
        you give it (--records FILE or -: dig +short, or the zone file).
        Renewals that keep the key (csr --file new + promote, ca renew) need no
        rollover.
        """,
        subcommands: [Plan.self, Next.self, Finish.self]
    )

    /// Options every step shares.
    struct Common: ParsableArguments {
        @Option(name: .long, help: "The certs directory.") var dir: String = "."
        @Option(name: .long, help: "The mail server's host name, for the owner name (default: this machine's).") var host: String?
        @Option(name: .long, help: "The TCP port, for the owner name.") var port = 25
        @Option(name: .long, help: "Matching type of the records: 1 (SHA-256) or 2 (SHA-512).") var match: UInt8 = 1
        @Option(name: .long, help: "rfc, generic or json.") var format: TLSAFormat = .rfc

        func validate() throws {
            guard match == 1 || match == 2 else { throw ValidationError("--match \(match): a rollover publishes 3 1 1 (SHA-256) or 3 1 2 (SHA-512) records") }
            guard (1...65535).contains(port) else { throw ValidationError("--port \(port): give a TCP port from 1 to 65535") }
        }

        func options(ttl: Int = 3600) -> Rollover.Options {
            Rollover.Options(directory: dir, host: host ?? HostName.fullyQualified(), port: port, ttl: ttl,
                             matchingType: .init(rawValue: match))
        }

        /// The record lines of a set, each with its role as a zone-file comment.
        func print(_ set: Rollover.RecordSet) {
            for item in set.items { Swift.print("\(format.line(item.record, owner: set.owner))  ; \(item.role)") }
        }

        func json(_ set: Rollover.RecordSet) -> [TLSAJSONRecord] {
            set.items.map { TLSAJSONRecord($0.record, owner: set.owner, source: $0.role) }
        }
    }

    struct Plan: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make next.key and print the TLSA records to publish (current and next key).",
            discussion: """
            next.key is made 0600, of the same type as host.key unless --algorithm is given. Running
            plan again reuses next.key and prints the same records; --force makes a new one
            (the old next.key is kept as a dated backup).
            """
        )
        @OptionGroup var common: Common
        @Option(name: .long, help: "The TTL of the TLSA records, in seconds: the wait is at least twice this.") var ttl = 3600
        @Option(name: .long, help: "The next key's type: rsa, ecdsa-p256, ecdsa-p384 or ed25519 (default: as host.key).") var algorithm: KeyAlgorithm?
        @Option(name: .long, help: "RSA key size, with --algorithm rsa.") var bits = 2048
        @Flag(name: .long, help: "Replace an existing next.key.") var force = false

        func validate() throws {
            try usageCheck { try Rollover.checkTTL(ttl) }
        }

        struct JSON: Encodable {
            var nextKey: String
            var madeKey: Bool
            var publish: [TLSAJSONRecord]
            var waitSeconds: Int
        }

        func run() throws {
            try reportingFailures {
                let options = common.options(ttl: ttl)
                let keyOptions = algorithm.map { KeyOptions(algorithm: $0, bits: bits) }
                let result = try Rollover.plan(options, keyOptions: keyOptions, force: force)
                let nextPath = CertsLayout(directory: common.dir, stem: Rollover.nextStem).keyPath
                if common.format == .json {
                    return try JSONOutput.print(JSON(nextKey: nextPath, madeKey: result.written != nil,
                                                     publish: common.json(result.publish), waitSeconds: result.waitSeconds))
                }
                if let written = result.written {
                    print("; wrote key: \(written.path) (\(result.nextKeyDescription), mode 0600)")
                    if let backup = written.backup { print(";   kept the old next key as \(backup)") }
                } else {
                    print("; using the existing \(nextPath) (\(result.nextKeyDescription)); --force makes a new one")
                }
                print("; publish both records (the current and the next key) at \(result.publish.owner)")
                common.print(result.publish)
                print("; then wait at least \(Duration.words(result.waitSeconds)) (2 x TTL \(ttl) s) and run:")
                print(";   mailtls rollover next --records dns [--self]   (or --records FILE: the records as published)")
            }
        }
    }

    struct Next: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check next.key's record is published, give next.key a certificate and put it in service.",
            discussion: """
            With --records dns the records are looked up at _PORT._tcp.HOST through the validating resolver (--nameserver; CNAMEs followed as RFC 7672 says): next.key's record must be there, DNSSEC-validated, and 2 x the records' TTL must have passed since plan made next.key. Otherwise the records come from --records FILE, or standard input: zone-file lines, TYPE52 lines, or dig +short output. The certificate for next.key is next.cert when the CA has returned it; with --self a self-signed one is made; otherwise next.csr is written (with host.cert's subject and names) and next stops until next.cert is there. Then next.* replaces host.*, which is kept as host.key.<UTC time> etc.
            """
        )
        @OptionGroup var common: Common
        @Option(name: .long, help: "The TLSA records as published: dns (looked up through the validating resolver), a file, or - (default: standard input).") var records: String?
        @Option(name: .long, help: "With --records dns: the validating resolver to ask, HOST[:PORT] (default: /etc/resolv.conf's first).") var nameserver: String?
        @Flag(name: .customLong("self"), help: "Make a self-signed certificate for next.key.") var selfSigned = false
        @Option(name: .long, help: "Days the self-signed certificate is valid.") var days = 365

        func validate() throws {
            if records == nil || records == "-", Terminal.stdinIsTerminal {
                try usageCheck {
                    throw MailTLSError("--records", "not given, and standard input is a terminal",
                                       remedy: "look them up with --records dns, give --records FILE, or pipe dig +short TLSA \(common.options().owner) into it")
                }
            }
            if records != "dns", nameserver != nil { throw ValidationError("--nameserver goes with --records dns") }
            try usageCheck { _ = try nameserver.map { try DNSServerAddress(parsing: $0) } }
            if selfSigned { try usageCheck { try SelfSigner.checkDays(days) } }
        }

        struct JSON: Encodable {
            var nextRecord: TLSAJSONRecord
            var publishedIn: String
            /// --records dns: the TTL, when the switch became safe, the current key's record.
            var ttl: Int?
            var safeFrom: String?
            var currentRecordPublished: Bool?
            /// `--records dns`: the resolver's warnings (not on loopback).
            var resolverWarnings: [Finding]
            var written: [WrittenFile]
            var promoted: Bool
            var moves: [Promotion.Move]
            var backups: [String]
        }

        func run() async throws {
            try await reportingFailuresAsync {
                let options = common.options()
                let source: any TLSARecordSource
                if records == "dns" {
                    source = DNSTLSASource(resolver: DNSResolver(nameserver: try nameserver.map { try DNSServerAddress(parsing: $0) }))
                } else if let records, records != "-" {
                    source = try TLSAFileSource(path: records)
                } else {
                    source = try TLSAFileSource.standardInput()
                }
                let published = try await source.published(host: options.host, port: options.port)
                FindingPrinter.printRemarks(published.resolverWarnings)
                // From DNS: validated, with a TTL; the wait since plan must be over.
                let publication = records == "dns" ? try Rollover.checkPublication(options, published: published) : nil
                let result = try Rollover.next(options, published: published.records, publishedSource: published.origin,
                                               issuing: selfSigned ? .selfSigned(days: days) : .request)
                if common.format == .json {
                    return try JSONOutput.print(JSON(nextRecord: TLSAJSONRecord(result.nextRecord, owner: options.owner), publishedIn: published.origin,
                                                     ttl: publication?.ttl, safeFrom: publication.map { UTCTimestamp.iso8601($0.safeFrom) },
                                                     currentRecordPublished: publication?.currentPublished,
                                                     resolverWarnings: published.resolverWarnings,
                                                     written: result.written, promoted: result.promotion != nil,
                                                     moves: result.promotion?.moves ?? [], backups: result.promotion?.backups ?? []))
                }
                print("next.key's record \(result.nextRecord.parameters) is published (\(published.origin))")
                if let publication {
                    print("the switch is safe since \(UTCTimestamp.readable(publication.safeFrom)): 2 x TTL (\(publication.ttl) s) after plan made next.key (\(UTCTimestamp.readable(publication.nextKeyMade)))")
                    if !publication.currentPublished {
                        print("warning: the current key's record is no longer published: DANE senders defer mail to this server until the MTA uses the new key")
                    }
                }
                Report.written(result.written)
                guard let promotion = result.promotion else {
                    let request = CertsLayout(directory: common.dir, stem: Rollover.nextStem)
                    print("next: have \(request.requestPath) signed (mailtls ca sign \(request.requestPath), or your CA),")
                    print("      put the certificate in \(request.certificatePath), and run mailtls rollover next again")
                    return
                }
                for backup in promotion.backups { print("kept \(backup)") }
                for move in promotion.moves { print("moved \(move.from) -> \(move.to)") }
                if let end = result.notValidAfter { print("valid until \(UTCTimestamp.readable(end))") }
                print("next: restart or reload the MTA; once it serves the new key, run mailtls rollover finish")
            }
        }
    }

    struct Finish: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the TLSA record set without the old key, to publish once the MTA uses the new one.",
            discussion: """
            The old key's record is found from the newest host.key.<UTC time> backup that
            rollover next kept, and printed as a comment: remove it from the zone.
            """
        )
        @OptionGroup var common: Common

        struct JSON: Encodable {
            var publish: [TLSAJSONRecord]
            var remove: [TLSAJSONRecord]
        }

        func run() throws {
            try reportingFailures {
                let options = common.options()
                let result = try Rollover.finish(options)
                if common.format == .json {
                    return try JSONOutput.print(JSON(publish: common.json(result.publish),
                                                     remove: result.remove.map { TLSAJSONRecord($0, owner: options.owner, source: result.oldKeyBackup) }))
                }
                print("; publish only the record of the key in service at \(result.publish.owner)")
                common.print(result.publish)
                for old in result.remove {
                    print("; and remove the old key's record (\(result.oldKeyBackup ?? "old key")):")
                    print(";   \(common.format.line(old, owner: options.owner))")
                }
            }
        }
    }
}

/// A wait in words: `2 hours`, `90 minutes`, `2 days`.
enum Duration {
    static func words(_ seconds: Int) -> String {
        func unit(_ value: Int, _ name: String) -> String { "\(value) \(name)\(value == 1 ? "" : "s")" }
        if seconds % 86_400 == 0 { return unit(seconds / 86_400, "day") }
        if seconds % 3600 == 0 { return unit(seconds / 3600, "hour") }
        if seconds % 60 == 0 { return unit(seconds / 60, "minute") }
        return unit(seconds, "second")
    }
}
