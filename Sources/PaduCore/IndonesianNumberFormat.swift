/// Number formatting in Indonesian convention: `.` groups thousands and `,` separates decimals
/// (`1.234.567`, `94,9%`).
///
/// Pure Swift rather than Foundation's `NumberFormatter`, so output is identical on Linux and macOS and does not
/// depend on which ICU locale data happens to be installed on the server.
public enum IndonesianNumberFormat {
    /// Whole number with dot thousands separators: `1234567` → `1.234.567`, `-5000` → `-5.000`.
    public static func integer(_ n: Int64) -> String {
        (n < 0 ? "-" : "") + grouped(String(n.magnitude))
    }

    /// Rupiah amount: `Rp350.000.000`; negative amounts put the sign first, `-Rp5.000`.
    public static func rupiah(_ amount: Int64) -> String {
        (amount < 0 ? "-" : "") + "Rp" + grouped(String(amount.magnitude))
    }

    /// A ratio as a percentage: `0.9486` → `94,9%`, `1` → `100,0%`. Rounds half away from zero.
    public static func fraction(_ value: Double, digits: Int = 1) -> String {
        decimal(value, digits: digits, shift: 2) + (value.isFinite ? "%" : "")
    }

    /// A plain decimal with `digits` decimals: `1234.5` → `1.234,5`. Rounds half away from zero.
    public static func decimal(_ value: Double, digits: Int = 1) -> String {
        decimal(value, digits: digits, shift: 0)
    }

    /// Rounds the shortest decimal spelling of `value × 10^shift` rather than the binary double, so that values
    /// a person would call "exactly half" (0.00145 → 0,145% → 0,15%) round up as they expect instead of down because of
    /// binary representation error (0.00145 × 100 is 0.144999… as a `Double`).
    private static func decimal(_ value: Double, digits requested: Int, shift: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value < 0 ? "-∞" : "∞") }
        let fractionDigits = max(0, requested)
        var (digits, point) = decimalDigits(of: value.magnitude)
        point += shift

        // Pad so the point lies inside the digit string and one digit exists past the rounding position.
        if point < 0 {
            digits.insert(contentsOf: repeatElement(0, count: -point), at: 0)
            point = 0
        }
        let keep = point + fractionDigits
        if digits.count < keep + 1 { digits += repeatElement(0, count: keep + 1 - digits.count) }

        let roundsUp = digits[keep] >= 5
        digits.removeSubrange(keep...)
        if roundsUp {
            var index = digits.count - 1
            while index >= 0, digits[index] == 9 {
                digits[index] = 0
                index -= 1
            }
            if index >= 0 {
                digits[index] += 1
            } else {
                digits.insert(1, at: 0)
                point += 1
            }
        }

        let integerPart = digits[..<point].drop { $0 == 0 }.map(String.init).joined()
        var text = grouped(integerPart.isEmpty ? "0" : integerPart)
        if fractionDigits > 0 { text += "," + digits[point...].map(String.init).joined() }
        let isZero = digits.allSatisfy { $0 == 0 }
        return (value < 0 && !isZero ? "-" : "") + text
    }

    /// Decimal digits of a non-negative finite `value` and the position of the decimal point among them,
    /// taken from Swift's shortest round-tripping description (`94.86`, `1e-05`, `1.5e+20`).
    private static func decimalDigits(of value: Double) -> (digits: [Int], point: Int) {
        let text = value.description
        let parts = text.split(separator: "e", maxSplits: 1)
        let exponent = parts.count == 2 ? Int(parts[1]) ?? 0 : 0
        let mantissa = parts[0].split(separator: ".", omittingEmptySubsequences: false)
        let integerDigits = mantissa[0].compactMap(\.wholeNumberValue)
        let fractionDigits = mantissa.count > 1 ? mantissa[1].compactMap(\.wholeNumberValue) : []
        return (integerDigits + fractionDigits, integerDigits.count + exponent)
    }

    /// Inserts a dot every three digits from the right of a run of ASCII digits.
    private static func grouped(_ digits: String) -> String {
        var result = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { result.append(".") }
            result.append(character)
        }
        return result
    }
}
