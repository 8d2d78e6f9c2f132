import Foundation

/// Decodes a row into a `Decodable` type: one keyed container whose keys are column names.
struct PQRowDecoder: Decoder {
    let row: PQRow
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(RowContainer<Key>(row: row))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw DecodingError.typeMismatch(
            [Any].self, .init(codingPath: codingPath, debugDescription: "a row decodes by column name"))
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        guard row.columns.count == 1 else {
            throw DecodingError.typeMismatch(
                Any.self, .init(codingPath: codingPath, debugDescription: "a row of several columns"))
        }
        return CellContainer(row: row, column: 0, codingPath: codingPath)
    }
}

/// `someProperty` → `some_property`; a run of capitals is one word: `agencyID` → `agency_id`,
/// `allocatedIDR` → `allocated_idr`. The mapping rows use to fill properties from columns.
public func snakeCased(_ name: String) -> String {
    // Called for every key of every row and every encoded JSON object: ASCII names, the usual
    // case, go byte by byte; anything else through Unicode's definition of case.
    var utf8 = name.utf8.makeIterator()
    var bytes: [UInt8] = []
    bytes.reserveCapacity(name.utf8.count + 4)
    var hasUpper = false
    while let byte = utf8.next() {
        guard byte < 0x80 else { return snakeCasedUnicode(name) }
        hasUpper = hasUpper || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
        bytes.append(byte)
    }
    guard hasUpper else { return name }
    func isUpper(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") }
    func isLower(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") }
    var result: [UInt8] = []
    result.reserveCapacity(bytes.count + 4)
    var previousWasUpper = false
    for index in bytes.indices {
        let byte = bytes[index]
        if isUpper(byte) {
            let nextIsLower = index + 1 < bytes.count && isLower(bytes[index + 1])
            if index > 0 && (!previousWasUpper || nextIsLower) { result.append(UInt8(ascii: "_")) }
            result.append(byte + 32)
            previousWasUpper = true
        } else {
            result.append(byte)
            previousWasUpper = false
        }
    }
    return String(decoding: result, as: UTF8.self)
}

/// `snakeCased` for names outside ASCII, by Unicode's case properties.
func snakeCasedUnicode(_ name: String) -> String {
    var result = ""
    var previousWasUpper = false
    let characters = Array(name)
    for (index, character) in characters.enumerated() {
        if character.isUppercase {
            let nextIsLower = index + 1 < characters.count && characters[index + 1].isLowercase
            if index > 0 && (!previousWasUpper || nextIsLower) { result.append("_") }
            result += character.lowercased()
            previousWasUpper = true
        } else {
            result.append(character)
            previousWasUpper = false
        }
    }
    return result
}

private struct RowContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let row: PQRow
    var codingPath: [any CodingKey] { [] }
    var allKeys: [Key] { row.columns.compactMap { Key(stringValue: $0) } }

    func column(_ key: Key) throws -> Int {
        if let index = row.columnIndex(for: key.stringValue) ?? row.columnIndex(for: snakeCased(key.stringValue)) {
            return index
        }
        throw DecodingError.keyNotFound(key, .init(codingPath: [key], debugDescription: "no such column"))
    }

    func contains(_ key: Key) -> Bool { (try? column(key)) != nil }

    func decodeNil(forKey key: Key) throws -> Bool { row.isNull(try column(key)) }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try CellContainer(row: row, column: try column(key), codingPath: [key]).decode(type)
    }

    /// One column lookup for an optional property (the default asks contains, decodeNil and
    /// decode in turn, each looking the column up).
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let index = try? column(key), !row.isNull(index) else { return nil }
        return try CellContainer(row: row, column: index, codingPath: [key]).decode(type)
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        throw DecodingError.typeMismatch(
            type, .init(codingPath: [key], debugDescription: "columns are not nested; use PQJSON"))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        throw DecodingError.typeMismatch(
            [Any].self, .init(codingPath: [key], debugDescription: "decode arrays as [Element]"))
    }

    func superDecoder() throws -> any Decoder { PQRowDecoder(row: row) }
    func superDecoder(forKey key: Key) throws -> any Decoder { PQRowDecoder(row: row) }
}

/// One cell: PostgreSQL-decodable types directly, `RawRepresentable` enums through their raw
/// value, any other `Decodable` from a json/jsonb cell.
private struct CellContainer: SingleValueDecodingContainer, Decoder {
    let row: PQRow
    let column: Int
    var codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func decodeNil() -> Bool { row.isNull(column) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if let decodable = type as? any PQDecodable.Type {
            return try decodeCell(decodable) as! T
        }
        switch row.type(of: column) {
        case .json, .jsonb:
            if row.isNull(column) {
                throw DecodingError.valueNotFound(type, .init(codingPath: codingPath, debugDescription: "NULL"))
            }
            let text = try row.decode(String.self, at: column)
            return try JSONDecoder().decode(T.self, from: Data(text.utf8))
        default:
            // Enums and wrappers decode themselves from a single value: ours.
            return try T(from: self)
        }
    }

    private func decodeCell<D: PQDecodable>(_: D.Type) throws -> D {
        try row.decode(D.self, at: column)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        throw DecodingError.typeMismatch(
            type, .init(codingPath: codingPath, debugDescription: "a column is not a keyed value; use PQJSON"))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw DecodingError.typeMismatch(
            [Any].self, .init(codingPath: codingPath, debugDescription: "decode arrays as [Element]"))
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }
}
