import Foundation
import PaduCore
import PaduStore

/// A value that writes its JSON straight into bytes. For the responses that carry thousands of
/// recipients (a registry check, a plan), where `JSONEncoder`'s generic machinery cost more
/// than the database's work. The output is the bytes `JSONCoding.encoder` would write for the
/// same value (snake_case keys, sorted, nil omitted): `DirectJSONTests` holds them together.
protocol DirectJSONEncodable: Encodable, JSONWritable {
    /// About how many bytes the JSON takes: reserved up front, so that a large response is not
    /// copied each time it outgrows its buffer (untouched reserved pages cost no memory).
    var jsonCapacity: Int { get }
}

extension DirectJSONEncodable {
    var jsonCapacity: Int { 4096 }
}

/// A value that writes its own JSON into a `JSONWriter`.
protocol JSONWritable {
    func writeJSON(to writer: inout JSONWriter)
}

extension JSONCoding {
    /// The value as JSON, directly where it knows how.
    static func encode<Value: Encodable>(_ value: Value) throws -> [UInt8] {
        if let direct = value as? any DirectJSONEncodable {
            var writer = JSONWriter(capacity: direct.jsonCapacity)
            direct.writeJSON(to: &writer)
            return writer.bytes
        }
        return Array(try encoder.encode(value))
    }
}

