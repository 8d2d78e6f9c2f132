import Foundation

/// A calendar date without a time or zone: PostgreSQL's `date`.
public struct PQDate: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public var year: Int
    public var month: Int
    public var day: Int

    /// A date from its parts; nil unless it is a real day of the proleptic Gregorian calendar.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1, day <= PQDate.daysIn(month: month, year: year) else {
            return nil
        }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2])
        else { return nil }
        self.init(year: y, month: m, day: d)
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 (negative before).
    public var daysSinceUnixEpoch: Int {
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// The date `days` after 1970-01-01.
    public init(daysSinceUnixEpoch days: Int) {
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        day = doy - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (month <= 2 ? 1 : 0)
    }

    public func adding(days: Int) -> PQDate { PQDate(daysSinceUnixEpoch: daysSinceUnixEpoch + days) }

    public var description: String {
        let y = String(year)
        let m = String(month)
        let d = String(day)
        return String(repeating: "0", count: max(0, 4 - y.count)) + y + "-"
            + (m.count < 2 ? "0" : "") + m + "-" + (d.count < 2 ? "0" : "") + d
    }

    public static func < (a: PQDate, b: PQDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let date = PQDate(text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "expected a date YYYY-MM-DD"))
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Days between 1970-01-01 and PostgreSQL's epoch, 2000-01-01.
let postgresEpochDays = 10957

extension PQDate: PQArrayElement {
    public static var pqType: PQType { .date }
    public static var pqArrayType: PQType { .dateArray }
    public func encode(into buffer: inout [UInt8]) {
        buffer.appendBigEndian(Int32(daysSinceUnixEpoch - postgresEpochDays))
    }
    public init(pqBytes bytes: UnsafeRawBufferPointer, type: PQType) throws(PQError) {
        guard type == .date, bytes.count == 4 else { throw mismatch(PQDate.self, type) }
        self.init(daysSinceUnixEpoch: Int(bytes.readBigEndian(Int32.self)) + postgresEpochDays)
    }
}

extension Date: PQEncodable, PQDecodable {
    public static var pqType: PQType { .timestamptz }
    public func encode(into buffer: inout [UInt8]) {
        let seconds = timeIntervalSince1970 - Double(postgresEpochDays) * 86_400
        buffer.appendBigEndian(Int64((seconds * 1_000_000).rounded()))
    }
    public init(pqBytes bytes: UnsafeRawBufferPointer, type: PQType) throws(PQError) {
        guard type == .timestamptz || type == .timestamp, bytes.count == 8 else {
            throw mismatch(Date.self, type)
        }
        let micros = bytes.readBigEndian(Int64.self)
        self.init(timeIntervalSince1970: Double(micros) / 1_000_000 + Double(postgresEpochDays) * 86_400)
    }
}
