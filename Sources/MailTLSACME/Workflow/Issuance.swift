import Foundation
import MailTLS
import X509

/// `mailtls acme issue` and the work of `acme renew`: a certificate from an ACME CA for the
/// key the server already has, deployed into the certs directory the way `promote` does it.
///
/// Nothing in service changes until the new chain is in hand and checked: the certificate
/// and its chain are first written to `acme/pending/`, then moved into place with dated
/// backups under the directory lock (`Promotion`). A failure anywhere before that leaves
/// the old certificate untouched.
public enum Issuance {
    public struct Options: Sendable {
        public var certsDirectory: String
        /// The names to certify; the first is the subject's Common Name.
        public var names: [String]
        public var challenge: ChallengeMethod
        /// `host` (use host.key) or `new` (use new.key, promote new.* like `mailtls promote`).
        public var keyStem: String
        /// Make a new key on purpose (it replaces host.key, kept as a dated backup).
        public var rekey: Bool
        /// The kind of key made by `--rekey`, or when the directory has no key yet.
        public var keyOptions: KeyOptions
        public var server: ACMEServer
        public var email: String?
        public var agreeToTerms: Bool
        public var deployHook: String?
        /// The whole run's limit, in seconds (cron must never hang).
        public var timeout: Double
        /// Replace an existing new.cert (with `keyStem` new).
        public var force: Bool

        public init(certsDirectory: String, names: [String], challenge: ChallengeMethod, keyStem: String = "host",
                    rekey: Bool = false, keyOptions: KeyOptions = KeyOptions(), server: ACMEServer, email: String? = nil,
                    agreeToTerms: Bool = false, deployHook: String? = nil, timeout: Double = 300, force: Bool = false) {
            self.certsDirectory = certsDirectory
            self.names = names
            self.challenge = challenge
            self.keyStem = keyStem
            self.rekey = rekey
            self.keyOptions = keyOptions
            self.server = server
            self.email = email
            self.agreeToTerms = agreeToTerms
            self.deployHook = deployHook
            self.timeout = timeout
            self.force = force
        }
    }

    public struct Outcome: Sendable {
        public var names: [String]
        public var notValidAfter: Date
        public var serial: String
        public var keyKept: Bool
        public var promotion: Promotion.Result
        /// The files written besides host.cert: chain, full chain, and cacert.pem when made.
        public var written: [String]
        public var check: CheckReport
        /// What deploying the issuer into CA/ reported (rehash, the system bundle).
        public var trustFindings: [Finding]
        /// The deploy hook of this run, and whether it ran (only when check found no error).
        public var deployHook: String?
        public var deployHookRan: Bool
        public var accountCreated: Bool
    }

    public static func run(_ options: Options, now: Date = Date(), progress: @escaping @Sendable (String) -> Void = { _ in }) async throws -> Outcome {
        let names = try validatedNames(options.names)
        let target = try CertsLayout(directory: options.certsDirectory, stem: "host").validated()
        let state = ACMEState(certsDirectory: options.certsDirectory)
        // Promotion moves new.* into host.*; here new.* lives in acme/pending/, out of the admin's way.
        let pending = CertsLayout(directory: Paths.join(state.directory, "pending"), stem: "new")
        let source = options.keyStem == "host" ? pending : try CertsLayout(directory: options.certsDirectory, stem: options.keyStem).validated()
        try checkKeyChoice(keyStem: options.keyStem, rekey: options.rekey)
        if options.keyStem != "host" && !options.force {
            for path in IssuedChain.paths(in: source) { try FileInstaller.ensureFree(path, kind: "certificate", force: false) }
        }
        let deployHook = options.deployHook.map { HookCommand(command: $0, option: "--deploy-hook") }
        let solver = try makeSolver(options.challenge, timeout: options.timeout, progress: progress)
        _ = try options.server.checked()

        try state.ensureDirectory()
        let lock = try DirectoryLock(state.directory)
        defer { lock.release() }
        try resetPending(pending)

        let key = try serverKey(options, target: target, source: source, pending: pending, now: now)
        let csr = try RequestMaker.make(subject: Subject(fields: [.init(.commonName, names[0])]),
                                        altNames: try SubjectAltNames(parsing: names.map { "DNS:\($0)" }), key: key)
        let csrDER = try Encoding.der(csr)

        let (accountKey, keyMade) = try state.loadOrMakeKey()
        let known = try state.account(for: options.server.directory)
        let (chainPEM, accountCreated) = try await ACMESession.with(options.server, key: accountKey, accountURL: known?.url, timeout: options.timeout) { client in
            var created = false
            if known == nil {
                let registration = AccountRegistration.Options(server: options.server, email: options.email, agreeToTerms: options.agreeToTerms)
                created = try await AccountRegistration.register(client: client, state: state, options: registration, keyMade: keyMade, now: now).created
                progress("registered account with \(options.server.host)")
            }
            let flow = OrderFlow(client: client, solver: solver, key: accountKey, progress: progress)
            return (try await flow.certificateChain(names: names, csrDER: csrDER), created)
        }

        let chain = try IssuedChain(pem: chainPEM, server: options.server.host, key: key, names: names)
        let promotion: Promotion.Result
        let deployTime = promotionTime(chain.leaf.notValidBefore)
        do {
            // --force replaces a waiting new.cert (and its chain files), keeping dated backups, as
            // everywhere; acme/pending/ was emptied above, so nothing there needs replacing.
            try chain.write(to: source, force: options.keyStem != "host" && options.force, now: now)
            promotion = try Promotion.run(from: source, to: target, now: deployTime).result
        } catch {
            if options.keyStem == "host" { try? resetPending(pending) }
            throw error
        }
        var written = [target.chainPath, target.fullChainPath]
        let trust = try TrustDeployment.ensure(target, issuers: chain, now: deployTime)
        written += trust.written
        try state.record(RenewalSettings(server: options.server, names: names, challenge: options.challenge, deployHook: options.deployHook))

        let check = await Checker.run(TLSFileSet.certsDirectory(target), hostName: names[0], now: deployTime)
        var hookRan = false
        if check.worst != .error, let deployHook {
            try await deployHook.run(arguments: [],
                                     environment: ["MAILTLS_CERT": target.certificatePath, "MAILTLS_KEY": target.keyPath,
                                                   "MAILTLS_CHAIN": target.chainPath, "MAILTLS_FULLCHAIN": target.fullChainPath,
                                                   "MAILTLS_DIR": options.certsDirectory, "MAILTLS_NAMES": names.joined(separator: " ")],
                                     timeout: min(options.timeout, 300))
            hookRan = true
        }
        return Outcome(names: names, notValidAfter: chain.leaf.notValidAfter, serial: chain.serialText, keyKept: promotion.keepsKey,
                       promotion: promotion, written: written, check: check, trustFindings: trust.findings, deployHook: options.deployHook, deployHookRan: hookRan, accountCreated: accountCreated)
    }

