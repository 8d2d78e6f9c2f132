import Logging
import PQ
import ServiceLifecycle
import Synchronization

/// Padu's database as the server uses it: a pool, and one transaction per request under the
/// caller's role.
///
/// A request's transaction begins with one pipelined round trip: `BEGIN` (read-only for
/// reads), then a statement that authenticates the token through `padu.authenticate` and, in
/// the same statement, sets the request context (`padu.account_id`, `padu.agency_id`,
/// `padu.scope`, `padu.request_id`) and the role (`SET LOCAL ROLE` by `set_config('role')`).
/// Row-level security then reads that context; the API's own role checks come on top.
///
/// With read connections (streaming standbys, `PADU_READ_DATABASE_URL`), `readTransaction`
/// runs the read-only aggregates there, one pool per standby, taken in turn. Running it as a
/// `Service` runs the pools.
public struct PaduDatabase: Service, Sendable {
    package let client: PQClient
    /// One pool per standby; empty: reads go to the primary.
    package let readers: [PQClient]
    private let nextReader = RoundRobin()

    /// A pool of at most `maximumConnections` to `connection` (the primary), and as many to
    /// each of `readConnections` (standbys); a caller waits at most `acquireTimeout` for one.
    /// After failed connection attempts a pool waits from 100 ms, doubling, up to
    /// `maximumBackoff` before the next one (callers get 503 meanwhile): 1 s rather than PQ's
    /// 5 s, so that after a failover the API finds the new primary within a second of its
    /// promotion (`scripts/ha-drill`: writes back 7.5 s after the kill with 5 s, see docs/deploy.md).
    public init(
        connection: PQConnectionConfiguration, readConnections: [PQConnectionConfiguration] = [],
        minimumConnections: Int = 2, maximumConnections: Int = 16, acquireTimeout: Duration = .seconds(5),
        maximumBackoff: Duration = .seconds(1), logger: Logger
    ) {
        client = PQClient(
            configuration: PQClientConfiguration(
                connection: connection, minimumConnections: minimumConnections,
                maximumConnections: maximumConnections, acquireTimeout: acquireTimeout,
                maximumBackoff: maximumBackoff),
            logger: logger)
        readers = readConnections.map {
            PQClient(
                configuration: PQClientConfiguration(
                    connection: $0, minimumConnections: min(1, minimumConnections),
                    maximumConnections: maximumConnections, acquireTimeout: acquireTimeout,
                    maximumBackoff: maximumBackoff),
                logger: logger)
        }
    }

    /// Over an existing pool (tests, tools).
    package init(client: PQClient, readers: [PQClient] = []) {
        self.client = client
        self.readers = readers
    }

