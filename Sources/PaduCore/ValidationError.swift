/// One or more reasons why input could not become a domain value.
///
/// Every validating `init` in PaduCore throws this, so an API layer can turn any failure into the same
/// JSON shape (`{"problems": [{"field": …, "problem": …}]}`) without knowing which type failed.
public struct ValidationError: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    /// A single complaint about a single field.
    public struct Problem: Sendable, Hashable, Codable, CustomStringConvertible {
        /// Path of the offending field as the caller knows it, e.g. `nik` or `recipients[3].nik`.
        public var field: String
        /// Human-readable English explanation, e.g. `must be 16 digits, got 15`.
        public var problem: String

        /// Creates a problem for `field`.
        public init(field: String, problem: String) {
            self.field = field
            self.problem = problem
        }

        /// `field: problem`, the form used in logs.
        public var description: String { field.isEmpty ? problem : "\(field): \(problem)" }

        /// This problem with its field placed under `path` (see `ValidationError.prefixed(with:)`).
        public func prefixed(with path: String) -> Problem {
            Problem(field: Self.join(path, field), problem: problem)
        }

        /// Joins two field paths with a dot, except before a subscript such as `[3]`.
        static func join(_ path: String, _ field: String) -> String {
            if path.isEmpty { return field }
            if field.isEmpty { return path }
            return field.hasPrefix("[") ? path + field : path + "." + field
        }
    }

    /// Everything that was wrong; never empty when thrown by PaduCore.
    public var problems: [Problem]

    /// Wraps a list of problems.
    public init(problems: [Problem]) {
        self.problems = problems
    }

    /// The common case of a single problem.
    public init(field: String, problem: String) {
        self.init(problems: [Problem(field: field, problem: problem)])
    }

    /// All problems separated by `; `, the form used in logs and `DecodingError` messages.
    public var description: String { problems.map(\.description).joined(separator: "; ") }

    /// Moves every field under `path`: `nik` prefixed with `recipients[3]` becomes `recipients[3].nik`.
    ///
    /// Types validate with their own short field names; only the caller knows where the value sat in the request.
    public func prefixed(with path: String) -> ValidationError {
        ValidationError(problems: problems.map { $0.prefixed(with: path) })
    }

    /// Replaces every field with `field`, for when the caller's name is more precise than the type's
    /// (a `CalendarDate` complains about `date`; the request called it `birth_date`).
    public func replacingField(with field: String) -> ValidationError {
        ValidationError(problems: problems.map { Problem(field: field, problem: $0.problem) })
    }

    /// Both sets of problems, this error's first.
    public func merging(_ other: ValidationError) -> ValidationError {
        ValidationError(problems: problems + other.problems)
    }
}
