/// An amount of Indonesian rupiah, in whole rupiah.
///
/// Int64 rather than a floating type because budgets and disbursements must add up exactly; the rupiah has no
/// subunit in practice. Amounts can become negative through subtraction (a deficit, a correction), but amounts
/// coming from input go through the throwing `init`, which accepts only non-negative values.
/// Arithmetic traps on overflow, which at ~9.2 quintillion rupiah means a bug rather than a real budget.
public struct Rupiah: Sendable, Hashable, Comparable, Codable, AdditiveArithmetic, CustomStringConvertible {
    /// Whole rupiah; negative only as the result of arithmetic or `init(signed:)`.
    public let amount: Int64

    /// Zero rupiah.
    public static let zero = Rupiah(signed: 0)

    /// What one input amount may be: from zero to 10^15 rupiah (a thousand trillion), far
    /// above any regency's budget and far below where sums of many could overflow.
    public static let inputRange: ClosedRange<Int64> = 0...1_000_000_000_000_000

    /// An input amount: refuses negatives (field `amount`), because nobody receives or budgets a negative sum.
    public init(_ amount: Int64) throws(ValidationError) {
        guard amount >= 0 else { throw ValidationError(field: "amount", problem: "must not be negative") }
        self.amount = amount
    }

    /// Same as `init(_:)`, spelled out where the rule deserves to be visible at the call site.
    public static func nonNegative(_ amount: Int64) throws(ValidationError) -> Rupiah {
        try Rupiah(amount)
    }

    /// Any amount, including negative balances and differences; for values computed, not received.
    public init(signed amount: Int64) {
        self.amount = amount
    }

    /// True for deficits and other amounts below zero.
    public var isNegative: Bool { amount < 0 }

    /// Indonesian style, `Rp350.000.000` or `-Rp5.000`.
    public var formatted: String { IndonesianNumberFormat.rupiah(amount) }

    /// Same as `formatted`.
    public var description: String { formatted }

    /// Ordered by amount.
    public static func < (lhs: Rupiah, rhs: Rupiah) -> Bool { lhs.amount < rhs.amount }

    /// Sum; traps on overflow.
    public static func + (lhs: Rupiah, rhs: Rupiah) -> Rupiah { Rupiah(signed: lhs.amount + rhs.amount) }

    /// Difference, possibly negative; traps on overflow.
    public static func - (lhs: Rupiah, rhs: Rupiah) -> Rupiah { Rupiah(signed: lhs.amount - rhs.amount) }

    /// An amount per unit times a count (e.g. benefit × recipients); traps on overflow.
    public static func * (lhs: Rupiah, rhs: Int64) -> Rupiah { Rupiah(signed: lhs.amount * rhs) }

    /// A count times an amount per unit; traps on overflow.
    public static func * (lhs: Int64, rhs: Rupiah) -> Rupiah { rhs * lhs }

    /// Decodes a plain JSON integer. Negative numbers decode (so computed balances round-trip); validate
    /// request amounts with `init(_:)` or `nonNegative(_:)`.
    public init(from decoder: any Decoder) throws {
        self.init(signed: try decoder.singleValueContainer().decode(Int64.self))
    }

    /// Encodes as a plain JSON integer.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(amount)
    }
}

extension Sequence where Element == Rupiah {
    /// Total of all amounts; zero for an empty sequence. Traps on overflow.
    public func sum() -> Rupiah { reduce(.zero, +) }
}
