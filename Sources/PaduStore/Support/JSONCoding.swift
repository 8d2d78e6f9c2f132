import Foundation
import PQ

/// JSON as the contract writes it: `snake_case` keys (`agency_id`, `allocated_idr`) for Swift's
/// `camelCase` properties (`agencyID`, `allocatedIDR`).
public enum JSONCoding {
    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .custom { path in Key(snakeCase(path.last!.stringValue)) }
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    public static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .custom { path in Key(camelCase(path.last!.stringValue)) }
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    /// Words written in capitals in Swift names.
    private static let acronyms: Set<String> = ["id", "idr", "ids", "nik", "kk", "url"]

    /// `allocatedIDR` → `allocated_idr`, `agencyID` → `agency_id`; snake_case stays as it is.
    /// The same rule PQ uses to match columns to properties.
    /// Keys without a lowercase letter (flag names used as keys, `DECILE_ABOVE_4`) stay as they are.
    public static func snakeCase(_ name: String) -> String {
        name.contains(where: \.isLowercase) ? snakeCased(name) : name
    }

    /// `allocated_idr` → `allocatedIDR`, `program_id` → `programID`. Keys with digits
    /// (`decile_1_4`) stay as they are: their types name them with explicit CodingKeys.
    public static func camelCase(_ name: String) -> String {
        // One word stays as it is (the common case: `nik`, called for every key of every object).
        guard name.utf8.contains(UInt8(ascii: "_")) else { return name }
        if name.contains(where: \.isNumber) || !name.contains(where: \.isLowercase) { return name }
        let parts = name.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count > 1 else { return name }
        var result = String(parts[0])
        for part in parts.dropFirst() {
            let word = String(part)
            result += acronyms.contains(word) ? word.uppercased() : word.prefix(1).uppercased() + word.dropFirst()
        }
        return result
    }

    public struct Key: CodingKey {
        public var stringValue: String
        public var intValue: Int? { nil }
        public init(_ string: String) { stringValue = string }
        public init?(stringValue: String) { self.stringValue = stringValue }
        public init?(intValue: Int) { nil }
    }
}
