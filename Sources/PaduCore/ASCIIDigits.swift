/// Digit handling shared by the parsers.
///
/// Works on UTF-8 bytes rather than `Character.isNumber` on purpose: Arabic-Indic "١٦٠٦" or full-width digits
/// are numbers to Unicode but are not valid in an NIK, a region code or an ISO date.
enum ASCIIDigits {
    /// The value of one ASCII digit byte, or nil for anything else.
    static func value(of byte: UInt8) -> Int? {
        (0x30...0x39).contains(byte) ? Int(byte &- 0x30) : nil
    }

    /// True when `bytes` is non-empty and made only of ASCII digits.
    static func areAll<C: Collection<UInt8>>(_ bytes: C) -> Bool {
        !bytes.isEmpty && bytes.allSatisfy { value(of: $0) != nil }
    }

    /// The number spelled by `bytes`, or nil if empty, not all digits, or too long to be one of our fields.
    static func parse<C: Collection<UInt8>>(_ bytes: C) -> Int? {
        guard areAll(bytes), bytes.count <= 9 else { return nil }
        return bytes.reduce(0) { $0 * 10 + (value(of: $1) ?? 0) }
    }

    /// `n` written with at least `width` digits, zero-padded on the left (`pad(5, width: 2)` is `05`).
    static func pad(_ n: Int, width: Int) -> String {
        let digits = String(n.magnitude)
        let zeros = String(repeating: "0", count: max(0, width - digits.count))
        return (n < 0 ? "-" : "") + zeros + digits
    }
}
