/// Accumulates problems from many validations so a request can be rejected once, with every problem listed,
/// instead of making the client fix one field per round trip.
///
/// ```swift
/// var collector = ValidationCollector(path: "recipients[3]")
/// let nik = collector.check("nik") { try NIK(body.nik) }
/// let kk = collector.check("kk") { try KK(body.kk) }
/// try collector.throwIfAny()
/// // here nik and kk are non-nil
/// ```
public struct ValidationCollector: Sendable {
    /// Prefix applied to every field recorded here; empty for the top level of a request.
    public let path: String
    /// Problems gathered so far, in the order they were found.
    public private(set) var problems: [ValidationError.Problem] = []

    /// Starts an empty collector whose fields are placed under `path`.
    public init(path: String = "") {
        self.path = path
    }

    /// True when nothing has gone wrong yet.
    public var isEmpty: Bool { problems.isEmpty }

    /// The accumulated problems as one error, or nil if there are none.
    public var error: ValidationError? { problems.isEmpty ? nil : ValidationError(problems: problems) }

    /// Runs `body`; if it throws, records its problems under `field` (replacing the type's own field name,
    /// then prefixing with `path`) and returns nil.
    ///
    /// `body` is an untyped throwing closure because Swift 6 does not infer `throws(ValidationError)` for an
    /// unannotated closure, and `check("nik") { try NIK(text) }` should read naturally. Any error that is not a
    /// `ValidationError` is recorded as a bare "is not valid": the request is still rejected, but internal
    /// details are not put into a client-facing message.
    @discardableResult
    public mutating func check<T>(_ field: String, _ body: () throws -> T) -> T? {
        do {
            return try body()
        } catch {
            append(Self.validationError(from: error).replacingField(with: field))
            return nil
        }
    }

    /// Runs `body`, which validates a nested object with several fields of its own; if it throws, keeps those
    /// field names and places them under `prefix` (and `path`), e.g. `recipients[3]` + `nik`.
    @discardableResult
    public mutating func nested<T>(_ prefix: String, _ body: () throws -> T) -> T? {
        do {
            return try body()
        } catch {
            append(Self.validationError(from: error).prefixed(with: prefix))
            return nil
        }
    }

    /// Records a problem found by a rule that is not a PaduCore type (e.g. "must not be empty").
    public mutating func add(field: String, problem: String) {
        append(ValidationError(field: field, problem: problem))
    }

    /// Records `problem` for `field` unless `condition` holds; returns `condition` so callers can branch on it.
    @discardableResult
    public mutating func require(_ condition: Bool, field: String, problem: String) -> Bool {
        if !condition { add(field: field, problem: problem) }
        return condition
    }

    /// Throws everything gathered so far as one `ValidationError`; does nothing if all checks passed.
    public func throwIfAny() throws(ValidationError) {
        if let error { throw error }
    }

    private static func validationError(from error: any Error) -> ValidationError {
        error as? ValidationError ?? ValidationError(field: "", problem: "is not valid")
    }

    private mutating func append(_ error: ValidationError) {
        problems += error.prefixed(with: path).problems
    }
}
