import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import PQ
import PaduStore

/// What the route handlers share: the database, settings, password hashing, metrics.
public final class APIServices: Sendable {
    public let db: PaduDatabase
    public let configuration: APIConfiguration
    let hasher: PasswordHasher
    let metrics: APIMetrics
    let logger: Logger

    public init(db: PaduDatabase, configuration: APIConfiguration, logger: Logger) {
        self.db = db
        self.configuration = configuration
        self.hasher = PasswordHasher(cost: configuration.bcryptCost)
        self.metrics = APIMetrics(pool: db.client)
        self.logger = logger
    }

    /// Runs `body` in one transaction as the request's caller: 401 without a live token, 403
    /// when the role is not among `roles`; read-only for reads.
    func session<Result>(
        _ request: Request, _ context: PaduRequestContext, readOnly: Bool, roles: Set<Role>? = nil,
        _ body: (Caller, PQConnection) async throws -> Result
    ) async throws -> Result {
        if let caller = context.caller {
            if let roles, !roles.contains(caller.role) { throw AccessError.forbidden }
            return try await db.withCaller(caller, requestID: context.requestID, readOnly: readOnly) { connection in
                try await body(caller, connection)
            }
        }
        guard let token = Tokens.bearer(request) else { throw APIError.unauthenticated() }
        return try await db.withSession(
            tokenHash: Tokens.hash(token), requestID: context.requestID, readOnly: readOnly, allowed: roles, body)
    }

    /// Checks the token and role in a short transaction of its own, for routes that must not
    /// read a large body from a caller who may not send it.
    func authenticate(_ request: Request, _ context: PaduRequestContext, roles: Set<Role>? = nil) async throws
        -> Caller
    {
        if let caller = context.caller {
            if let roles, !roles.contains(caller.role) { throw AccessError.forbidden }
            return caller
        }
        return try await session(request, context, readOnly: true, roles: roles) { caller, _ in caller }
    }

    /// Creates a record at most once per `Idempotency-Key`: a retry with the same key and body
    /// gets the first response again and creates nothing; the same key with another body is 409.
    /// The key is claimed in the request's transaction, so a failed attempt leaves no claim.
    func idempotent(
        _ request: Request, body: [UInt8], on connection: PQConnection,
        _ create: () async throws -> RawResponse
    ) async throws -> RawResponse {
        guard let key = request.headers[.idempotencyKey] else { return try await create() }
        guard (1...200).contains(key.count) else {
            throw APIError.validation(field: "Idempotency-Key", problem: "must be 1 to 200 characters")
        }
        var hasher = SHA256()
        hasher.update(data: Data("\(request.method.rawValue) \(request.uri.path)\n".utf8))
        hasher.update(data: body)
        let fingerprint = PQBytes(Array(hasher.finalize()))
        let claimed =
            try await connection.query(
                """
                INSERT INTO padu.idempotency_keys (key, request_hash, status_code, response_body)
                VALUES (\(key), \(fingerprint), 0, '\\x') ON CONFLICT DO NOTHING RETURNING 1
                """
            ).count == 1
        if !claimed {
            let stored = try await connection.query(
                "SELECT request_hash, status_code, response_body FROM padu.idempotency_keys WHERE key = \(key)"
            ).first((PQBytes, Int16, PQBytes).self)
            guard let (hash, status, response) = stored, hash == fingerprint else {
                throw APIError.conflict("this Idempotency-Key was used with a different request")
            }
            guard status > 0 else { throw APIError.conflict("a request with this Idempotency-Key is in progress") }
            return RawResponse(
                status: HTTPResponse.Status(code: Int(status)), contentType: "application/json; charset=utf-8",
                bytes: response.bytes)
        }
        let response = try await create()
        try await connection.query(
            """
            UPDATE padu.idempotency_keys SET status_code = \(Int16(response.status.code)),
                   response_body = \(PQBytes(response.bytes))
             WHERE key = \(key) AND account_id = padu.current_account()
            """)
        return response
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
