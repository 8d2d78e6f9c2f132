/// The 16-digit layout that NIK and KK share: `PPRRDD` district of registration, `DDMMYY` date, `SSSS` serial.
///
/// Kept internal: callers should only ever hold a validated `NIK` or `KK`, never a half-checked number.
struct RegistryNumber: Sendable, Hashable {
    let value: String
    let districtCode: RegionCode
    /// Day exactly as written (for an NIK this still includes the +40 for women).
    let writtenDay: Int
    let month: Int
    let yearTwoDigits: Int
    let serial: Int

    /// Validates everything except the meaning of the day, which differs between NIK and KK, and reports every
    /// problem at once. `femaleDayOffset` is 40 for an NIK (women's birth day + 40) and nil for a KK.
    init(_ text: String, field: String, dateLabel: String, femaleDayOffset: Int?) throws(ValidationError) {
        let bytes = Array(text.utf8)
        // An empty string is reported as a length problem ("got 0"), which is the more useful message.
        guard bytes.allSatisfy({ ASCIIDigits.value(of: $0) != nil }) else {
            throw ValidationError(field: field, problem: "must contain only the digits 0-9, with no spaces")
        }
        guard bytes.count == 16 else {
            throw ValidationError(field: field, problem: "must be 16 digits, got \(bytes.count)")
        }
        func number(_ range: Range<Int>) -> Int { ASCIIDigits.parse(bytes[range]) ?? 0 }

        var problems: [String] = []
        var region: RegionCode?
        do {
            region = try RegionCode(nikPrefix: String(decoding: bytes[0..<6], as: UTF8.self))
        } catch {
            problems += error.problems.map(\.problem)
        }
        writtenDay = number(6..<8)
        month = number(8..<10)
        yearTwoDigits = number(10..<12)
        serial = number(12..<16)

        if let problem = Self.dateProblem(
            writtenDay: writtenDay, month: month, yearTwoDigits: yearTwoDigits, label: dateLabel,
            femaleDayOffset: femaleDayOffset)
        {
            problems.append(problem)
        }
        if serial == 0 { problems.append("serial 0000 is not valid") }

        guard problems.isEmpty, let region else {
            throw ValidationError(problems: problems.map { .init(field: field, problem: $0) })
        }
        value = text
        districtCode = region
    }

    // Every other field is read from the digits: the digits alone decide equality and the hash
    // (a check counts the repeats among 50,000 numbers).
    static func == (lhs: RegistryNumber, rhs: RegistryNumber) -> Bool { lhs.value == rhs.value }
    func hash(into hasher: inout Hasher) { hasher.combine(value) }

    /// The written day with any women's offset removed.
    func realDay(femaleDayOffset: Int?) -> Int {
        if let offset = femaleDayOffset, writtenDay > offset { return writtenDay - offset }
        return writtenDay
    }

    /// First six digits then asterisks: enough to route a record to its district, not enough to identify anyone.
    var masked: String { String(value.prefix(6)) + String(repeating: "*", count: 10) }

    /// The full year for a two-digit year, choosing the century so the result is not after `referenceYear`.
    static func fullYear(twoDigits: Int, notAfter referenceYear: Int) -> Int {
        let candidate = referenceYear - referenceYear % 100 + twoDigits
        return candidate > referenceYear ? candidate - 100 : candidate
    }

    /// Why `DDMMYY` cannot be a real date, or nil if it can. The century is unknown, so 29 February is allowed
    /// whenever YY % 4 == 0 (one of 19YY/20YY is then a leap year: 1900 is not, but 2000 is).
    private static func dateProblem(
        writtenDay: Int, month: Int, yearTwoDigits: Int, label: String, femaleDayOffset: Int?
    ) -> String? {
        var day = writtenDay
        if let offset = femaleDayOffset, day > offset { day -= offset }
        guard (1...31).contains(day) else {
            let allowed = femaleDayOffset.map { "01-31, or \($0 + 1)-\($0 + 31) for women" } ?? "01-31"
            return "\(label) day \(ASCIIDigits.pad(writtenDay, width: 2)) is not valid (must be \(allowed))"
        }
        guard (1...12).contains(month) else {
            return "\(label) month \(ASCIIDigits.pad(month, width: 2)) is not valid (must be 01-12)"
        }
        // Written out only for a problem: this runs for every number of a 50,000-recipient list.
        var dayMonth: String { "\(ASCIIDigits.pad(day, width: 2))-\(ASCIIDigits.pad(month, width: 2))" }
        if month == 2, day == 29, yearTwoDigits % 4 != 0 {
            let yy = ASCIIDigits.pad(yearTwoDigits, width: 2)
            return "\(label) date \(dayMonth)-\(yy) is not a real date (neither 19\(yy) nor 20\(yy) is a leap year)"
        }
        // 2000 is a leap year, so checking against it accepts 29 February; the YY rule was applied above.
        if let length = CalendarDate.daysIn(month: month, year: 2000), day > length {
            return "\(label) date \(dayMonth) is not a real date"
        }
        return nil
    }
}