    /// `--rekey` makes a key, `--file` names one: not both.
    public static func checkKeyChoice(keyStem: String, rekey: Bool) throws {
        if keyStem != "host" && rekey {
            throw MailTLSError("--rekey", "cannot be combined with --file \(keyStem)", remedy: "--file new uses the key in new.key; --rekey makes one")
        }
    }

    /// The port mailtls answers http-01 on (80, or the port 80 is forwarded to).
    public static func checkHTTPPort(_ port: Int) throws {
        guard (1...65535).contains(port) else {
            throw MailTLSError("--http-port \(port)", "is not a port number", remedy: "use 80, or the port that port 80 is forwarded to")
        }
    }

    /// Lower-cased, each a valid DNS name (a `*.` wildcard allowed), no repeats, at least one.
    public static func validatedNames(_ names: [String]) throws -> [String] {
        var result: [String] = []
        for raw in names {
            let name = raw.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "."))
            let bare = name.hasPrefix("*.") ? String(name.dropFirst(2)) : name
            guard HostNameRules.isValid(bare), bare.contains(".") else {
                throw MailTLSError("--host \(raw)", "is not a fully qualified DNS name", remedy: "give the name peers use to reach this server, e.g. mail.example.org")
            }
            if !result.contains(name) { result.append(name) }
        }
        guard !result.isEmpty else {
            throw MailTLSError("--host", "no name to certify", remedy: "give --host mail.example.org")
        }
        return result
    }

    /// The key the certificate is for: host.key (made when the directory has none), new.key
    /// with `--file new`, or a fresh key in acme/pending/ with `--rekey`.
    private static func serverKey(_ options: Options, target: CertsLayout, source: CertsLayout, pending: CertsLayout, now: Date) throws -> Certificate.PrivateKey {
        if options.rekey {
            return try KeyMaker.make(pending, options: options.keyOptions, force: false, now: now).key
        }
        if options.keyStem != "host" {
            guard FileReading.exists(source.keyPath) else {
                throw MailTLSError(source.keyPath, "no such file", remedy: "make it with mailtls rsa --file \(options.keyStem), or leave out --file to use host.key")
            }
            return try MaterialFile.load(source.keyPath).privateKey()
        }
        return try KeyMaker.loadOrMake(target, options: options.keyOptions).key
    }

    /// The time promote checks the new certificate at. A CA's clock may be a little ahead of
    /// ours (pebble sets notBefore to the second it signs); up to five minutes of that is
    /// taken as skew, not as a certificate from the future.
    static func promotionTime(_ notValidBefore: Date, now: Date = Date()) -> Date {
        let ahead = notValidBefore.timeIntervalSince(now)
        return ahead > 0 && ahead < 300 ? notValidBefore : now
    }

    /// acme/pending/ holds only what this run writes; leftovers of a killed run go first.
    private static func resetPending(_ pending: CertsLayout) throws {
        if !FileReading.exists(pending.directory) {
            guard mkdir(pending.directory, 0o700) == 0 else {
                throw MailTLSError(pending.directory, "cannot be made: \(String(cString: strerror(errno)))", remedy: "check the permissions of its parent")
            }
        }
        // Everything in it, temp files of a killed write included (a run only ever writes here
        // under the acme/ lock, so nothing in it belongs to anyone else).
        for name in DirectoryEntries.names(in: pending.directory) ?? [] {
            unlink(Paths.join(pending.directory, name))
        }
    }

    static func makeSolver(_ method: ChallengeMethod, timeout: Double, progress: @escaping @Sendable (String) -> Void) throws -> any ChallengeSolver {
        switch method {
        case .standalone(let port):
            try checkHTTPPort(port)
            return HTTP01Responder(port: port)
        case .webroot(let directory):
            return WebrootSolver(webroot: directory)
        case .dnsHook(let command, let waitSeconds, let checkServer):
            return DNSHookSolver(hook: HookCommand(command: command, option: "--dns-hook"), waitSeconds: waitSeconds,
                                 checkServer: checkServer, timeout: min(timeout, 300), progress: progress)
        }
    }
}
