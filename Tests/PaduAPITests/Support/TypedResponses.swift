import Foundation
import PaduAPI
import PaduStore

// Responses read into types: the public models the server encodes where they exist (PaduStore,
// PaduAPI's summary models), small test-local ones for the contract's other shapes.

/// The contract's JSON as a client reads it: `snake_case` keys, acronyms in capitals in
/// Swift (`agency_id` → `agencyID`), keys with digits left to explicit CodingKeys, ISO-8601
/// dates. Written out here rather than borrowed from the server, so a change of wire format
/// shows up as a failing test.
enum ContractJSON {
    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .custom { path in Key(camelCase(path.last!.stringValue)) }
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    private static let acronyms: Set<String> = ["id", "idr", "ids", "nik", "kk", "url"]

    static func camelCase(_ name: String) -> String {
        if name.contains(where: \.isNumber) || !name.contains(where: \.isLowercase) { return name }
        let parts = name.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count > 1 else { return name }
        return parts.dropFirst().reduce(String(parts[0])) { result, part in
            acronyms.contains(String(part))
                ? result + part.uppercased() : result + part.prefix(1).uppercased() + part.dropFirst()
        }
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

extension HTTPResult {
    /// The body read as `type`; throws (failing the test) when it does not have that shape.
    func decode<Value: Decodable>(_ type: Value.Type = Value.self) throws -> Value {
        do {
            return try ContractJSON.decoder.decode(type, from: Data(body))
        } catch {
            throw TestFailure("\(status) \(text) is not a \(Value.self): \(error)")
        }
    }

    /// The body as a list page of `Item`.
    func page<Item: Decodable>(of item: Item.Type) throws -> Page<Item> { try decode(Page<Item>.self) }

    /// The body as untyped JSON, keys as sent: for tests about the shape itself.
    func jsonValue() throws -> JSONValue { try JSONDecoder().decode(JSONValue.self, from: Data(body)) }

    /// The body as the error envelope, if it is one.
    var envelope: ErrorEnvelope? { try? ContractJSON.decoder.decode(ErrorEnvelope.self, from: Data(body)) }

    /// The error envelope's code, if this is an error.
    var errorCode: String? { envelope?.error.code }

    var errorFields: [String] { envelope?.error.details.map(\.field) ?? [] }

    /// The `details` of an error envelope as (field, problem) pairs.
    var errorDetails: [(field: String, problem: String)] {
        envelope?.error.details.map { ($0.field, $0.problem) } ?? []
    }

    var errorMessage: String? { envelope?.error.message }

    /// True when the body is exactly the contract's error envelope with the given code.
    func isEnvelope(_ code: String) -> Bool {
        guard let envelope else { return false }
        return envelope.error.code == code && !envelope.error.message.isEmpty
    }
}

/// A list page: `{"items": [...], "next_cursor": "..." | null}`, both keys always present.
struct Page<Item: Decodable>: Decodable {
    var items: [Item]
    var nextCursor: String?

    private enum CodingKeys: String, CodingKey { case items, nextCursor }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        items = try container.decode([Item].self, forKey: .items)
        // `decode` of an optional requires the key, unlike `decodeIfPresent`.
        nextCursor = try container.decode(String?.self, forKey: .nextCursor)
    }
}

/// The contract's error envelope and nothing else:
/// `{"error": {"code", "message", "details": [{"field", "problem"}]}}`.
struct ErrorEnvelope: Decodable {
    struct Body: Decodable {
        var code: String
        var message: String
        var details: [APIError.Detail]
    }

    var error: Body

    private enum CodingKeys: String, CodingKey { case error }

    init(from decoder: any Decoder) throws {
        let all = try decoder.container(keyedBy: ContractJSON.Key.self)
        guard all.allKeys.count == 1 else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: [], debugDescription: "an envelope has one key, not \(all.allKeys.map(\.stringValue))"))
        }
        error = try decoder.container(keyedBy: CodingKeys.self).decode(Body.self, forKey: .error)
    }
}

/// `POST /api/v1/auth/login`.
struct LoginResponse: Decodable {
    var token: String
    var expiresAt: Date
    var account: SignedInAccount
}

/// The account as sign-in and `/me` show it (no `created_at`; `active` only on `/me`).
struct SignedInAccount: Decodable {
    var id: Int64
    var username: String
    var role: String
    var agencyID: Int64?
    var scope: String
    var active: Bool?
}

/// A JSON value of any shape, for the few places where the test is about the shape itself
/// (an OpenAPI document, a key that must be absent).
enum JSONValue: Decodable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let bool = try? container.decode(Bool.self) {
            self = .bool(bool)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let string = try? container.decode(String.self) {
            self = .string(string)
        } else if let array = try? container.decode([JSONValue].self) {
            self = .array(array)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    var object: [String: JSONValue]? {
        if case .object(let object) = self { return object }
        return nil
    }

    var string: String? {
        if case .string(let string) = self { return string }
        return nil
    }
}

/// `POST /api/v1/coordination/check`: one verdict per recipient, in the order sent.
struct CheckResult: Decodable {
    var recipients: [RecipientCheck]
}

/// `POST /api/v1/programs/{id}/deliveries`.
struct Recorded: Decodable {
    var recorded: Int
}

/// `GET /health`.
struct Health: Decodable {
    var status: String
    var database: String
}

/// The parts of `/openapi.json` the tests read. Paths and response codes are keys as
/// written, so read it with `decodeVerbatim`.
struct OpenAPIDocument: Decodable {
    var openapi: String
    var info: [String: JSONValue]
    /// Path → method (or `parameters`, ...) → operation.
    var paths: [String: [String: JSONValue]]
}

extension HTTPResult {
    /// The body read as `type` with keys exactly as sent (no snake_case conversion).
    func decodeVerbatim<Value: Decodable>(_ type: Value.Type = Value.self) throws -> Value {
        do {
            return try JSONDecoder().decode(type, from: Data(body))
        } catch {
            throw TestFailure("\(status) \(text.prefix(500)) is not a \(Value.self): \(error)")
        }
    }
}

/// `GET /api/v1/summary/regions`: the rows of one level of the region tree.
struct RegionsSummary: Decodable {
    var year: Int
    var scope: String
    var level: String
    var items: [RegionSummary]
}
