import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PaduStore

/// What a request body is, judged by its Content-Type.
enum BodyFormat {
    case json, csv, xlsx

    /// A spreadsheet body (CSV or XLSX) as a table read by column name; `maxRows` bounds a
    /// workbook's sheet (CSV is bounded by the body limit alone), `maxUnpackedBytes` what a
    /// workbook may unpack to (413 over it).
    func table(_ bytes: [UInt8], maxRows: Int, maxUnpackedBytes: Int = 64 << 20) throws -> CSV.Table {
        switch self {
        case .json: preconditionFailure("JSON is not a table")
        case .csv:
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw APIError.malformed("the CSV is not UTF-8 text")
            }
            return try CSV.Table(text)
        case .xlsx:
            do {
                return try CSV.Table(
                    XLSX.read(bytes, limits: .init(maxUnpackedBytes: maxUnpackedBytes, maxRows: maxRows + 1)))
            } catch let error as XLSX.ReadError {
                switch error {
                case .notWorkbook(let reason):
                    throw APIError.validation(field: "body", problem: "is not a readable XLSX workbook: \(reason)")
                case .tooLarge(let limit):
                    throw APIError(
                        .contentTooLarge, code: "payload_too_large",
                        message: "the workbook unpacks to more than \(limit) bytes")
                case .tooManyRows(let limit):
                    throw APIError.validation(
                        field: "body", problem: "the first sheet has more than \(limit - 1) rows below the header")
                }
            }
        }
    }
}

extension Request {
    /// The body's bytes, refusing more than `limit` with 413.
    mutating func bodyBytes(limit: Int) async throws -> [UInt8] {
        do {
            let buffer = try await collectBody(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw APIError.payloadTooLarge(limit: limit)
        }
    }

    /// JSON, or where `allowCSV` also CSV or an XLSX workbook, from Content-Type; anything else
    /// is 415.
    func bodyFormat(allowCSV: Bool) throws -> BodyFormat {
        let type = (headers[.contentType] ?? "").split(separator: ";").first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        switch type {
        case "application/json": return .json
        case "text/csv" where allowCSV: return .csv
        case XLSX.mediaType where allowCSV: return .xlsx
        default:
            throw APIError.unsupportedMediaType(
                allowCSV ? "application/json, text/csv or \(XLSX.mediaType)" : "application/json")
        }
    }

    /// Decodes a JSON body: 415 for another media type, 413 over the limit, 400 for JSON that
    /// does not parse, 422 naming the field for a value of the wrong type or a missing field.
    mutating func decodeJSON<Value: Decodable>(
        _ type: Value.Type, context: PaduRequestContext, limit: Int? = nil
    ) async throws -> (Value, [UInt8]) {
        _ = try bodyFormat(allowCSV: false)
        let bytes = try await bodyBytes(limit: limit ?? context.maxUploadSize)
        return (try decodeJSONBytes(type, bytes), bytes)
    }

    /// Whether the client asked for CSV (`Accept: text/csv`, or `?csv=excel`).
    var wantsCSV: Bool {
        (headers[.accept] ?? "").lowercased().contains("text/csv") || uri.queryParameters.get("csv") != nil
    }

    /// Whether the client asked for an XLSX workbook (`Accept:` its media type).
    var wantsXLSX: Bool {
        (headers[.accept] ?? "").lowercased().contains(XLSX.mediaType)
    }

    /// `?csv=excel` (`;`, a byte order mark, decimal commas) or `?csv=standard`, the default.
    func csvDialect() throws -> SheetDocument.CSVDialect {
        guard let name = uri.queryParameters.get("csv") else { return .standard }
        guard let dialect = SheetDocument.CSVDialect(rawValue: name) else {
            throw APIError.validation(field: "csv", problem: "must be excel or standard")
        }
        return dialect
    }
}

/// Decodes JSON bytes: 400 for JSON that does not parse, 422 naming the field for a value of the
/// wrong type, a missing field, a number out of its type's range, or text PostgreSQL cannot
/// store (a NUL character, `\u0000`).
func decodeJSONBytes<Value: Decodable>(_ type: Value.Type, _ bytes: [UInt8]) throws -> Value {
    do {
        let value = try JSONCoding.decoder.decode(type, from: Data(bytes))
        try rejectNUL(inJSON: bytes)
        return value
    } catch let error as DecodingError {
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            // Valid JSON can still fail here when a number fits no whole-number type (2^64,
            // 1e308, 1.5): name those fields.
            guard let object = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
            else { throw APIError.malformed("the body is not valid JSON") }
            let fields = numbersOutsideInt64(object, "")
            throw APIError.validation(
                (fields.isEmpty ? ["body"] : fields).map {
                    APIError.Detail(
                        field: $0, problem: "must be a whole number from -9223372036854775808 to 9223372036854775807")
                })
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            throw APIError.validation(field: fieldPath(context.codingPath), problem: problemText(error))
        case .keyNotFound(let key, let context):
            throw APIError.validation(field: fieldPath(context.codingPath + [key]), problem: "is required")
        @unknown default:
            throw APIError.malformed("the body could not be read")
        }
    }
}

