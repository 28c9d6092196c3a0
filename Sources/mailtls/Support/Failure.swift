import ArgumentParser
import MailTLS

/// Runs a command body and turns any library error into mailtls's one-line message
/// (`mailtls: <file>: <problem> (<remedy>)`) on stderr and exit status 1.
func reportingFailures(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch {
        throw exitCode(reporting: error)
    }
}

/// `reportingFailures` for async command bodies.
func reportingFailuresAsync(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch {
        throw exitCode(reporting: error)
    }
}

/// Prints `error` as mailtls's one line (an ExitCode passes through silently).
private func exitCode(reporting error: Error) -> ExitCode {
    if let code = error as? ExitCode { return code }
    Terminal.error("mailtls: \(error)")
    return ExitCode(1)
}
