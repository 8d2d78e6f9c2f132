import Foundation
import PaduCore

/// Collects every problem of a request body before answering 422 once.
struct Problems {
    private(set) var details: [APIError.Detail] = []

    mutating func add(_ field: String, _ problem: String) {
        details.append(APIError.Detail(field: field, problem: problem))
    }

    mutating func require<T>(_ value: T?, _ field: String) -> T? {
        if value == nil { add(field, "is required") }
        return value
    }

    /// Validates `text` with a PaduCore initializer, recording its problems under `field`.
    mutating func check<T>(_ field: String, _ text: String?, _ make: (String) throws -> T) -> T? {
        guard let text else { return nil }
        do {
            return try make(text)
        } catch let error as ValidationError {
            for problem in error.problems { add(field, problem.problem) }
        } catch {
            add(field, "is not valid")
        }
        return nil
    }

    mutating func oneOf(_ value: String?, _ allowed: [String], _ field: String) {
        if let value, !allowed.contains(value) { add(field, "must be one of \(allowed.joined(separator: ", "))") }
    }

    mutating func text(_ value: String?, _ field: String, max: Int) {
        guard let value else { return }
        if value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { add(field, "must not be empty") }
        if value.count > max { add(field, "must be at most \(max) characters") }
    }

    mutating func range<T: Comparable>(_ value: T?, _ range: ClosedRange<T>, _ field: String) {
        if let value, !range.contains(value) { add(field, "must be from \(range.lowerBound) to \(range.upperBound)") }
    }

    /// Whole rupiah from 0 to 10^15.
    mutating func money(_ value: Int64?, _ field: String) {
        guard let value else { return }
        if value < 0 { add(field, "must not be negative") }
        if value > 1_000_000_000_000_000 { add(field, "must be at most 1000000000000000 rupiah") }
    }

    func throwIfAny() throws {
        if !details.isEmpty { throw APIError.validation(details) }
    }
}
