/// Nomor Induk Kependudukan: the 16-digit Indonesian national identity number.
///
/// Layout `PPRRDD DDMMYY SSSS`: district of first registration, birth date (day + 40 for women; the year has no
/// century) and a serial 0001-9999. There is no checksum, so these structural rules are all that can be checked
/// offline. An NIK is personal data: `description`, `debugDescription` and reflection print only the masked form;
/// read `value` deliberately when the full number is really needed (storage, matching, the JSON API).
public struct NIK: Sendable, Hashable, Codable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// Women's birth day is written as day + 40.
    static let femaleDayOffset = 40

    private let number: RegistryNumber

    /// Validates a 16-digit NIK. Nothing is stripped: spaces, dots or non-ASCII digits are rejected, because a
    /// silently "cleaned" number could match the wrong person. Throws every problem found, with field `nik`.
    public init(_ text: String) throws(ValidationError) {
        number = try RegistryNumber(text, field: "nik", dateLabel: "birth", femaleDayOffset: Self.femaleDayOffset)
    }

    /// The full 16 digits. Personal data: prefer `masked` for anything a human or a log might see.
    public var value: String { number.value }

    /// First six digits and ten asterisks, e.g. `160601**********`.
    public var masked: String { number.masked }

    /// The kecamatan where the number was first issued (not necessarily where the person lives now).
    public var districtCode: RegionCode { number.districtCode }

    /// Decoded from the day field: over 40 means female.
    public var sex: Sex { number.writtenDay > Self.femaleDayOffset ? .female : .male }

    /// Day of the month of birth, 1...31, with the women's +40 already removed.
    public var birthDay: Int { number.realDay(femaleDayOffset: Self.femaleDayOffset) }

    /// Month of birth, 1...12.
    public var birthMonth: Int { number.month }

    /// Last two digits of the birth year, 0...99; the century is not recorded.
    public var birthYearTwoDigits: Int { number.yearTwoDigits }

    /// Registration serial within district and birth date, 1...9999.
    public var serial: Int { number.serial }

    /// The birth date, choosing the century so the year is not after `referenceYear` (YY 05 with reference
    /// 2019 is 2005, YY 45 is 1945). Nil only if that date does not exist, e.g. 29 February 1900.
    public func birthDate(referenceYear: Int) -> CalendarDate? {
        let year = RegistryNumber.fullYear(twoDigits: birthYearTwoDigits, notAfter: referenceYear)
        return CalendarDate(year: year, month: birthMonth, day: birthDay)
    }

    /// True when a separately recorded birth date and sex agree with what this NIK encodes; a mismatch usually
    /// means a typo in one of the fields or an NIK that belongs to someone else.
    public func isConsistent(withBirthDate date: CalendarDate, sex: Sex) -> Bool {
        sex == self.sex && date.day == birthDay && date.month == birthMonth
            && date.year % 100 == birthYearTwoDigits
    }

    /// The masked form, so string interpolation into logs never leaks the number.
    public var description: String { masked }

    /// Masked as well, because test failures and `print(String(reflecting:))` end up in logs too.
    public var debugDescription: String { "NIK(\(masked))" }

    /// Masked as well, so `dump` does not walk into the stored digits.
    public var customMirror: Mirror { Mirror(self, children: ["masked": masked]) }

    /// Decodes from the 16-digit string, validating it.
    public init(from decoder: any Decoder) throws {
        self = try decoder.singleValueContainer().decodeCanonical { text throws(ValidationError) in try NIK(text) }
    }

    /// Encodes the full 16-digit string; the API is an authorised channel for the real number.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
