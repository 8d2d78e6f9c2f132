/// Sex as recorded in Dukcapil population data and encoded in the NIK; JSON carries the raw `M`/`F`.
public enum Sex: String, Sendable, Hashable, CaseIterable, Codable, CustomStringConvertible {
    /// Laki-laki.
    case male = "M"
    /// Perempuan.
    case female = "F"

    /// Parses exactly `M` or `F`, throwing a `ValidationError` (field `sex`) for anything else.
    public init(_ text: String) throws(ValidationError) {
        guard let sex = Sex(rawValue: text) else {
            throw ValidationError(field: "sex", problem: "must be M or F")
        }
        self = sex
    }

    /// The raw `M`/`F`.
    public var description: String { rawValue }
}
