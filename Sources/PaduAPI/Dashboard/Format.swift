import PaduCore

/// The dashboard's figures in Bahasa Indonesia conventions, with a dash where a figure is
/// missing, suppressed or undefined. The digits come from PaduCore's one
/// `IndonesianNumberFormat`.
public enum DashboardFormat {
    /// What is shown for a missing, suppressed or undefined figure.
    public static let missing = "—"

    /// `Rp350.000.000`, `-Rp5.000`, `Rp0`; nil → "—".
    public static func rupiah(_ amount: Int64?) -> String {
        amount.map(IndonesianNumberFormat.rupiah) ?? missing
    }

    /// `1.234.567`, `-1.000`; nil → "—".
    public static func integer(_ value: Int?) -> String {
        value.map { IndonesianNumberFormat.integer(Int64($0)) } ?? missing
    }

    /// A fraction as a percentage with one decimal and a decimal comma: 0.9486 → `94,9%`.
    /// Rounds half away from zero. nil, NaN and infinity → "—".
    public static func percent(_ fraction: Double?) -> String {
        guard let fraction, fraction.isFinite else { return missing }
        return IndonesianNumberFormat.fraction(fraction, digits: 1)
    }

    /// `part / whole` as a fraction, or nil when either is missing or `whole` is not positive.
    public static func ratio(_ part: Int?, of whole: Int?) -> Double? {
        guard let part, let whole, whole > 0 else { return nil }
        return Double(part) / Double(whole)
    }
}
