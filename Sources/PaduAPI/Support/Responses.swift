import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PaduStore

/// A JSON response with a status.
struct JSONResponse<Value: Encodable>: ResponseGenerator {
    var status: HTTPResponse.Status = .ok
    var value: Value

    init(_ value: Value, status: HTTPResponse.Status = .ok) {
        self.value = value
        self.status = status
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        if let table = value as? any CSVTable {
            if request.wantsXLSX {
                return Response(
                    status: status, headers: [.contentType: XLSX.mediaType],
                    body: .init(byteBuffer: ByteBuffer(bytes: try table.sheet().xlsx())))
            }
            if request.wantsCSV {
                return Response(
                    status: status, headers: [.contentType: "text/csv; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(string: try table.sheet().csv(request.csvDialect()))))
            }
        }
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: try JSONCoding.encode(value))))
    }
}

/// Bytes already encoded (a replayed idempotent response, CSV, HTML, metrics).
struct RawResponse: ResponseGenerator {
    var status: HTTPResponse.Status
    var contentType: String
    var bytes: [UInt8]

    func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(
            status: status, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

/// A value that can also be answered as a spreadsheet: CSV (`Accept: text/csv`, `?csv=excel`)
/// or an XLSX workbook (`Accept:` its media type), both made from one `SheetDocument`.
protocol CSVTable {
    func sheet() throws -> SheetDocument
}

/// A list page as the contract shapes it; as CSV, one row per item with a header row (nested
/// values as JSON text).
struct Page<Item: Encodable>: Encodable, CSVTable {
    var items: [Item]
    var nextCursor: String?

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: JSONCoding.Key.self)
        try container.encode(items, forKey: .init("items"))
        try container.encode(nextCursor, forKey: .init("next_cursor"))
    }

    func sheet() throws -> SheetDocument {
        let rows = try items.map {
            try JSONSerialization.jsonObject(with: JSONCoding.encoder.encode($0)) as? [String: Any] ?? [:]
        }
        var header: [String] = []
        for row in rows { for key in row.keys.sorted() where !header.contains(key) { header.append(key) } }
        return SheetDocument(
            header: header,
            rows: rows.map { row in
                header.map { key -> SheetDocument.Value? in
                    switch row[key] {
                    case nil, is NSNull: return nil
                    case let text as String: return .text(text)
                    case let flag as Bool where type(of: row[key]!) == Bool.self: return .text(flag ? "true" : "false")
                    case let number as NSNumber: return .number(number.stringValue)
                    case let other?:
                        let data = try? JSONSerialization.data(withJSONObject: other, options: [.sortedKeys])
                        return data.map { .text(String(decoding: $0, as: UTF8.self)) }
                    }
                }
            })
    }
}

/// `?limit=` (default 100, at most 1000) and `?cursor=` (the last id seen).
struct Paging {
    var limit: Int
    var after: Int64

    init(_ request: Request) throws {
        let query = request.uri.queryParameters
        if let text = query.get("limit") {
            guard let value = Int(text), (1...1000).contains(value) else {
                throw APIError.validation(field: "limit", problem: "must be a whole number from 1 to 1000")
            }
            limit = value
        } else {
            limit = 100
        }
        if let text = query.get("cursor") {
            guard let value = Int64(text), value >= 0 else {
                throw APIError.validation(field: "cursor", problem: "is not a cursor this API gave out")
            }
            after = value
        } else {
            after = 0
        }
    }

    /// Cuts one extra fetched row off and makes the cursor from the last id.
    func page<Item: Encodable>(_ rows: [Item], id: (Item) -> Int64) -> Page<Item> {
        if rows.count > limit {
            let items = Array(rows.prefix(limit))
            return Page(items: items, nextCursor: String(id(items.last!)))
        }
        return Page(items: rows, nextCursor: nil)
    }
}
