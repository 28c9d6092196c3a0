import Foundation
import Testing

/// `scripts/install` end to end: a release build (slow: minutes), installed into a temp PREFIX,
/// then checked the way a machine without Swift would use it. Runs only with
/// `MAILTLS_TEST_INSTALL=1`; `MAILTLS_TEST_INSTALL_PREFIX=DIR` checks an existing install
/// there instead of running the script.
@Suite("Shipping: scripts/install", .serialized,
       .enabled(if: ProcessInfo.processInfo.environment["MAILTLS_TEST_INSTALL"] == "1"
                 || ProcessInfo.processInfo.environment["MAILTLS_TEST_INSTALL_PREFIX"] != nil))
struct InstallTests {
    /// The PREFIX every test checks: made once per test run.
    static let prefix: Result<String, InstallFailure> = {
        if let existing = ProcessInfo.processInfo.environment["MAILTLS_TEST_INSTALL_PREFIX"] { return .success(existing) }
        let dir = TempDirectory("mailtls-install")
        let prefix = dir.file("prefix")
        let started = Date()
        guard let result = try? run("/bin/bash", [Shipping.packageRoot + "/scripts/install", prefix]) else {
            return .failure(InstallFailure(message: "could not run scripts/install"))
        }
        print("scripts/install took \(Int(Date().timeIntervalSince(started))) s")
        guard result.status == 0 else {
            return .failure(InstallFailure(message: "scripts/install exited \(result.status): \(result.stderr.suffix(3000))"))
        }
        installDirectory = dir   // kept alive until the process ends
        return .success(prefix)
    }()
    nonisolated(unsafe) static var installDirectory: TempDirectory?

    struct InstallFailure: Error, CustomStringConvertible { var message: String; var description: String { message } }

    static let clean = ["PATH": "/usr/bin:/bin"]

    var prefix: String { get throws { try Self.prefix.get() } }

    @Test("the binary loads no Swift runtime library: ldd shows none from the toolchain")
    func noSwiftLibraries() throws {
        let binary = try prefix + "/bin/mailtls"
        let ldd = try run("/usr/bin/ldd", [binary])
        #expect(ldd.status == 0, "\(ldd.stderr)")
        for line in ldd.stdout.split(separator: "\n") {
            #expect(!line.contains("libswift") && !line.contains("libFoundation") && !line.contains("libdispatch")
                    && !line.contains("/opt/swift") && !line.contains("not found"), "ldd: \(line)")
        }
    }

    @Test("it runs in an empty environment: --version, and a key, a certificate and its fingerprint")
    func runsInCleanEnvironment() throws {
        let binary = try prefix + "/bin/mailtls"
        let version = try run(binary, ["--version"], environment: Self.clean)
        #expect(version.status == 0, "\(version.stderr)")
        #expect(version.stdout.hasPrefix("mailtls "))
        #expect(version.stdout.contains("swift-crypto "))
        let dir = TempDirectory("mailtls-installed")
        let made = try run(binary, ["self", "--batch", "--subject", "/CN=mail.example.org"], in: dir.path, environment: Self.clean)
        #expect(made.status == 0, "\(made.stderr)")
        let fingerprint = try run(binary, ["fingerprint"], in: dir.path, environment: Self.clean)
        #expect(fingerprint.status == 0, "\(fingerprint.stderr)")
        #expect(fingerprint.stdout.hasPrefix("sha256 Fingerprint="))
    }

    @Test("it runs with the Swift toolchain hidden (/opt/swift under an empty tmpfs in a mount namespace)")
    func runsWithToolchainHidden() throws {
        let binary = try prefix + "/bin/mailtls"
        let toolchain = "/opt/swift"
        guard getuid() == 0, FileManager.default.fileExists(atPath: toolchain),
              FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare") else { return }
        let script = "mount -t tmpfs none \(toolchain) && ! test -e \(toolchain)/usr/bin/swift && exec \(shellQuoted(binary)) --version"
        let result = try run("/usr/bin/unshare", ["--mount", "--propagation", "private", "/bin/sh", "-c", script], environment: Self.clean)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("mailtls "))
    }

    @Test("bash loads the completions and completes a subcommand")
    func bashCompletion() throws {
        let file = try prefix + "/share/bash-completion/completions/mailtls"
        let script = """
        source \(shellQuoted(file)) || exit 1
        complete -p mailtls || exit 1
        function=$(complete -p mailtls | sed -n 's/.*-F \\([^ ]*\\) .*/\\1/p')
        COMP_WORDS=(mailtls reh); COMP_CWORD=1; COMP_LINE='mailtls reh'; COMP_POINT=${#COMP_LINE}
        "$function" mailtls reh mailtls 2>/dev/null
        printf 'reply: %s\\n' "${COMPREPLY[@]}"
        """
        let result = try run("/bin/bash", ["--norc", "--noprofile", "-c", script], environment: Self.clean.merging(["PATH": "/usr/bin:/bin:" + (try prefix) + "/bin"]) { $1 })
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("complete ") && result.stdout.contains("-F ") && result.stdout.contains(" mailtls"), "\(result.stdout)")
        #expect(result.stdout.contains("reply: rehash"), "\(result.stdout)")
    }

    @Test("zsh and fish completions are installed where those shells look")
    func zshAndFishCompletions() throws {
        let zsh = try String(contentsOfFile: prefix + "/share/zsh/site-functions/_mailtls", encoding: .utf8)
        #expect(zsh.hasPrefix("#compdef mailtls"))
        let fish = try String(contentsOfFile: prefix + "/share/fish/vendor_completions.d/mailtls.fish", encoding: .utf8)
        #expect(fish.contains("complete -c 'mailtls'") || fish.contains("complete -c mailtls"))
    }

    @Test("the man page has a title (mdoc .Dt), names every subcommand, and man renders it without warnings")
    func manPage() throws {
        let page = try prefix + "/share/man/man1/mailtls.1"
        let text = try String(contentsOfFile: page, encoding: .utf8)
        #expect(text.contains(".Dt MAILTLS 1") || text.contains(".TH MAILTLS 1"), "\(text.prefix(300))")
        let help = try run(prefix + "/bin/mailtls", ["--experimental-dump-help"], environment: Self.clean)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(help.stdout.utf8)) as? [String: Any])
        let command = try #require(json["command"] as? [String: Any])
        let subcommands = (command["subcommands"] as? [[String: Any]] ?? []).compactMap { $0["commandName"] as? String }
        #expect(subcommands.count > 5)
        for name in subcommands where name != "help" {
            #expect(text.contains(name), "the man page does not mention \(name)")
        }
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/man") && FileManager.default.isExecutableFile(atPath: "/usr/bin/groff") {
            let rendered = try run("/usr/bin/man", ["-l", page], environment: ["PATH": "/usr/bin:/bin", "MANPAGER": "cat", "MANWIDTH": "100"])
            #expect(rendered.status == 0, "\(rendered.stderr)")
            #expect(rendered.stdout.contains("mailtls"))
            #expect(!rendered.stderr.contains("warning"), "\(rendered.stderr)")
        }
    }

    @Test("a second install changes nothing")
    func idempotent() throws {
        guard ProcessInfo.processInfo.environment["MAILTLS_TEST_INSTALL_PREFIX"] == nil else { return }
        let prefix = try prefix
        let before = DirectoryState.of(prefix)
        let again = try run("/bin/bash", [Shipping.packageRoot + "/scripts/install", prefix])
        #expect(again.status == 0, "\(again.stderr.suffix(2000))")
        #expect(!again.stdout.contains("installed:"), "\(again.stdout)")
        #expect(before == DirectoryState.of(prefix))
    }
}