/// Appends JSON tokens to a byte buffer. Objects write their keys in sorted order themselves.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []
    private var first = true

    init(capacity: Int = 4096) { bytes.reserveCapacity(capacity) }

    /// `{ ... }`: `body` writes the members.
    mutating func object(_ body: (inout JSONWriter) -> Void) {
        bytes.append(UInt8(ascii: "{"))
        first = true
        body(&self)
        bytes.append(UInt8(ascii: "}"))
        first = false
    }

    /// `[ ... ]` of `elements`, each written by `element`.
    mutating func array<Element>(_ elements: [Element], _ element: (inout JSONWriter, Element) -> Void) {
        bytes.append(UInt8(ascii: "["))
        for (index, value) in elements.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            element(&self, value)
        }
        bytes.append(UInt8(ascii: "]"))
        first = false
    }

    /// A member's key; the value follows.
    mutating func key(_ name: StaticString) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    mutating func member(_ name: StaticString, _ value: String?) {
        guard let value else { return }
        key(name)
        string(value)
    }

    mutating func member<Integer: BinaryInteger>(_ name: StaticString, _ value: Integer?) {
        guard let value else { return }
        key(name)
        bytes.append(contentsOf: String(value).utf8)
    }

    mutating func member(_ name: StaticString, _ value: Bool) {
        key(name)
        bytes.append(contentsOf: value ? "true".utf8 : "false".utf8)
    }

    mutating func member(_ name: StaticString, _ value: Bool?) {
        guard let value else { return }
        member(name, value)
    }

    /// An instant as `JSONCoding.encoder` writes it: ISO 8601 in UTC, whole seconds.
    mutating func member(_ name: StaticString, _ value: Date?) {
        guard let value else { return }
        key(name)
        string(value.formatted(.iso8601))
    }

    mutating func member(_ name: StaticString, _ values: [String]) {
        key(name)
        array(values) { writer, value in writer.string(value) }
    }

    /// A string-valued enum (a status, a flag) as its raw value.
    mutating func member<Value: RawRepresentable<String>>(_ name: StaticString, _ value: Value?) {
        member(name, value?.rawValue)
    }

    mutating func member<Value: RawRepresentable<String>>(_ name: StaticString, _ values: [Value]) {
        key(name)
        array(values) { writer, value in writer.string(value.rawValue) }
    }

    mutating func member<Value: JSONWritable>(_ name: StaticString, _ values: [Value]?) {
        guard let values else { return }
        key(name)
        array(values) { writer, value in value.writeJSON(to: &writer) }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// A string literal, escaped as RFC 8259 requires (slashes left as they are). Most strings
    /// need no escape and are copied whole (byte by byte, an 8.7 MB check response took 90 ms).
    mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        // A native string's bytes in place (no copy of the string, no retain); others copied once.
        if value.utf8.withContiguousStorageIfAvailable({ literal($0) }) == nil {
            var copy = value
            copy.withUTF8 { literal($0) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func literal(_ utf8: UnsafeBufferPointer<UInt8>) {
        if utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            escape(utf8)
        } else {
            bytes.append(contentsOf: utf8)
        }
    }

    private mutating func escape(_ utf8: UnsafeBufferPointer<UInt8>) {
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): bytes.append(contentsOf: #"\\"#.utf8)
            case 0x0A: bytes.append(contentsOf: #"\n"#.utf8)
            case 0x0D: bytes.append(contentsOf: #"\r"#.utf8)
            case 0x09: bytes.append(contentsOf: #"\t"#.utf8)
            case 0x08: bytes.append(contentsOf: #"\b"#.utf8)
            case 0x0C: bytes.append(contentsOf: #"\f"#.utf8)
            case 0x00..<0x20:
                bytes.append(contentsOf: #"\u00"#.utf8)
                bytes.append(Self.hexDigits[Int(byte >> 4)])
                bytes.append(Self.hexDigits[Int(byte & 0x0F)])
            default: bytes.append(byte)
            }
        }
    }
}

extension OtherAid: JSONWritable {
    func writeJSON(to writer: inout JSONWriter) {
        writer.object { writer in
            writer.member("agency", agency)
            writer.member("aid_category", aidCategory)
            writer.member("aid_kind", aidKind)
            writer.member("deliveries", deliveries)
            writer.member("last_delivered_on", lastDeliveredOn)
            writer.member("program", program)
        }
    }
}

extension OtherPlan: JSONWritable {
    func writeJSON(to writer: inout JSONWriter) {
        writer.object { writer in
            writer.member("agency", agency)
            writer.member("aid_category", aidCategory)
            writer.member("period", period)
            writer.member("program", program)
            writer.member("status", status)
        }
    }
}

extension RecipientCheck: JSONWritable {
    func writeJSON(to writer: inout JSONWriter) {
        writer.object { writer in
            if let acknowledgedFlags { writer.member("acknowledged_flags", acknowledgedFlags) }
            writer.member("agency", agency)
            writer.member("decile", decile)
            writer.member("flags", flags)
            writer.member("head_of_household", headOfHousehold)
            writer.member("in_registry", inRegistry)
            writer.member("kk", kk)
            writer.member("line_no", lineNo)
            writer.member("name_matches", nameMatches)
            writer.member("nik", nik)
            writer.member("other_aid", otherAid)
            writer.member("other_plans", otherPlans)
            writer.member("planned_quantity", plannedQuantity)
            writer.member("planned_value_idr", plannedValueIDR?.amount)
            writer.member("program", program)
            writer.member("registry_as_of", registryAsOf)
            writer.member("rejection_reason", rejectionReason)
            writer.member("status", status)
            writer.member("valid", valid)
            writer.member("village", village)
        }
    }
}

extension CheckResponse: DirectJSONEncodable {
    /// A recipient with other aid and other plans takes 600-1,500 bytes; one without, about 150.
    var jsonCapacity: Int { 4096 + 1024 * recipients.count }

    func writeJSON(to writer: inout JSONWriter) {
        writer.object { writer in writer.member("recipients", recipients) }
    }
}

extension Plan: DirectJSONEncodable {
    var jsonCapacity: Int { 4096 + 1024 * (recipients?.count ?? 0) }

    func writeJSON(to writer: inout JSONWriter) {
        writer.object { writer in
            writer.member("agency_id", agencyID)
            writer.member("approved_count", approvedCount)
            writer.member("created_at", createdAt)
            writer.member("decided_at", decidedAt)
            writer.member("decision_reason", decisionReason)
            writer.member("fiscal_year", fiscalYear.year)
            writer.member("id", id)
            writer.member("period", period.description)
            writer.member("program_id", programID)
            writer.member("recipient_count", recipientCount)
            writer.member("recipients", recipients)
            writer.member("status", status)
            writer.member("submitted_at", submittedAt)
        }
    }
}
