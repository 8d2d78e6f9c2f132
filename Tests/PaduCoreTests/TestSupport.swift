import PaduCore
import Testing

/// The problems a validating closure threw, or an empty list if it did not throw.
///
/// Takes an untyped closure because closures written inside `#expect` lose the typed-throws context;
/// any error other than `ValidationError` is reported so it cannot pass silently.
func problems(_ body: () throws -> Void) -> [String] {
    validationError(body)?.problems.map(\.problem) ?? []
}

/// The fields of the problems a validating closure threw.
func fields(_ body: () throws -> Void) -> [String] {
    validationError(body)?.problems.map(\.field) ?? []
}

private func validationError(_ body: () throws -> Void) -> ValidationError? {
    do {
        try body()
        return nil
    } catch let error as ValidationError {
        return error
    } catch {
        Issue.record("expected a ValidationError, got \(error)")
        return nil
    }
}
