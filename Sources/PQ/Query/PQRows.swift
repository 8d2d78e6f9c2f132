import CLibPQ

/// Owns a libpq result; immutable once received, so it may be shared across tasks.
///
/// Decoding a cell is inlinable, as are `PQRow`'s decoders and the `Optional` and `Array`
/// conformances, so that a store's decode of `[String]?` is specialised where it is called:
/// unspecialised, a 10,000-row check result spent a third of its decoding looking up generic
/// metadata.
@usableFromInline final class PQResult: @unchecked Sendable {
    @usableFromInline let handle: OpaquePointer
    let rowCount: Int
    @usableFromInline let columnCount: Int
    let columnNames: [String]
    @usableFromInline let columnTypes: [PQType]
    private let columnIndex: [String: Int]

    init(_ handle: OpaquePointer) {
        self.handle = handle
        rowCount = Int(PQntuples(handle))
        columnCount = Int(PQnfields(handle))
        var names: [String] = []
        var types: [PQType] = []
        var index: [String: Int] = [:]
        for column in 0..<columnCount {
            let name = String(cString: PQfname(handle, Int32(column)))
            names.append(name)
            types.append(PQType(oid: PQftype(handle, Int32(column))))
            if index[name] == nil { index[name] = column }
        }
        columnNames = names
        columnTypes = types
        columnIndex = index
    }

    deinit { PQclear(handle) }

    func column(named name: String) -> Int? { columnIndex[name] }

    /// The command tag's row count (`INSERT 0 5` → 5); 0 when there is none.
    var affectedRows: Int {
        Int(String(cString: PQcmdTuples(handle))) ?? 0
    }

    var commandTag: String { String(cString: PQcmdStatus(handle)) }

    @inlinable func isNull(row: Int, column: Int) -> Bool { PQgetisnull(handle, Int32(row), Int32(column)) != 0 }

    @inlinable func decode<Value: PQDecodable>(_: Value.Type, row: Int, column: Int) throws(PQError) -> Value {
        guard column < columnCount else { throw noColumn(column) }
        if isNull(row: row, column: column) {
            do { return try Value.pqNull() } catch { throw unexpectedNull(column) }
        }
        let length = Int(PQgetlength(handle, Int32(row), Int32(column)))
        let pointer = UnsafeRawPointer(PQgetvalue(handle, Int32(row), Int32(column))!)
        do {
            return try Value(pqBytes: UnsafeRawBufferPointer(start: pointer, count: length), type: columnTypes[column])
        } catch {
            throw named(error, column)
        }
    }

    // The failures, out of line.
    @usableFromInline func noColumn(_ column: Int) -> PQError {
        PQError(code: .missingColumn, message: "result has no column \(column)")
    }

    @usableFromInline func unexpectedNull(_ column: Int) -> PQError {
        PQError(code: .unexpectedNull, message: "column \(columnNames[column]) is NULL")
    }

    @usableFromInline func named(_ error: PQError, _ column: Int) -> PQError {
        var error = error
        error.column = error.column ?? columnNames[column]
        return error
    }
}

/// The rows a statement returned.
public struct PQRows: Sendable, RandomAccessCollection {
    @usableFromInline let result: PQResult?

    init(result: PQResult?) { self.result = result }

    public var startIndex: Int { 0 }
    public var endIndex: Int { result?.rowCount ?? 0 }
    @inlinable public subscript(position: Int) -> PQRow { PQRow(result: result!, index: position) }

    /// Column names, in order.
    public var columns: [String] { result?.columnNames ?? [] }

    /// Rows inserted, updated, deleted or copied, from the command tag.
    public var affectedRows: Int { result?.affectedRows ?? 0 }

    /// Decodes every row into a tuple of column values, left to right.
    public func decode<each Column: PQDecodable>(
        _ types: (repeat each Column).Type
    ) throws(PQError) -> [(repeat each Column)] {
        var decoded: [(repeat each Column)] = []
        decoded.reserveCapacity(count)
        for row in self { decoded.append(try row.decode(types)) }
        return decoded
    }

    /// Decodes every row into a `Decodable` type by column name (`snake_case` columns fill
    /// `camelCase` properties).
    public func decode<Value: Decodable>(as type: Value.Type) throws -> [Value] {
        try map { try $0.decode(as: type) }
    }

    /// The first row's first column, or nil when there is no row.
    public func first<Value: PQDecodable>(_ type: Value.Type) throws(PQError) -> Value? {
        guard let row = first else { return nil }
        return try row.decode(type, at: 0)
    }

    /// The first row decoded as a tuple, or nil when there is none.
    public func first<each Column: PQDecodable>(
        _ types: (repeat each Column).Type
    ) throws(PQError) -> (repeat each Column)? {
        guard let row = first else { return nil }
        return try row.decode(types)
    }
}

/// One row of a result.
public struct PQRow: Sendable {
    @usableFromInline let result: PQResult
    @usableFromInline let index: Int

    @usableFromInline init(result: PQResult, index: Int) {
        self.result = result
        self.index = index
    }

    /// The value of the column at `column` (0-based).
    @inlinable public func decode<Value: PQDecodable>(_ type: Value.Type, at column: Int) throws(PQError) -> Value {
        try result.decode(type, row: index, column: column)
    }

    /// The value of the column named `name`.
    public func decode<Value: PQDecodable>(_ type: Value.Type, column name: String) throws(PQError) -> Value {
        guard let column = result.column(named: name) else {
            throw PQError(code: .missingColumn, message: "result has no column \(name)")
        }
        return try result.decode(type, row: index, column: column)
    }

    /// The columns as a tuple, left to right.
    @inlinable public func decode<each Column: PQDecodable>(
        _: (repeat each Column).Type
    ) throws(PQError) -> (repeat each Column) {
        var column = 0
        func next<Value: PQDecodable>(_: Value.Type) throws(PQError) -> Value {
            defer { column += 1 }
            return try result.decode(Value.self, row: index, column: column)
        }
        return (repeat try next((each Column).self))
    }

    /// The row as a `Decodable` value, matching columns by name.
    public func decode<Value: Decodable>(as type: Value.Type) throws -> Value {
        try Value(from: PQRowDecoder(row: self))
    }

    public var columns: [String] { result.columnNames }

    func isNull(_ column: Int) -> Bool { result.isNull(row: index, column: column) }
    func columnIndex(for key: String) -> Int? { result.column(named: key) }
    func type(of column: Int) -> PQType { result.columnTypes[column] }
}
