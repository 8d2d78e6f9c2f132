/// A Swift value that can be bound as a statement parameter, in PostgreSQL's binary format.
public protocol PQEncodable: Sendable {
    /// The PostgreSQL type the parameter is declared as.
    static var pqType: PQType { get }
    /// Appends the value's binary representation to `buffer`.
    func encode(into buffer: inout [UInt8])
}

/// A Swift value that can be read from a result column in PostgreSQL's binary format.
public protocol PQDecodable {
    /// Decodes a non-NULL value of PostgreSQL type `type`.
    init(pqBytes bytes: UnsafeRawBufferPointer, type: PQType) throws(PQError)
    /// The value for SQL NULL; throws unless the type is optional.
    static func pqNull() throws(PQError) -> Self
}

extension PQDecodable {
    public static func pqNull() throws(PQError) -> Self {
        throw PQError(code: .unexpectedNull, message: "NULL cannot be decoded as \(Self.self)")
    }
}

extension Optional: PQDecodable where Wrapped: PQDecodable {
    @inlinable public init(pqBytes bytes: UnsafeRawBufferPointer, type: PQType) throws(PQError) {
        self = .some(try Wrapped(pqBytes: bytes, type: type))
    }
    @inlinable public static func pqNull() throws(PQError) -> Self { nil }
}

/// Types that can be elements of a one-dimensional array parameter or column.
public protocol PQArrayElement: PQEncodable, PQDecodable {
    static var pqArrayType: PQType { get }
}

// MARK: - byte helpers

extension Array where Element == UInt8 {
    @inlinable mutating func appendBigEndian<I: FixedWidthInteger>(_ value: I) {
        Swift.withUnsafeBytes(of: value.bigEndian) { append(contentsOf: $0) }
    }
}

extension UnsafeRawBufferPointer {
    @inlinable func readBigEndian<I: FixedWidthInteger>(_: I.Type, at offset: Int = 0) -> I {
        var value: I = 0
        withUnsafeMutableBytes(of: &value) { target in
            target.copyMemory(from: UnsafeRawBufferPointer(rebasing: self[offset..<offset + MemoryLayout<I>.size]))
        }
        return I(bigEndian: value)
    }
}

@usableFromInline func mismatch<T>(_: T.Type, _ type: PQType) -> PQError {
    PQError(code: .typeMismatch, message: "a column of \(type) cannot be decoded as \(T.self)")
}

@usableFromInline func decodeInteger<I: FixedWidthInteger>(
    _: I.Type, _ bytes: UnsafeRawBufferPointer, _ type: PQType
) throws(PQError) -> I {
    let wide: Int64
    switch (type, bytes.count) {
    case (.int2, 2): wide = Int64(bytes.readBigEndian(Int16.self))
    case (.int4, 4), (.oidType, 4): wide = Int64(bytes.readBigEndian(Int32.self))
    case (.int8, 8): wide = bytes.readBigEndian(Int64.self)
    case (.numeric, _):
        guard let value = Int64(try PQNumeric.string(from: bytes)) else { throw mismatch(I.self, type) }
        wide = value
    default: throw mismatch(I.self, type)
    }
    guard let value = I(exactly: wide) else {
        throw PQError(code: .typeMismatch, message: "a value of \(type) does not fit \(I.self)")
    }
    return value
}

// MARK: - scalar types

extension Bool: PQArrayElement {
    public static var pqType: PQType { .bool }
    public static var pqArrayType: PQType { .boolArray }
    public func encode(into buffer: inout [UInt8]) { buffer.append(self ? 1 : 0) }
    public init(pqBytes bytes: UnsafeRawBufferPointer, type: PQType) throws(PQError) {
        guard type == .bool, bytes.count == 1 else { throw mismatch(Bool.self, type) }
        self = bytes[0] != 0
    }
}

extension Int16: PQArrayElement {
    public static var pqType: PQType { .int2 }
    public static var pqArrayType: PQType { .int2Array }
    public func encode(into buffer: inout [UInt8]) { buffer.appendBigEndian(self) }
    public init(pqBytes bytes: UnsafeRawBufferPointer, type: PQType) throws(PQError) {
        self = try decodeInteger(Int16.self, bytes, type)
    }
}

extension Int32: PQArrayElement {
    public static var pqType: PQType { .int4 }
    public static var pqArrayType: PQType { .int4Array }
    public func encode(into buffer: inout [UInt8]) { buffer.appendBigEndian(self) }
    public init(pqBytes bytes: UnsafeRawBufferPointer, type: PQType) throws(PQError) {
        self = try decodeInteger(Int32.self, bytes, type)
    }
}

extension Int64: PQArrayElement {
    public static var pqType: PQType { .int8 }
    public static var pqArrayType: PQType { .int8Array }
    public func encode(into buffer: inout [UInt8]) { buffer.appendBigEndian(self) }
    public init(pqBytes bytes: UnsafeRawBufferPointer, type: PQType) throws(PQError) {
        self = try decodeInteger(Int64.self, bytes, type)
    }
}

extension Int: PQArrayElement {
    public static var pqType: PQType { .int8 }
    public static var pqArrayType: PQType { .int8Array }
    public func encode(into buffer: inout [UInt8]) { buffer.appendBigEndian(Int64(self)) }
    public init(pqBytes bytes: UnsafeRawBufferPointer, type: PQType) throws(PQError) {
        self = try decodeInteger(Int.self, bytes, type)
    }
}

