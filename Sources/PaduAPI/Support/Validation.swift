import Foundation
import PaduCore

/// The API collects every problem of a request with PaduCore's `ValidationCollector` before
/// answering 422 once; these are the checks request bodies need beyond the domain types.
typealias Problems = ValidationCollector

extension ValidationCollector {
    /// What to throw when the values a handler needs are not all there: the problems found
    /// (a missing value always recorded one). Used as `guard let a, let b, problems.isEmpty
    /// else { throw problems.failure }`, so nothing is unwrapped by force.
    var failure: ValidationError { error ?? ValidationError(field: "body", problem: "is not valid") }

    mutating func add(_ field: String, _ problem: String) {
        add(field: field, problem: problem)
    }

    /// `value`, or a "is required" problem when it is missing.
    mutating func require<T>(_ value: T?, _ field: String) -> T? {
        if value == nil { add(field, "is required") }
        return value
    }

    /// Validates `text` with a PaduCore initializer, recording its problems under `field`.
    mutating func check<T>(_ field: String, _ text: String?, _ make: (String) throws -> T) -> T? {
        guard let text else { return nil }
        return check(field) { try make(text) }
    }

    /// One of the enum's raw values, or a problem listing them.
    mutating func choice<Value: RawRepresentable<String> & CaseIterable>(
        _ text: String?, _ field: String, as type: Value.Type = Value.self
    ) -> Value? {
        guard let text else { return nil }
        if let value = Value(rawValue: text) { return value }
        add(field, "must be one of \(Value.allCases.map(\.rawValue).joined(separator: ", "))")
        return nil
    }

    /// Text that is not blank and at most `max` characters; returned trimmed of spaces.
    @discardableResult
    mutating func text(_ value: String?, _ field: String, max: Int) -> String? {
        guard let value else { return nil }
        var ok = true
        if value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            add(field, "must not be empty")
            ok = false
        }
        if value.count > max {
            add(field, "must be at most \(max) characters")
            ok = false
        }
        return ok ? value.trimmingCharacters(in: .whitespaces) : nil
    }

    /// `value` when it lies in `range`.
    @discardableResult
    mutating func range<T: Comparable>(_ value: T?, _ range: ClosedRange<T>, _ field: String) -> T? {
        guard let value else { return nil }
        guard range.contains(value) else {
            add(field, "must be from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return value
    }

    /// A count that may not be negative.
    @discardableResult
    mutating func count(_ value: Int64?, _ field: String) -> Int64? {
        guard let value else { return nil }
        guard value >= 0 else {
            add(field, "must not be negative")
            return nil
        }
        return value
    }

    /// Whole rupiah within `Rupiah.inputRange`.
    @discardableResult
    mutating func money(_ value: Int64?, _ field: String) -> Rupiah? {
        guard let value else { return nil }
        if value < 0 { add(field, "must not be negative") }
        if value > Rupiah.inputRange.upperBound {
            add(field, "must be at most \(Rupiah.inputRange.upperBound) rupiah")
        }
        return Rupiah.inputRange.contains(value) ? Rupiah(signed: value) : nil
    }

    /// A fiscal year (`FiscalYear.validYears`).
    mutating func fiscalYear(_ value: Int?, _ field: String) -> FiscalYear? {
        guard let value else { return nil }
        guard let year = try? FiscalYear(value) else {
            add(field, "must be a year from \(FiscalYear.validYears.lowerBound) to \(FiscalYear.validYears.upperBound)")
            return nil
        }
        return year
    }
}

/// A fiscal year from a path or query (field `year`).
func fiscalYear(_ text: String?) throws -> FiscalYear {
    var problems = Problems()
    guard let year = problems.fiscalYear(text.flatMap { Int($0) } ?? Int.min, "year") else {
        throw problems.failure
    }
    return year
}

/// `2019-Q2` from a path or query, validated.
func quarter(_ text: String?, field: String = "period") throws -> Quarter {
    var problems = Problems()
    guard let quarter = problems.check(field, problems.require(text, field), { try Quarter($0) }) else {
        throw problems.failure
    }
    return quarter
}