/// `recipients[3].nik` from a coding path.
func fieldPath(_ path: [any CodingKey]) -> String {
    var text = ""
    for key in path {
        if let index = key.intValue {
            text += "[\(index)]"
        } else {
            text += (text.isEmpty ? "" : ".") + JSONCoding.snakeCase(key.stringValue)
        }
    }
    return text.isEmpty ? "body" : text
}

private func problemText(_ error: DecodingError) -> String {
    switch error {
    case .typeMismatch(let type, _): "must be \(jsonTypeName(type))"
    case .valueNotFound(let type, _): "must be \(jsonTypeName(type)), not null"
    case .dataCorrupted(let context): context.debugDescription.isEmpty ? "is not valid" : context.debugDescription
    default: "is not valid"
    }
}

private func jsonTypeName(_ type: Any.Type) -> String {
    switch type {
    case is String.Type: "a string"
    case is Bool.Type: "true or false"
    case is Int.Type, is Int64.Type, is Int32.Type, is Int16.Type: "a whole number"
    case is Double.Type: "a number"
    default: "a value of the right type"
    }
}

/// PostgreSQL text cannot hold the character NUL. In JSON it can only arrive escaped
/// (`\u0000`; a raw control character is not valid JSON): each string or key holding one is
/// a 422 naming its field.
func rejectNUL(inJSON bytes: [UInt8]) throws {
    guard containsEscapedNUL(bytes) else { return }
    var fields: [String] = []
    func visit(_ value: Any, _ path: String) {
        switch value {
        case let text as String:
            if text.unicodeScalars.contains("\0") { fields.append(path.isEmpty ? "body" : path) }
        case let array as [Any]:
            for (index, element) in array.enumerated() { visit(element, path + "[\(index)]") }
        case let object as [String: Any]:
            for (key, element) in object.sorted(by: { $0.key < $1.key }) {
                if key.unicodeScalars.contains("\0") { fields.append(path.isEmpty ? "body" : path) }
                visit(element, path.isEmpty ? key : path + "." + key)
            }
        default: break
        }
    }
    if let object = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) {
        visit(object, "")
    }
    if fields.isEmpty { fields = ["body"] }
    throw APIError.validation(fields.map { APIError.Detail(field: $0, problem: nulProblem) })
}

let nulProblem = "must not contain the character NUL (\\u0000)"

/// Whether JSON text holds the escape `\u0000` (and not an escaped backslash before `u0000`).
func containsEscapedNUL(_ bytes: [UInt8]) -> Bool {
    let backslash = UInt8(ascii: "\\")
    var index = bytes.startIndex
    while index < bytes.endIndex {
        if bytes[index] == backslash {
            let rest = bytes[(index + 1)...].prefix(5)
            if rest.elementsEqual("u0000".utf8) { return true }
            index += 2
        } else {
            index += 1
        }
    }
    return false
}

/// Paths of the numbers in a parsed JSON value that are not whole numbers an Int64 holds.
private func numbersOutsideInt64(_ value: Any, _ path: String) -> [String] {
    switch value {
    case let number as NSNumber where !(value is Bool):
        return Int64(number.stringValue) == nil ? [path.isEmpty ? "body" : path] : []
    case let array as [Any]:
        return array.enumerated().flatMap { numbersOutsideInt64($1, path + "[\($0)]") }
    case let object as [String: Any]:
        return object.sorted(by: { $0.key < $1.key }).flatMap {
            numbersOutsideInt64($0.value, path.isEmpty ? $0.key : path + "." + $0.key)
        }
    default:
        return []
    }
}
