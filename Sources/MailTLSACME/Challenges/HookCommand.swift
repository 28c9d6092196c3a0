import Foundation
import MailTLS

/// An admin's command run by mailtls (`--dns-hook`, `--deploy-hook`): through `/bin/sh -c`,
/// with facts in the environment (`MAILTLS_*`) and as arguments, bounded in time, its
/// output kept for the error message when it fails.
struct HookCommand: Sendable {
    let command: String
    /// The option it came from, for messages.
    let option: String

    struct Outcome: Sendable {
        var status: Int32
        var output: String
        var lastLine: String {
            output.split(whereSeparator: \.isNewline).last.map(String.init) ?? ""
        }
    }

    /// Runs the command with `arguments` as `$1…` and `environment` added; throws when it
    /// cannot start, exits non-zero or outlives `timeout` seconds (then it is killed).
    @discardableResult
    func run(arguments: [String], environment: [String: String], timeout: Double) async throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        // Arguments, when there are any, follow the admin's command as "$@".
        process.arguments = ["-c", arguments.isEmpty ? command : "\(command) \"$@\"", "mailtls-hook"] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let outputPath = NSTemporaryDirectory() + "mailtls-hook-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).out"
        // Created empty and private through the atomic writer, which never follows or replaces
        // a name someone else put in the shared temp directory.
        try AtomicFile.write([], to: outputPath, mode: .secret, existing: .refuse, durable: false)
        defer { unlink(outputPath) }
        let output = FileHandle(forWritingAtPath: outputPath)
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw MailTLSError("\(option) \(command)", "cannot be started (\(error.localizedDescription))", remedy: "check the command")
        }
        let started = Date()
        while process.isRunning {
            if Date().timeIntervalSince(started) > timeout {
                process.terminate()
                try? await Task.sleep(nanoseconds: 500_000_000)
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                throw MailTLSError("\(option) \(command)", "still running after \(Int(timeout)) s and was stopped",
                                   remedy: "make the command finish sooner, or raise --timeout")
            }
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        try? output?.close()
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let outcome = Outcome(status: process.terminationStatus, output: text)
        guard outcome.status == 0 else {
            let said = outcome.lastLine.isEmpty ? "" : ": \(outcome.lastLine)"
            throw MailTLSError("\(option) \(command)", "failed with exit status \(outcome.status)\(said)", remedy: "run the command by hand to see why")
        }
        return outcome
    }
}
