/// A calendar quarter, the reporting period for programme realisation, written `2019-Q2`.
public struct Quarter: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Calendar year, 1...9999 (any year a `CalendarDate` can have, so `containing(_:)` cannot fail).
    public let year: Int
    /// Quarter number, 1...4.
    public let quarter: Int

    /// Validates year and quarter number (field `quarter`).
    public init(year: Int, quarter: Int) throws(ValidationError) {
        guard (1...9999).contains(year) else {
            throw ValidationError(field: "quarter", problem: "year must be between 0001 and 9999, got \(year)")
        }
        guard (1...4).contains(quarter) else {
            throw ValidationError(field: "quarter", problem: "quarter must be 1 to 4, got \(quarter)")
        }
        self.year = year
        self.quarter = quarter
    }

    /// Parses exactly `YYYY-Qn` (capital Q, n in 1...4); `2019Q1` and `2019-q1` are rejected so that one
    /// period has one spelling in URLs, storage and reports.
    public init(_ text: String) throws(ValidationError) {
        let bytes = Array(text.utf8)
        guard bytes.count == 7, bytes[4] == UInt8(ascii: "-"), bytes[5] == UInt8(ascii: "Q"),
            let year = ASCIIDigits.parse(bytes[0..<4]), let quarter = ASCIIDigits.parse(bytes[6...])
        else { throw ValidationError(field: "quarter", problem: "must look like 2019-Q2") }
        try self.init(year: year, quarter: quarter)
    }

    /// For inputs already known to be in range.
    init(unchecked year: Int, quarter: Int) {
        self.year = year
        self.quarter = quarter
    }

    /// The quarter that `date` falls in.
    public static func containing(_ date: CalendarDate) -> Quarter {
        Quarter(unchecked: date.year, quarter: (date.month - 1) / 3 + 1)
    }

    /// First month of the quarter: 1, 4, 7 or 10.
    public var firstMonth: Int { (quarter - 1) * 3 + 1 }

    /// First day of the quarter, e.g. 1 April for Q2.
    public var firstDay: CalendarDate { CalendarDate(year: year, month: firstMonth, day: 1)! }

    /// Last day of the quarter, e.g. 30 June for Q2.
    public var lastDay: CalendarDate { CalendarDate.lastDay(ofMonth: firstMonth + 2, year: year)! }

    /// True if `date` falls within this quarter.
    public func contains(_ date: CalendarDate) -> Bool { Quarter.containing(date) == self }

    /// The following quarter; nil only after 9999-Q4.
    public var next: Quarter? {
        quarter == 4 ? try? Quarter(year: year + 1, quarter: 1) : Quarter(unchecked: year, quarter: quarter + 1)
    }

    /// The preceding quarter; nil only before 0001-Q1.
    public var previous: Quarter? {
        quarter == 1 ? try? Quarter(year: year - 1, quarter: 4) : Quarter(unchecked: year, quarter: quarter - 1)
    }

    /// The fiscal year this quarter belongs to; nil outside `FiscalYear.validYears`.
    public var fiscalYear: FiscalYear? { try? FiscalYear(year) }

    /// `YYYY-Qn`, e.g. `2019-Q2`.
    public var description: String { "\(ASCIIDigits.pad(year, width: 4))-Q\(quarter)" }

    /// Chronological order.
    public static func < (lhs: Quarter, rhs: Quarter) -> Bool { (lhs.year, lhs.quarter) < (rhs.year, rhs.quarter) }

    /// Decodes from the `YYYY-Qn` string, validating it.
    public init(from decoder: any Decoder) throws {
        self = try decoder.singleValueContainer().decodeCanonical { text throws(ValidationError) in
            try Quarter(text)
        }
    }

    /// Encodes as the `YYYY-Qn` string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
