/// An error from the PostgreSQL client: a server error with its SQLSTATE and fields, or a
/// client-side failure (connection, pool, decoding).
///
/// `description` names the kind, SQLSTATE and the schema objects involved, never the server's
/// message or detail: those can quote the values of a statement (personal data, secrets).
/// Read `message` and `detail` explicitly where it is safe to show them.
public struct PQError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; extensible without breaking clients.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case server, connectionFailed, connectionClosed, poolTimeout, poolUnavailable
            case clientClosed, unexpectedNull, typeMismatch, missingColumn, transactionAborted
            case copyFailed, protocolViolation
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The server answered with an error (see `sqlState`).
        public static let server = Code(.server)
        /// A new connection could not be established.
        public static let connectionFailed = Code(.connectionFailed)
        /// An established connection broke; the statement's outcome is unknown.
        public static let connectionClosed = Code(.connectionClosed)
        /// No connection became free within the pool's acquire timeout.
        public static let poolTimeout = Code(.poolTimeout)
        /// The pool cannot reach the server and is backing off before the next attempt.
        public static let poolUnavailable = Code(.poolUnavailable)
        /// The client was shut down.
        public static let clientClosed = Code(.clientClosed)
        /// A NULL reached a non-optional Swift type.
        public static let unexpectedNull = Code(.unexpectedNull)
        /// A column's PostgreSQL type cannot be decoded as the requested Swift type.
        public static let typeMismatch = Code(.typeMismatch)
        /// A column requested by name is not in the result.
        public static let missingColumn = Code(.missingColumn)
        /// COMMIT found the transaction already failed: nothing was committed.
        public static let transactionAborted = Code(.transactionAborted)
        /// A COPY could not be completed.
        public static let copyFailed = Code(.copyFailed)
        /// The server or libpq did something the client did not expect.
        public static let protocolViolation = Code(.protocolViolation)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// The five-character SQLSTATE of a server error (`23505` for a unique violation).
    public var sqlState: String?
    public var severity: String?
    /// The server's or libpq's message. May quote statement values: do not log it blindly.
    public var message: String
    /// Detail from the server. Often quotes key values: never show it to other parties.
    public var detail: String?
    public var hint: String?
    public var schema: String?
    public var table: String?
    public var column: String?
    public var constraint: String?

    public init(
        code: Code, sqlState: String? = nil, severity: String? = nil, message: String,
        detail: String? = nil, hint: String? = nil, schema: String? = nil, table: String? = nil,
        column: String? = nil, constraint: String? = nil
    ) {
        self.code = code
        self.sqlState = sqlState
        self.severity = severity
        self.message = message
        self.detail = detail
        self.hint = hint
        self.schema = schema
        self.table = table
        self.column = column
        self.constraint = constraint
    }

    public var description: String {
        var parts = ["code: \(code)"]
        if let sqlState { parts.append("sqlState: \(sqlState)") }
        if let severity { parts.append("severity: \(severity)") }
        if let schema { parts.append("schema: \(schema)") }
        if let table { parts.append("table: \(table)") }
        if let column { parts.append("column: \(column)") }
        if let constraint { parts.append("constraint: \(constraint)") }
        return "PQError(\(parts.joined(separator: ", ")))"
    }

    /// True when the connection, not the statement, failed: the caller may retry elsewhere.
    public var isConnectionError: Bool {
        code == .connectionFailed || code == .connectionClosed || code == .poolUnavailable
            || code == .poolTimeout
            || (sqlState?.hasPrefix("08") ?? false) || sqlState == "57P01" || sqlState == "57P02"
            || sqlState == "57P03"
    }
}

extension PQError {
    /// Well-known SQLSTATE values.
    public enum SQLState {
        public static let uniqueViolation = "23505"
        public static let foreignKeyViolation = "23503"
        public static let checkViolation = "23514"
        public static let notNullViolation = "23502"
        public static let exclusionViolation = "23P01"
        public static let insufficientPrivilege = "42501"
        public static let raiseException = "P0001"
        public static let serializationFailure = "40001"
        public static let deadlockDetected = "40P01"
        public static let readOnlyTransaction = "25006"
        public static let invalidTextRepresentation = "22P02"
        public static let queryCanceled = "57014"
    }
}
