import Logging
import PQ

/// Padu's database as the API uses it: one transaction per request, under the caller's role.
///
/// A request's transaction begins with one pipelined round trip: `BEGIN` (read-only for
/// reads), then a statement that authenticates the token through `padu.authenticate` and, in
/// the same statement, sets the request context (`padu.account_id`, `padu.agency_id`,
/// `padu.scope`, `padu.request_id`) and the role (`SET LOCAL ROLE` by `set_config('role')`).
/// Row-level security then reads that context; the API's own role checks come on top.
public struct PaduDatabase: Sendable {
    public let client: PQClient

    public init(client: PQClient) { self.client = client }

    /// Authenticates `tokenHash`, checks the role against `allowed` (nil: any role), and runs
    /// `body` in the caller's transaction. Throws `AccessError` before `body` runs.
    public func withSession<Result>(
        isolation: isolated (any Actor)? = #isolation,
        tokenHash: [UInt8], requestID: String, readOnly: Bool, allowed: Set<Role>? = nil,
        _ body: (Caller, PQConnection) async throws -> Result
    ) async throws -> Result {
        try await client.withTransaction(readOnly: readOnly) { connection in
            let row = try await connection.query(
                """
                SELECT a.account_id, a.username, a.role, a.agency_id, a.scope,
                       set_config('padu.account_id', a.account_id::text, true),
                       set_config('padu.agency_id', coalesce(a.agency_id::text, ''), true),
                       set_config('padu.scope', a.scope, true),
                       set_config('padu.request_id', \(requestID), true),
                       set_config('role', 'padu_' || a.role, true)
                  FROM padu.authenticate(\(PQBytes(tokenHash))) a
                """
            ).first((Int64, String, String, Int64?, String).self)
            guard let (accountID, username, roleName, agencyID, scope) = row, let role = Role(rawValue: roleName)
            else { throw AccessError.unauthenticated }
            if let allowed, !allowed.contains(role) { throw AccessError.forbidden }
            let caller = Caller(accountID: accountID, username: username, role: role, agencyID: agencyID, scope: scope)
            return try await body(caller, connection)
        }
    }

    /// Runs `body` as `caller` without a token (internal work and tests), with the same
    /// context and role a request would have.
    public func withCaller<Result>(
        isolation: isolated (any Actor)? = #isolation,
        _ caller: Caller, requestID: String = "internal", readOnly: Bool = false,
        _ body: (PQConnection) async throws -> Result
    ) async throws -> Result {
        try await client.withTransaction(readOnly: readOnly) { connection in
            Self.enter(caller, requestID: requestID, on: connection)
            return try await body(connection)
        }
    }

    /// Queues the request context and role for `caller` ahead of the transaction's next statement.
    private static func enter(_ caller: Caller, requestID: String, on connection: PQConnection) {
        connection.deferUntilNextQuery(
            """
            SELECT set_config('padu.account_id', \(String(caller.accountID)), true),
                   set_config('padu.agency_id', \(caller.agencyID.map(String.init) ?? ""), true),
                   set_config('padu.scope', \(caller.scope), true),
                   set_config('padu.request_id', \(requestID), true),
                   set_config('role', \(caller.role.databaseRole), true)
            """)
    }
}
