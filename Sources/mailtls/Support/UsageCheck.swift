import ArgumentParser
import MailTLS

/// How a usage error from `usageCheck` begins: `main` prints such a message as the one line
/// it is, instead of ArgumentParser's "Error: …" with the usage text.
let usageCheckPrefix = "mailtls: "

/// Runs one of the library's own checks of an option from `validate()`, so a wrong option
/// value is refused before any work with exit status 2 (a usage error) and mailtls's one
/// line, `mailtls: <option>: <problem> (<remedy>)`; the library keeps the same check for
/// its other callers.
func usageCheck(_ check: () throws -> Void) throws {
    do {
        try check()
    } catch let error as MailTLSError {
        throw ValidationError(usageCheckPrefix + error.description)
    }
}
