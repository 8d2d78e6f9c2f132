/// A day in the proleptic Gregorian calendar, with no time or time zone.
///
/// Birth dates, disbursement dates and reporting deadlines are calendar days in Indonesian law; carrying them as
/// instants invites off-by-one-day bugs across WIB/WITA/WIT, so this type deliberately has no clock.
public struct CalendarDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible,
    LosslessStringConvertible
{
    /// Year, 1...9999 so that it always fits the four-digit `YYYY-MM-DD` form.
    public let year: Int
    /// Month, 1...12.
    public let month: Int
    /// Day of the month, 1...28/29/30/31 depending on the month.
    public let day: Int

    /// Creates the date only if it exists (no 30 February, no 29 February outside leap years).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), let length = Self.daysIn(month: month, year: year),
            (1...length).contains(day)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses exactly `YYYY-MM-DD` with ASCII digits; anything looser (`2019-5-1`, a time suffix) is rejected
    /// because a lenient parser would let two spellings of one date reach storage.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            let year = ASCIIDigits.parse(bytes[0..<4]),
            let month = ASCIIDigits.parse(bytes[5..<7]),
            let day = ASCIIDigits.parse(bytes[8..<10])
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// Same as `init?(_:)` but throws a `ValidationError` for use with `ValidationCollector`.
    public init(validating text: String) throws(ValidationError) {
        guard let date = CalendarDate(text) else {
            throw ValidationError(field: "date", problem: "must be a real date written as YYYY-MM-DD")
        }
        self = date
    }

    /// `YYYY-MM-DD`.
    public var description: String {
        "\(ASCIIDigits.pad(year, width: 4))-\(ASCIIDigits.pad(month, width: 2))-\(ASCIIDigits.pad(day, width: 2))"
    }

    /// Chronological order.
    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// Gregorian leap-year rule: every fourth year, except centuries not divisible by 400.
    public static func isLeapYear(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    /// Number of days in `month` of `year`, or nil if `month` is not 1...12.
    public static func daysIn(month: Int, year: Int) -> Int? {
        switch month {
        case 1, 3, 5, 7, 8, 10, 12: 31
        case 4, 6, 9, 11: 30
        case 2: isLeapYear(year) ? 29 : 28
        default: nil
        }
    }

    /// The last day of `month` in `year` (e.g. for the end of a quarter); nil if either is out of range.
    static func lastDay(ofMonth month: Int, year: Int) -> CalendarDate? {
        guard let length = daysIn(month: month, year: year) else { return nil }
        return CalendarDate(year: year, month: month, day: length)
    }

    /// Decodes from the `YYYY-MM-DD` string.
    public init(from decoder: any Decoder) throws {
        self = try decoder.singleValueContainer().decodeCanonical { text throws(ValidationError) in
            try CalendarDate(validating: text)
        }
    }

    /// Encodes as the `YYYY-MM-DD` string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
