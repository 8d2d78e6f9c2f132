/// A month of a fiscal year, 1 (Januari) to 12 (Desember), for monthly realisation reports.
public struct Month: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Month number, 1...12.
    public let number: Int

    private static let indonesianNames = [
        "Januari", "Februari", "Maret", "April", "Mei", "Juni",
        "Juli", "Agustus", "September", "Oktober", "November", "Desember",
    ]

    /// Validates the month number (field `month`).
    public init(_ month: Int) throws(ValidationError) {
        guard (1...12).contains(month) else {
            throw ValidationError(field: "month", problem: "must be 1 to 12, got \(month)")
        }
        number = month
    }

    /// All twelve months in order.
    public static var all: [Month] { (1...12).map { Month(unchecked: $0) } }

    private init(unchecked month: Int) {
        number = month
    }

    /// Indonesian month name as used in official reports, e.g. `Agustus`.
    public var indonesianName: String { Self.indonesianNames[number - 1] }

    /// Which quarter of the year the month falls in, 1...4.
    public var quarterNumber: Int { (number - 1) / 3 + 1 }

    /// This month's quarter in `year`.
    public func quarter(in year: FiscalYear) -> Quarter { Quarter(unchecked: year.year, quarter: quarterNumber) }

    /// The month number, e.g. `8`.
    public var description: String { String(number) }

    /// Calendar order.
    public static func < (lhs: Month, rhs: Month) -> Bool { lhs.number < rhs.number }

    /// Decodes from a plain JSON integer, validating the range.
    public init(from decoder: any Decoder) throws {
        self = try decoder.singleValueContainer().decodeValidatedInteger { month throws(ValidationError) in
            try Month(month)
        }
    }

    /// Encodes as a plain JSON integer.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(number)
    }
}
