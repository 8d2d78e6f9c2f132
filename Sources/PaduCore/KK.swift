/// Nomor Kartu Keluarga: the 16-digit family card number that groups a household in population data.
///
/// Layout `PPRRDD DDMMYY SSSS`: issuing district, registration date (a real day and month; unlike the NIK there
/// is no +40 rule) and a serial 0001-9999. Poverty programmes target households, so the KK is the unit of
/// assistance. Like the NIK it is personal data: only `value` reveals the full number.
public struct KK: Sendable, Hashable, Codable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    private let number: RegistryNumber

    /// Validates a 16-digit KK number, rejecting anything but exactly 16 ASCII digits; field `kk`.
    public init(_ text: String) throws(ValidationError) {
        number = try RegistryNumber(text, field: "kk", dateLabel: "registration", femaleDayOffset: nil)
    }

    /// The full 16 digits. Personal data: prefer `masked` for display and logs.
    public var value: String { number.value }

    /// First six digits and ten asterisks, e.g. `160601**********`.
    public var masked: String { number.masked }

    /// The kecamatan that issued the card.
    public var districtCode: RegionCode { number.districtCode }

    /// Day of the month of registration, 1...31.
    public var registrationDay: Int { number.writtenDay }

    /// Month of registration, 1...12.
    public var registrationMonth: Int { number.month }

    /// Last two digits of the registration year, 0...99.
    public var registrationYearTwoDigits: Int { number.yearTwoDigits }

    /// Serial within district and registration date, 1...9999.
    public var serial: Int { number.serial }

    /// The registration date, choosing the century so the year is not after `referenceYear`.
    public func registrationDate(referenceYear: Int) -> CalendarDate? {
        let year = RegistryNumber.fullYear(twoDigits: registrationYearTwoDigits, notAfter: referenceYear)
        return CalendarDate(year: year, month: registrationMonth, day: registrationDay)
    }

    /// The masked form, so string interpolation into logs never leaks the number.
    public var description: String { masked }

    /// Masked as well, because debug output ends up in logs too.
    public var debugDescription: String { "KK(\(masked))" }

    /// Masked as well, so `dump` does not walk into the stored digits.
    public var customMirror: Mirror { Mirror(self, children: ["masked": masked]) }

    /// Decodes from the 16-digit string, validating it.
    public init(from decoder: any Decoder) throws {
        self = try decoder.singleValueContainer().decodeCanonical { text throws(ValidationError) in try KK(text) }
    }

    /// Encodes the full 16-digit string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
