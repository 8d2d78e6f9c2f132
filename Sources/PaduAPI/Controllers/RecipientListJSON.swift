/// A recipient list's JSON body read straight from its bytes, when it has the plain shape clients
/// send: the four members of `CoordinationRequest.RecipientList` and the five of `Recipient` under
/// their snake_case names, each at most once, as strings without escapes, whole numbers without
/// fraction or exponent, or `null`. Any other body (an escape, a fraction, an unknown or repeated
/// key, a value of another type, malformed JSON) gives nil, and `JSONDecoder` reads it as before,
/// with its errors: this reader decides nothing that decoder would answer differently
/// (`RecipientListJSONTests` holds the two to the same values). For 10,000 recipients
/// `JSONDecoder` took about 15 ms of the request's CPU (docs/benchmarks.md).
struct RecipientListJSON {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// The list, or nil when the body is not of the plain shape.
    static func read(_ body: [UInt8]) -> CoordinationRequest.RecipientList? {
        body.withUnsafeBufferPointer { buffer in
            var reader = RecipientListJSON(buffer)
            guard let list = reader.list() else { return nil }
            reader.skipWhitespace()
            return reader.index == buffer.count ? list : nil
        }
    }

    private mutating func list() -> CoordinationRequest.RecipientList? {
        var list = CoordinationRequest.RecipientList()
        var seen = Seen()
        let read = members { reader, key in
            if reader.key(key, is: "program_id"), seen.first(0) {
                return reader.nullable { $0.integer() }.map { list.programID = $0 } != nil
            } else if reader.key(key, is: "fiscal_year"), seen.first(1) {
                return reader.nullable { $0.integer().map(Int.init) }.map { list.fiscalYear = $0 } != nil
            } else if reader.key(key, is: "period"), seen.first(2) {
                return reader.nullable { $0.string() }.map { list.period = $0 } != nil
            } else if reader.key(key, is: "recipients"), seen.first(3) {
                return reader.nullable { $0.recipients() }.map { list.recipients = $0 } != nil
            }
            return false
        }
        return read ? list : nil
    }

    private mutating func recipients() -> [CoordinationRequest.Recipient]? {
        guard consume(UInt8(ascii: "[")) else { return nil }
        var recipients: [CoordinationRequest.Recipient] = []
        // About 25 bytes a recipient at the least (`{"nik":"…16 digits…"},`), and no more than a
        // list may hold (a longer one is refused after reading).
        recipients.reserveCapacity(min((bytes.count - index) / 25, RecipientList.limit + 1))
        if consume(UInt8(ascii: "]")) { return recipients }
        repeat {
            guard let recipient = recipient() else { return nil }
            recipients.append(recipient)
        } while consume(UInt8(ascii: ","))
        return consume(UInt8(ascii: "]")) ? recipients : nil
    }

    private mutating func recipient() -> CoordinationRequest.Recipient? {
        var recipient = CoordinationRequest.Recipient()
        var seen = Seen()
        let read = members { reader, key in
            if reader.key(key, is: "nik"), seen.first(0) {
                return reader.nullable { $0.string() }.map { recipient.nik = $0 } != nil
            } else if reader.key(key, is: "kk"), seen.first(1) {
                return reader.nullable { $0.string() }.map { recipient.kk = $0 } != nil
            } else if reader.key(key, is: "name"), seen.first(2) {
                return reader.nullable { $0.string() }.map { recipient.name = $0 } != nil
            } else if reader.key(key, is: "planned_value_idr"), seen.first(3) {
                return reader.nullable { $0.integer() }.map { recipient.plannedValueIDR = $0 } != nil
            } else if reader.key(key, is: "planned_quantity"), seen.first(4) {
                return reader.nullable { $0.integer() }.map { recipient.plannedQuantity = $0 } != nil
            }
            return false
        }
        return read ? recipient : nil
    }

    /// Which keys an object has given, so that a repeated one is left to `JSONDecoder`.
    private struct Seen {
        private var bits: UInt8 = 0
        mutating func first(_ bit: UInt8) -> Bool {
            defer { bits |= 1 << bit }
            return bits & (1 << bit) == 0
        }
    }

    /// `{ "key": value, ... }`: `member` reads each value after its key (false: not plain).
    private mutating func members(_ member: (inout Self, Range<Int>) -> Bool) -> Bool {
        guard consume(UInt8(ascii: "{")) else { return false }
        if consume(UInt8(ascii: "}")) { return true }
        repeat {
            guard let key = rawString(), consume(UInt8(ascii: ":")), member(&self, key) else { return false }
        } while consume(UInt8(ascii: ","))
        return consume(UInt8(ascii: "}"))
    }

    private func key(_ range: Range<Int>, is name: StaticString) -> Bool {
        name.withUTF8Buffer { name in
            name.count == range.count && zip(name, bytes[range]).allSatisfy { $0 == $1 }
        }
    }

    /// `null` (`.some(nil)`), or what `read` reads; nil when neither.
    private mutating func nullable<Value>(_ read: (inout Self) -> Value?) -> Value?? {
        skipWhitespace()
        if bytes.count - index >= 4, key(index..<index + 4, is: "null") {
            index += 4
            return .some(nil)
        }
        guard let value = read(&self) else { return nil }
        return .some(value)
    }

    /// A string without escapes or control characters, as valid UTF-8.
    private mutating func string() -> String? {
        guard let range = rawString() else { return nil }
        return String(validating: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    /// The bytes between a string's quotes, when it has no escape and no control character.
    private mutating func rawString() -> Range<Int>? {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        var end = index + 1
        while end < bytes.count {
            let byte = bytes[end]
            if byte == UInt8(ascii: "\"") {
                defer { index = end + 1 }
                return index + 1..<end
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
            end += 1
        }
        return nil
    }

    /// `-?(0|[1-9][0-9]*)` within Int64; a fraction, an exponent or an overflow is not plain.
    private mutating func integer() -> Int64? {
        skipWhitespace()
        var position = index
        let negative = position < bytes.count && bytes[position] == UInt8(ascii: "-")
        if negative { position += 1 }
        let first = position
        var value: Int64 = 0
        while position < bytes.count, bytes[position] >= UInt8(ascii: "0"), bytes[position] <= UInt8(ascii: "9") {
            let digit = Int64(bytes[position] - UInt8(ascii: "0"))
            let (tens, overflowed) = value.multipliedReportingOverflow(by: 10)
            // Negative numbers are accumulated below zero, so that Int64.min is reached.
            let (next, overflowedAgain) =
                negative ? tens.subtractingReportingOverflow(digit) : tens.addingReportingOverflow(digit)
            guard !overflowed, !overflowedAgain else { return nil }
            value = next
            position += 1
        }
        guard position > first, position - first == 1 || bytes[first] != UInt8(ascii: "0") else { return nil }
        if position < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[position]) {
            return nil
        }
        index = position
        return value
    }

    private mutating func consume(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }
}
