// Indonesian number formatting in pure Swift (no Foundation, no locale lookups), so the output is
// identical on every machine: dots group thousands, a comma separates the decimal.

/// Formatting helpers for the dashboard (Bahasa Indonesia conventions).
public enum DashboardFormat {
    /// What is shown for a missing, suppressed or undefined figure.
    public static let missing = "—"

    /// `Rp350.000.000`, `-Rp5.000`, `Rp0`; nil → "—".
    public static func rupiah(_ amount: Int64?) -> String {
        guard let amount else { return missing }
        let digits = grouped(amount.magnitude)
        return amount < 0 ? "-Rp" + digits : "Rp" + digits
    }

    /// `1.234.567`, `-1.000`; nil → "—".
    public static func integer(_ value: Int?) -> String {
        guard let value else { return missing }
        let digits = grouped(UInt64(value.magnitude))
        return value < 0 ? "-" + digits : digits
    }

    /// A fraction as a percentage with one decimal and a decimal comma: 0.9486 → `94,9%`.
    /// Rounds half away from zero. nil, NaN and infinity → "—".
    public static func percent(_ fraction: Double?) -> String {
        guard let fraction, fraction.isFinite else { return missing }
        let tenths = (fraction * 1000).rounded(.toNearestOrAwayFromZero)
        guard tenths.isFinite, tenths.magnitude < 1e15 else { return missing }
        let value = Int64(tenths)
        let sign = value < 0 ? "-" : ""
        let magnitude = value.magnitude
        return "\(sign)\(grouped(magnitude / 10)),\(magnitude % 10)%"
    }

    /// `part / whole` as a fraction, or nil when either is missing or `whole` is not positive.
    public static func ratio(_ part: Int?, of whole: Int?) -> Double? {
        guard let part, let whole, whole > 0 else { return nil }
        return Double(part) / Double(whole)
    }

    /// Digits of `magnitude` grouped in threes with dots: 1234567 → `1.234.567`.
    static func grouped(_ magnitude: UInt64) -> String {
        let digits = Array(String(magnitude))
        var out = ""
        out.reserveCapacity(digits.count + digits.count / 3)
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 {
                out.append(".")
            }
            out.append(digit)
        }
        return out
    }
}
