/// An Indonesian fiscal year (tahun anggaran), which runs with the calendar year, 1 January - 31 December.
///
/// Limited to 2000...2100: programme data outside that range is a typo (`219` for `2019`), not history.
public struct FiscalYear: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The calendar year, 2000...2100.
    public let year: Int

    /// Years accepted as fiscal years.
    public static let validYears = 2000...2100

    /// Validates the year (field `fiscal_year`).
    public init(_ year: Int) throws(ValidationError) {
        guard Self.validYears.contains(year) else {
            throw ValidationError(field: "fiscal_year", problem: "must be between 2000 and 2100, got \(year)")
        }
        self.year = year
    }

    /// 1 January of the year.
    public var firstDay: CalendarDate { CalendarDate(year: year, month: 1, day: 1)! }

    /// 31 December of the year.
    public var lastDay: CalendarDate { CalendarDate(year: year, month: 12, day: 31)! }

    /// Q1 to Q4 of the year, in order.
    public var quarters: [Quarter] { (1...4).map { Quarter(unchecked: year, quarter: $0) } }

    /// True if `date` falls in this fiscal year.
    public func contains(_ date: CalendarDate) -> Bool { date.year == year }

    /// The year as digits, e.g. `2019`.
    public var description: String { String(year) }

    /// Chronological order.
    public static func < (lhs: FiscalYear, rhs: FiscalYear) -> Bool { lhs.year < rhs.year }

    /// Decodes from a plain JSON integer, validating the range.
    public init(from decoder: any Decoder) throws {
        self = try decoder.singleValueContainer().decodeValidatedInteger { year throws(ValidationError) in
            try FiscalYear(year)
        }
    }

    /// Encodes as a plain JSON integer.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(year)
    }
}
