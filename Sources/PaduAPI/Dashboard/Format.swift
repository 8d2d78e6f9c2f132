import Foundation
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

// MARK: - The second edition: compact money, WIB dates, quarter names

extension DashboardFormat {
    /// Rupiah in words for headlines, three significant digits: `Rp4,94 miliar`, `Rp350 juta`,
    /// `Rp1,5 triliun`; under a million the exact figure (`Rp850.000`). nil → "—".
    public static func compactRupiah(_ amount: Int64?) -> String {
        guard let amount else { return missing }
        let magnitude = amount.magnitude
        let sign = amount < 0 ? "-" : ""
        let scales: [(scale: UInt64, word: String)] = [
            (1_000_000_000_000, "triliun"), (1_000_000_000, "miliar"), (1_000_000, "juta"),
        ]
        for (index, entry) in scales.enumerated() where magnitude >= entry.scale {
            let decimals = max(0, 3 - String(magnitude / entry.scale).count)
            var factor: UInt64 = 1
            for _ in 0..<decimals { factor *= 10 }
            let unit = entry.scale / factor
            var rounded = magnitude / unit
            if (magnitude % unit) * 2 >= unit { rounded += 1 }
            // 999,6 juta rounds to 1.000 juta: say 1 miliar.
            if index > 0, rounded >= 1000 * factor {
                return "\(sign)Rp1 \(scales[index - 1].word)"
            }
            let whole = IndonesianNumberFormat.integer(Int64(rounded / factor))
            var fraction = String(rounded % factor)
            if decimals > 0 {
                fraction = String(repeating: "0", count: decimals - fraction.count) + fraction
                while fraction.hasSuffix("0") { fraction.removeLast() }
            } else {
                fraction = ""
            }
            return "\(sign)Rp\(whole)\(fraction.isEmpty ? "" : "," + fraction) \(entry.word)"
        }
        return IndonesianNumberFormat.rupiah(amount)
    }

    static let months = [
        "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
        "November", "Desember",
    ]

    /// Western Indonesian Time: UTC+7 all year (no daylight saving), the same as Asia/Jakarta.
    static let wibCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 7 * 3600) ?? .gmt
        return calendar
    }()

    /// An instant in Jakarta time: `2 Desember 2026 07.15 WIB`. nil → "—".
    public static func wib(_ date: Date?) -> String {
        guard let date else { return missing }
        let parts = wibCalendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        guard let year = parts.year, let month = parts.month, let day = parts.day, let hour = parts.hour,
            let minute = parts.minute, (1...12).contains(month)
        else { return missing }
        let hh = hour < 10 ? "0\(hour)" : "\(hour)"
        let mm = minute < 10 ? "0\(minute)" : "\(minute)"
        return "\(day) \(months[month - 1]) \(year) \(hh).\(mm) WIB"
    }

    /// An RFC 3339 instant (`2019-07-01T08:00:00Z`, as the summary's `as_of`) in Jakarta time;
    /// text that is not one is shown as it is.
    public static func wib(_ rfc3339: String?) -> String {
        guard let rfc3339 else { return missing }
        let parser = ISO8601DateFormatter()
        guard let date = parser.date(from: rfc3339) else { return rfc3339 }
        return wib(date)
    }

    static let romanQuarters = ["I", "II", "III", "IV"]

    /// `Triwulan III 2019` for `2019-Q3`.
    public static func quarter(_ quarter: Quarter) -> String {
        "Triwulan \(romanQuarters[max(0, min(3, quarter.quarter - 1))]) \(quarter.year)"
    }

    /// A change between two figures as a signed percentage (`+12,5%`, `-3,0%`); "baru" when the
    /// previous was zero and this is not; "—" when both are zero.
    public static func change(_ current: Int64, from previous: Int64) -> String {
        guard previous != 0 else { return current == 0 ? missing : "baru" }
        let ratio = (Double(current) - Double(previous)) / Double(previous.magnitude)
        let text = percent(ratio)
        return ratio > 0 ? "+" + text : text
    }
}
