/// A welfare decile (desil) from the national socio-economic registry: 1 is the poorest tenth of households,
/// 10 the richest.
public struct Decile: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Decile number, 1...10.
    public let value: Int

    /// Deciles eligible for social assistance.
    public static let targetedRange = 1...4

    /// Validates the decile (field `decile`).
    public init(_ value: Int) throws(ValidationError) {
        guard (1...10).contains(value) else {
            throw ValidationError(field: "decile", problem: "must be 1 to 10, got \(value)")
        }
        self.value = value
    }

    /// True for deciles 1-4, the households that social assistance programmes target.
    public var isTargeted: Bool { Self.targetedRange.contains(value) }

    /// The decile number, e.g. `3`.
    public var description: String { String(value) }

    /// Poorest first.
    public static func < (lhs: Decile, rhs: Decile) -> Bool { lhs.value < rhs.value }

    /// Decodes from a plain JSON integer, validating the range.
    public init(from decoder: any Decoder) throws {
        self = try decoder.singleValueContainer().decodeValidatedInteger { value throws(ValidationError) in
            try Decile(value)
        }
    }

    /// Encodes as a plain JSON integer.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
