/// A SQL statement with its parameters bound.
///
/// Written as a string literal, every interpolated value becomes a `$n` parameter, never
/// text in the SQL:
///
///     let rows = try await connection.query("SELECT name FROM programs WHERE id = \(id)")
///
/// Identifiers (table or column names) cannot be parameters; `\(identifier: name)` quotes one
/// explicitly. There is no way to splice raw text through interpolation.
public struct PQQuery: Sendable, Hashable, ExpressibleByStringInterpolation, CustomStringConvertible {
    public var sql: String
    public var bindings: PQBindings

    public init(stringLiteral value: String) {
        sql = value
        bindings = PQBindings()
    }

    public init(stringInterpolation: StringInterpolation) {
        sql = stringInterpolation.sql
        bindings = stringInterpolation.bindings
    }

    /// A statement whose text comes from the program itself (a migration file, a generated
    /// statement), never from a client. Placeholders `$1...` refer to `bindings`.
    public init(verbatim sql: String, bindings: PQBindings = PQBindings()) {
        self.sql = sql
        self.bindings = bindings
    }

    /// The SQL text only: parameter values are never printed.
    public var description: String { sql }

    public struct StringInterpolation: StringInterpolationProtocol {
        var sql: String
        var bindings: PQBindings

        public init(literalCapacity: Int, interpolationCount: Int) {
            sql = ""
            sql.reserveCapacity(literalCapacity + interpolationCount * 3)
            bindings = PQBindings(capacity: interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) { sql += literal }

        /// Binds `value` as the next `$n` parameter.
        public mutating func appendInterpolation<Value: PQEncodable>(_ value: Value) {
            bindings.append(value)
            sql += "$\(bindings.count)"
        }

        /// Binds `value`, or NULL, as the next `$n` parameter.
        public mutating func appendInterpolation<Value: PQEncodable>(_ value: Value?) {
            if let value { bindings.append(value) } else { bindings.appendNull(Value.pqType) }
            sql += "$\(bindings.count)"
        }

        /// Splices SQL text fixed at compile time (a shared column list): a `PQFragment` can only
        /// be made from a string literal, so no runtime text gets here.
        public mutating func appendInterpolation(_ fragment: PQFragment) {
            sql += fragment.sql
        }

        /// Quotes a table, column or role name as a SQL identifier.
        public mutating func appendInterpolation(identifier: String) {
            sql += PQQuery.quoteIdentifier(identifier)
        }
    }

    /// `"name"` with embedded quotes doubled.
    public static func quoteIdentifier(_ name: String) -> String {
        "\"" + name.doubling("\"") + "\""
    }

    /// `'text'` with embedded quotes doubled: for the few statements that take no parameters
    /// (`CREATE ROLE ... PASSWORD`). Rejects NUL.
    public static func quoteLiteral(_ text: String) -> String {
        precondition(!text.contains("\u{0}"), "a SQL literal cannot contain NUL")
        return "'" + text.doubling("'") + "'"
    }
}

extension String {
    fileprivate func doubling(_ quote: Character) -> String {
        var result = ""
        for character in self {
            if character == quote { result.append(quote) }
            result.append(character)
        }
        return result
    }
}

/// The parameters of a statement: types and binary values, stored contiguously.
public struct PQBindings: Sendable, Hashable {
    public private(set) var types: [UInt32] = []
    /// Byte length of each value; -1 for NULL.
    public private(set) var lengths: [Int32] = []
    public private(set) var bytes: [UInt8] = []

    public init() {}

    init(capacity: Int) {
        types.reserveCapacity(capacity)
        lengths.reserveCapacity(capacity)
    }

    public var count: Int { types.count }

    public mutating func append<Value: PQEncodable>(_ value: Value) {
        let start = bytes.count
        value.encode(into: &bytes)
        types.append(Value.pqType.oid)
        lengths.append(Int32(bytes.count - start))
    }

    public mutating func appendNull(_ type: PQType) {
        types.append(type.oid)
        lengths.append(-1)
    }
}

/// SQL text written in the program's source, for reuse inside queries (`\(columns)`). Made only
/// from a string literal (`StaticString`), never from a runtime value.
public struct PQFragment: Sendable, ExpressibleByStringLiteral {
    let sql: String

    public init(stringLiteral value: StaticString) {
        sql = value.description
    }
}
