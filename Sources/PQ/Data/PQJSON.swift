import Foundation

/// A Codable value stored as `jsonb`.
public struct PQJSON<Value: Codable & Sendable>: Sendable, PQEncodable, PQDecodable {
    public var value: Value
    public init(_ value: Value) { self.value = value }

    public static var pqType: PQType { .jsonb }

    public func encode(into buffer: inout [UInt8]) {
        buffer.append(1)  // jsonb binary format version
        // Encoding a Codable value we were handed can only fail for non-finite floats.
        let data = (try? JSONEncoder().encode(value)) ?? Data("null".utf8)
        buffer.append(contentsOf: data)
    }

    public init(pqBytes bytes: UnsafeRawBufferPointer, type: PQType) throws(PQError) {
        let payload: UnsafeRawBufferPointer
        switch type {
        case .jsonb:
            guard bytes.first == 1 else { throw mismatch(PQJSON.self, type) }
            payload = UnsafeRawBufferPointer(rebasing: bytes.dropFirst())
        case .json, .text: payload = bytes
        default: throw mismatch(PQJSON.self, type)
        }
        do {
            value = try JSONDecoder().decode(Value.self, from: Data(payload))
        } catch {
            throw PQError(code: .typeMismatch, message: "JSON column does not decode as \(Value.self)")
        }
    }
}