    public func run() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            for reader in readers { group.addTask { try await reader.run() } }
            try await client.run()
        }
    }

    /// How the pool's connections are used now, for metrics.
    public var poolStatistics: (open: Int, idle: Int, leased: Int, waiting: Int) {
        let stats = client.statistics
        return (stats.open, stats.idle, stats.leased, stats.waiting)
    }

    /// Whether the database answers a trivial query now.
    public func isReachable() async -> Bool {
        (try? await client.query("SELECT 1")) != nil
    }

    /// Authenticates `tokenHash` (the SHA-256 of a session token), checks the role against
    /// `roles` (nil: any role), and runs `body` in the caller's transaction. Throws
    /// `AccessError` before `body` runs, `DatabaseError` for what the database refused.
    public func transaction<Result>(
        isolation: isolated (any Actor)? = #isolation,
        tokenHash: [UInt8], requestID: String, readOnly: Bool, roles: Set<Role>? = nil,
        _ body: (PaduTransaction) async throws -> Result
    ) async throws -> Result {
        try await authenticatedTransaction(
            on: client, tokenHash: tokenHash, requestID: requestID, readOnly: readOnly, roles: roles, body)
    }

    /// Whether reads have standbys of their own.
    public var hasReadStandbys: Bool { !readers.isEmpty }

    /// `transaction`, read-only, on a standby when there is one: for aggregates that need not
    /// see the caller's own latest write (summary, regions, the dashboard, their exports). The
    /// token is authenticated on the standby by the same pure read (`padu.authenticate`). The
    /// primary answers instead when the standby does not know the token yet (a sign-in it has
    /// not replayed), when it cannot be reached, or when replay cancelled the query (a recovery
    /// conflict); a read-only body may run twice. A session revoked on the primary is still
    /// accepted here until the standby replays the revocation (replication lag, usually
    /// milliseconds).
    public func readTransaction<Result>(
        isolation: isolated (any Actor)? = #isolation,
        tokenHash: [UInt8], requestID: String, roles: Set<Role>? = nil,
        _ body: (PaduTransaction) async throws -> Result
    ) async throws -> Result {
        if !readers.isEmpty {
            let index = nextReader.next()
            let reader = readers[(index % readers.count + readers.count) % readers.count]
            do {
                return try await authenticatedTransaction(
                    on: reader, tokenHash: tokenHash, requestID: requestID, readOnly: true, roles: roles, body)
            } catch AccessError.unauthenticated {
            } catch DatabaseError.unavailable {
            } catch DatabaseError.retry {}
        }
        return try await authenticatedTransaction(
            on: client, tokenHash: tokenHash, requestID: requestID, readOnly: true, roles: roles, body)
    }

    private func authenticatedTransaction<Result>(
        isolation: isolated (any Actor)? = #isolation,
        on client: PQClient, tokenHash: [UInt8], requestID: String, readOnly: Bool, roles: Set<Role>?,
        _ body: (PaduTransaction) async throws -> Result
    ) async throws -> Result {
        try await translatingErrors {
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
                if let roles, !roles.contains(role) { throw AccessError.forbidden }
                let caller = Caller(
                    accountID: accountID, username: username, role: role, agencyID: agencyID, scope: scope)
                return try await body(PaduTransaction(caller: caller, connection: connection))
            }
        }
    }

    /// Runs `body` as `caller` without a token (internal work and tests), with the same
    /// context and role a request would have.
    public func transaction<Result>(
        isolation: isolated (any Actor)? = #isolation,
        as caller: Caller, requestID: String = "internal", readOnly: Bool = false,
        _ body: (PaduTransaction) async throws -> Result
    ) async throws -> Result {
        try await translatingErrors {
            try await withCaller(caller, requestID: requestID, readOnly: readOnly) { connection in
                try await body(PaduTransaction(caller: caller, connection: connection))
            }
        }
    }

    /// Runs `body` with the sign-in store, before anyone is authenticated: as the API's own
    /// login, which reaches accounts only through `padu.login_*` functions.
    public func signIn<Result>(
        isolation: isolated (any Actor)? = #isolation,
        readOnly: Bool = false, _ body: (SessionStore) async throws -> Result
    ) async throws -> Result {
        try await translatingErrors {
            try await client.withTransaction(readOnly: readOnly) { connection in
                try await body(SessionStore(connection: connection))
            }
        }
    }

    /// Recomputes the summary if the registry or deliveries changed since the last refresh;
    /// nil when nothing did or another refresh is running.
    public func refreshSummaryIfChanged() async throws -> Int64? {
        try await translatingErrors {
            try await client.withConnection { connection in
                try await SummaryStore(connection: connection).refreshIfChanged()
            }
        }
    }

    /// Refreshes the dashboard's slower figures (agency pairs, deciles per agency, the poorest
    /// not reached) when the summary moved on and they are older than `minimumAge`.
    public func refreshDashboardIfStale(minimumAge: Duration) async throws -> Int64? {
        try await translatingErrors {
            try await client.withConnection { connection in
                try await SummaryStore(connection: connection).refreshDashboardIfStale(minimumAge: minimumAge)
            }
        }
    }

    /// Cancels analysts' statements running longer than `limit` and ends their transactions
    /// idle that long, whatever their sessions `SET`; returns how many it signalled.
    /// Runs on the primary and on every standby, where analysts are sent.
    public func cancelRunawayAnalystQueries(limit: Duration) async throws -> Int {
        let query: PQQuery = "SELECT padu.cancel_runaway_analyst_queries(\(Int32(clamping: limit.components.seconds)))"
        var signalled = 0
        for reader in readers {
            // A standby that cannot be reached now is looked at on the next round.
            signalled += (try? await reader.query(query).first(Int32.self).map(Int.init) ?? 0) ?? 0
        }
        return try await translatingErrors {
            signalled + (try await client.query(query).first(Int32.self).map(Int.init) ?? 0)
        }
    }

    /// Runs `body` on a raw connection as `caller` (tests that act as a role directly, and see
    /// PQ's errors as they are).
    package func withCaller<Result>(
        isolation: isolated (any Actor)? = #isolation,
        _ caller: Caller, requestID: String = "internal", readOnly: Bool = false,
        _ body: (PQConnection) async throws -> Result
    ) async throws -> Result {
        try await client.withTransaction(readOnly: readOnly) { connection in
            connection.deferUntilNextQuery(
                """
                SELECT set_config('padu.account_id', \(String(caller.accountID)), true),
                       set_config('padu.agency_id', \(caller.agencyID.map(String.init) ?? ""), true),
                       set_config('padu.scope', \(caller.scope), true),
                       set_config('padu.request_id', \(requestID), true),
                       set_config('role', \(caller.role.databaseRole), true)
                """)
            return try await body(connection)
        }
    }
}

/// Hands out 0, 1, 2, ... to pick the next standby.
private final class RoundRobin: Sendable {
    private let counter = Atomic<Int>(0)
    func next() -> Int { counter.wrappingAdd(1, ordering: .relaxed).oldValue }
}

/// One request's transaction: who is asking, and one store per aggregate, all on the same
/// connection and under the caller's role. It exists only inside `PaduDatabase.transaction`.
public struct PaduTransaction: Sendable {
    /// Who the database authenticated.
    public let caller: Caller
    private let connection: PQConnection

    init(caller: Caller, connection: PQConnection) {
        self.caller = caller
        self.connection = connection
    }

    public var programs: ProgramStore { ProgramStore(connection: connection) }
    public var budgets: BudgetStore { BudgetStore(connection: connection) }
    public var reports: ReportStore { ReportStore(connection: connection) }
    public var registry: RegistryStore { RegistryStore(connection: connection) }
    public var duplicates: DuplicateStore { DuplicateStore(connection: connection) }
    public var plans: PlanStore { PlanStore(connection: connection) }
    public var deliveries: DeliveryStore { DeliveryStore(connection: connection) }
    public var accounts: AccountStore { AccountStore(connection: connection) }
    public var reference: ReferenceStore { ReferenceStore(connection: connection) }
    public var sessions: SessionStore { SessionStore(connection: connection) }
    public var idempotency: IdempotencyStore { IdempotencyStore(connection: connection) }
    public var summary: SummaryStore { SummaryStore(connection: connection) }
    public var dashboard: DashboardStore { DashboardStore(connection: connection) }
}
