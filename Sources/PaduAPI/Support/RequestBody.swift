import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PaduStore

/// What a request body is, judged by its Content-Type.
enum BodyFormat {
    case json, csv
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

    /// JSON or CSV, from Content-Type; anything else is 415.
    func bodyFormat(allowCSV: Bool) throws -> BodyFormat {
        let type = (headers[.contentType] ?? "").split(separator: ";").first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        switch type {
        case "application/json": return .json
        case "text/csv" where allowCSV: return .csv
        default: throw APIError.unsupportedMediaType(allowCSV ? "application/json or text/csv" : "application/json")
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

    /// Whether the client asked for CSV (`Accept: text/csv`).
    var wantsCSV: Bool {
        (headers[.accept] ?? "").lowercased().contains("text/csv")
    }
}

func decodeJSONBytes<Value: Decodable>(_ type: Value.Type, _ bytes: [UInt8]) throws -> Value {
    do {
        return try JSONCoding.decoder.decode(type, from: Data(bytes))
    } catch let error as DecodingError {
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            throw APIError.malformed("the body is not valid JSON")
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
