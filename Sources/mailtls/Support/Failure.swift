import ArgumentParser
import MailTLS

/// Runs a command body and turns any library error into mailtls's one-line message
/// (`mailtls: <file>: <problem> (<remedy>)`) on stderr and exit status 1.
func reportingFailures(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as MailTLSError {
        Terminal.error("mailtls: \(error)")
        throw ExitCode(1)
    } catch let error as ExitCode {
        throw error
    } catch {
        Terminal.error("mailtls: \(error)")
        throw ExitCode(1)
    }
}

/// `reportingFailures` for async command bodies.
func reportingFailuresAsync(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as MailTLSError {
        Terminal.error("mailtls: \(error)")
        throw ExitCode(1)
    } catch let error as ExitCode {
        throw error
    } catch {
        Terminal.error("mailtls: \(error)")
        throw ExitCode(1)
    }
}
