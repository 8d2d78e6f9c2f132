import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import PaduStore

/// What the controllers share: the database, settings, password hashing, metrics.
public final class APIServices: Sendable {
    let db: PaduDatabase
    public let configuration: APIConfiguration
    let hasher: PasswordHasher
    let metrics: APIMetrics
    let logger: Logger

    public init(db: PaduDatabase, configuration: APIConfiguration, logger: Logger) {
        self.db = db
        self.configuration = configuration
        self.hasher = PasswordHasher(cost: configuration.bcryptCost)
        self.metrics = APIMetrics(db: db)
        self.logger = logger
    }

    /// The one way a request reaches the database: authenticates `token` in the first round
    /// trip of the request's only transaction (401 without a live session, 403 when the role
    /// is not among `roles`), then runs `body` in it, read-only for reads. A body is read inside
    /// `body`, so nobody gets a body read before they are known.
    func transaction<Result>(
        token: String?, _ context: PaduRequestContext, readOnly: Bool, roles: Set<Role>? = nil,
        _ body: (PaduTransaction) async throws -> Result
    ) async throws -> Result {
        guard let token else { throw APIError.unauthenticated() }
        return try await db.transaction(
            tokenHash: Tokens.hash(token), requestID: context.requestID, readOnly: readOnly, roles: roles, body)
    }

    /// `transaction` with the request's bearer token: the JSON API.
    func transaction<Result>(
        _ request: Request, _ context: PaduRequestContext, readOnly: Bool, roles: Set<Role>? = nil,
        _ body: (PaduTransaction) async throws -> Result
    ) async throws -> Result {
        try await transaction(token: Tokens.bearer(request), context, readOnly: readOnly, roles: roles, body)
    }

    /// `transaction` for the read-only aggregates (summary, regions, the dashboard, their
    /// exports): on a streaming standby when `PADU_READ_DATABASE_URL` names one, so that heavy
    /// reads leave the primary to the agencies' writes (see `PaduDatabase.readTransaction`).
    /// Reads that must see the caller's own write use `transaction`.
    func readTransaction<Result>(
        token: String?, _ context: PaduRequestContext, roles: Set<Role>? = nil,
        _ body: (PaduTransaction) async throws -> Result
    ) async throws -> Result {
        guard let token else { throw APIError.unauthenticated() }
        return try await db.readTransaction(
            tokenHash: Tokens.hash(token), requestID: context.requestID, roles: roles, body)
    }

    /// `readTransaction` with the request's bearer token.
    func readTransaction<Result>(
        _ request: Request, _ context: PaduRequestContext, roles: Set<Role>? = nil,
        _ body: (PaduTransaction) async throws -> Result
    ) async throws -> Result {
        try await readTransaction(token: Tokens.bearer(request), context, roles: roles, body)
    }

    /// Creates a record at most once per `Idempotency-Key`: a retry with the same key and body
    /// gets the first response again and creates nothing; the same key with another body is 409.
    /// The key is claimed in the request's transaction, so a failed attempt leaves no claim.
    func idempotent(
        _ request: Request, body: [UInt8], in transaction: PaduTransaction,
        _ create: () async throws -> RawResponse
    ) async throws -> RawResponse {
        guard let key = request.headers[.idempotencyKey] else { return try await create() }
        guard (1...200).contains(key.count) else {
            throw APIError.validation(field: "Idempotency-Key", problem: "must be 1 to 200 characters")
        }
        var hasher = SHA256()
        hasher.update(data: Data("\(request.method.rawValue) \(request.uri.path)\n".utf8))
        hasher.update(data: body)
        let store = transaction.idempotency
        switch try await store.claim(key: key, fingerprint: Array(hasher.finalize())) {
        case .mismatch: throw APIError.conflict("this Idempotency-Key was used with a different request")
        case .inProgress: throw APIError.conflict("a request with this Idempotency-Key is in progress")
        case .replay(let status, let body):
            return RawResponse(
                status: HTTPResponse.Status(code: status), contentType: "application/json; charset=utf-8", bytes: body)
        case .claimed:
            let response = try await create()
            try await store.complete(key: key, status: response.status.code, body: response.bytes)
            return response
        }
    }
}

/// Encodes a value as the JSON body of a response with `status`.
func encodeJSON<Value: Encodable>(_ value: Value, status: HTTPResponse.Status = .ok) throws -> RawResponse {
    RawResponse(
        status: status, contentType: "application/json; charset=utf-8",
        bytes: try JSONCoding.encode(value))
}

extension HTTPField.Name {
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let requestID = HTTPField.Name("X-Request-ID")!
}