extension Double: PQArrayElement {
    public static var pqType: PQType { .float8 }
    public static var pqArrayType: PQType { .float8Array }
    public func encode(into buffer: inout [UInt8]) { buffer.appendBigEndian(bitPattern) }
    public init(pqBytes bytes: UnsafeRawBufferPointer, type: PQType) throws(PQError) {
        switch (type, bytes.count) {
        case (.float8, 8): self = Double(bitPattern: bytes.readBigEndian(UInt64.self))
        case (.float4, 4): self = Double(Float(bitPattern: bytes.readBigEndian(UInt32.self)))
        case (.int2, _), (.int4, _), (.int8, _): self = Double(try decodeInteger(Int64.self, bytes, type))
        case (.numeric, _):
            guard let value = Double(try PQNumeric.string(from: bytes)) else { throw mismatch(Double.self, type) }
            self = value
        default: throw mismatch(Double.self, type)
        }
    }
}

extension String: PQArrayElement {
    public static var pqType: PQType { .text }
    public static var pqArrayType: PQType { .textArray }
    public func encode(into buffer: inout [UInt8]) { buffer.append(contentsOf: utf8) }
    /// Text-like columns (text, varchar, name, enums, json) as they are; other scalar types
    /// as their usual text form.
    public init(pqBytes bytes: UnsafeRawBufferPointer, type: PQType) throws(PQError) {
        switch type {
        case .int2, .int4, .int8: self = String(try decodeInteger(Int64.self, bytes, type))
        case .bool: self = try Bool(pqBytes: bytes, type: type) ? "true" : "false"
        case .float4, .float8: self = String(try Double(pqBytes: bytes, type: type))
        case .numeric: self = try PQNumeric.string(from: bytes)
        case .date: self = try PQDate(pqBytes: bytes, type: type).description
        case .jsonb:
            guard bytes.first == 1 else { throw mismatch(String.self, type) }
            self = String(decoding: UnsafeRawBufferPointer(rebasing: bytes.dropFirst()), as: UTF8.self)
        case .uuid:
            guard bytes.count == 16 else { throw mismatch(String.self, type) }
            let hex = bytes.map { String(format2hex: $0) }
            self = [hex[0..<4], hex[4..<6], hex[6..<8], hex[8..<10], hex[10..<16]]
                .map { $0.joined() }.joined(separator: "-")
        case .bytea, .timestamptz, .timestamp: throw mismatch(String.self, type)
        default: self = String(decoding: bytes, as: UTF8.self)
        }
    }
}

extension String {
    fileprivate init(format2hex byte: UInt8) {
        let digits = Array("0123456789abcdef")
        self = String([digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]])
    }
}

/// Raw bytes for a `bytea` parameter or column.
public struct PQBytes: Hashable, Sendable, PQEncodable, PQDecodable {
    public var bytes: [UInt8]
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public static var pqType: PQType { .bytea }
    public func encode(into buffer: inout [UInt8]) { buffer.append(contentsOf: bytes) }
    public init(pqBytes bytes: UnsafeRawBufferPointer, type: PQType) throws(PQError) {
        guard type == .bytea else { throw mismatch(PQBytes.self, type) }
        self.bytes = Array(bytes)
    }
}

// MARK: - arrays

@usableFromInline func multidimensional() -> PQError {
    PQError(code: .typeMismatch, message: "only one-dimensional arrays can be decoded")
}

extension Array: PQEncodable where Element: PQArrayElement {
    public static var pqType: PQType { Element.pqArrayType }
    public func encode(into buffer: inout [UInt8]) {
        buffer.appendBigEndian(Int32(isEmpty ? 0 : 1))  // dimensions
        buffer.appendBigEndian(Int32(0))  // has nulls
        buffer.appendBigEndian(Element.pqType.oid)
        guard !isEmpty else { return }
        buffer.appendBigEndian(Int32(count))
        buffer.appendBigEndian(Int32(1))  // lower bound
        var element: [UInt8] = []
        for value in self {
            element.removeAll(keepingCapacity: true)
            value.encode(into: &element)
            buffer.appendBigEndian(Int32(element.count))
            buffer.append(contentsOf: element)
        }
    }
}

extension Array: PQDecodable where Element: PQDecodable {
    @inlinable public init(pqBytes bytes: UnsafeRawBufferPointer, type: PQType) throws(PQError) {
        guard bytes.count >= 12 else { throw mismatch([Element].self, type) }
        let dimensions = bytes.readBigEndian(Int32.self, at: 0)
        let elementType = PQType(oid: bytes.readBigEndian(UInt32.self, at: 8))
        guard dimensions <= 1 else { throw multidimensional() }
        self = []
        guard dimensions == 1 else { return }
        let count = Int(bytes.readBigEndian(Int32.self, at: 12))
        reserveCapacity(count)
        var offset = 20
        for _ in 0..<count {
            let length = Int(bytes.readBigEndian(Int32.self, at: offset))
            offset += 4
            if length < 0 {
                append(try Element.pqNull())
            } else {
                append(
                    try Element(
                        pqBytes: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + length]), type: elementType))
                offset += length
            }
        }
    }
}
