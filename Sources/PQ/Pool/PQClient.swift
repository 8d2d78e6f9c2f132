import Logging
import ServiceLifecycle
import Synchronization

/// A pool of PostgreSQL connections; run it as a `Service`.
///
/// Callers borrow a connection with `withConnection` or `withTransaction`. The pool opens
/// connections on demand up to its maximum, makes further callers wait (up to the acquire
/// timeout, then `poolTimeout`), closes connections that broke instead of handing them out
/// again, and after a failed connection attempt backs off before trying again, failing
/// callers fast (`poolUnavailable`) meanwhile. `run()` keeps the minimum open, closes idle
/// connections, checks idle ones, and closes the pool on graceful shutdown.
public final class PQClient: Service, Sendable {
    public let configuration: PQClientConfiguration
    let logger: Logger

    private enum Grant: Sendable {
        case connection(PQConnection)
        case create
    }

    /// A connection in the idle stack: when a caller last gave it back, and when it was last
    /// known good (given back or health-checked).
    private struct IdleConnection {
        let connection: PQConnection
        let since: PoolClock.Instant
        let checked: PoolClock.Instant
    }

    private struct Waiter {
        let id: UInt64
        let continuation: UnsafeContinuation<Grant, any Error>
    }

    private struct State {
        var idle: [IdleConnection] = []
        var open = 0
        var leased = 0
        var waiters: [Waiter] = []
        var nextWaiterID: UInt64 = 0
        var failures = 0
        var backoffUntil: PoolClock.Instant?
        var lastError: PQError?
        var closed = false
    }

    private let state = Mutex(State())
    private let clock: PoolClock

    /// A pool that keeps time (acquire timeout, backoff, idle timeout, health checks) on
    /// `clock`; tests pass a clock they advance by hand.
    public init<C: Clock>(configuration: PQClientConfiguration, logger: Logger, clock: C = ContinuousClock())
    where C.Duration == Duration {
        self.configuration = configuration
        self.logger = logger
        self.clock = PoolClock(clock)
    }

    /// Counts for metrics and health.
    public struct Statistics: Sendable {
        public var open: Int
        public var idle: Int
        public var leased: Int
        public var waiting: Int
    }

    public var statistics: Statistics {
        state.withLock { Statistics(open: $0.open, idle: $0.idle.count, leased: $0.leased, waiting: $0.waiters.count) }
    }

    // MARK: borrowing

    /// Lends a connection to `body` and takes it back afterwards.
    @discardableResult
    public func withConnection<Result>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PQConnection) async throws -> Result
    ) async throws -> Result {
        let connection = try await lease()
        do {
            let result = try await body(connection)
            release(connection)
            return result
        } catch {
            release(connection)
            throw error
        }
    }

    /// Runs `body` in a transaction on a borrowed connection (see `PQConnection.withTransaction`).
    @discardableResult
    public func withTransaction<Result>(
        isolation: isolated (any Actor)? = #isolation,
        level: PQIsolation = .readCommitted,
        readOnly: Bool = false,
        _ body: (PQConnection) async throws -> Result
    ) async throws -> Result {
        try await withConnection { connection in
            try await connection.withTransaction(isolation: level, readOnly: readOnly, body)
        }
    }

    /// Runs one statement on a borrowed connection.
    @discardableResult
    public func query(_ query: PQQuery) async throws -> PQRows {
        try await withConnection { try await $0.query(query) }
    }

    func lease() async throws -> PQConnection {
        while true {
            let grant = try await acquireGrant()
            let connection: PQConnection
            switch grant {
            case .connection(let idle):
                if idle.unreadPipelines > 0 {
                    do { try await idle.drainUnread() } catch {
                        discard(idle)
                        continue
                    }
                }
                guard idle.probeIdle() else {
                    discard(idle)
                    continue
                }
                connection = idle
            case .create:
                connection = try await openReserved()
            }
            return connection
        }
    }

    private func acquireGrant() async throws -> Grant {
        // Fast path: an idle connection or room for a new one, without suspending.
        enum Decision: Sendable {
            case grant(Grant)
            case fail(PQError)
            case wait
        }
        let maximum = configuration.maximumConnections
        let clock = self.clock
        func decide(_ state: inout State) -> Decision {
            if state.closed { return .fail(PQError(code: .clientClosed, message: "the client is shut down")) }
            if let idle = state.idle.popLast() {
                state.leased += 1
                return .grant(.connection(idle.connection))
            }
            if state.open < maximum {
                if let until = state.backoffUntil, clock.now < until {
                    return .fail(
                        PQError(
                            code: .poolUnavailable,
                            message: "the database is unreachable: " + (state.lastError?.message ?? "no detail")))
                }
                state.open += 1
                state.leased += 1
                return .grant(.create)
            }
            return .wait
        }
        switch state.withLock({ decide(&$0) }) {
        case .grant(let grant): return grant
        case .fail(let error): throw error
        case .wait: break
        }

        let id = state.withLock { state -> UInt64 in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        let timeout = configuration.acquireTimeout
        let timer = Task { [weak self, clock] in
            try await clock.sleep(for: timeout)
            self?.failWaiter(
                id, with: PQError(code: .poolTimeout, message: "no connection became free within \(timeout)"))
        }
        defer { timer.cancel() }
        return try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Grant, any Error>) in
                let decision = state.withLock { state -> Decision in
                    let decision = decide(&state)
                    if case .wait = decision {
                        state.waiters.append(Waiter(id: id, continuation: continuation))
                    }
                    return decision
                }
                switch decision {
                case .grant(let grant): continuation.resume(returning: grant)
                case .fail(let error): continuation.resume(throwing: error)
                case .wait: break
                }
            }
        } onCancel: {
            failWaiter(id, with: CancellationError())
        }
    }

    private func failWaiter(_ id: UInt64, with error: any Error) {
        let waiter = state.withLock { state -> Waiter? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index)
        }
        waiter?.continuation.resume(throwing: error)
    }

    /// Opens a connection for a slot already counted in `open` and `leased`.
    private func openReserved() async throws -> PQConnection {
        do {
            let connection = try await PQConnection.connect(configuration.connection, logger: logger)
            state.withLock { state in
                state.failures = 0
                state.backoffUntil = nil
                state.lastError = nil
            }
            return connection
        } catch {
            let orphans = state.withLock { state -> [Waiter] in
                state.open -= 1
                state.leased -= 1
                state.failures += 1
                state.backoffUntil = clock.now + configuration.backoff(afterFailures: state.failures)
                state.lastError = error
                // With no connection left to wait for, waiting callers would only time out.
                guard state.open == 0 else { return [] }
                defer { state.waiters.removeAll() }
                return state.waiters
            }
            logger.warning(
                "database connection failed",
                metadata: ["error": "\(error)", "failures": "\(state.withLock { $0.failures })"])
            let unavailable = PQError(code: .poolUnavailable, message: "the database is unreachable: \(error.message)")
            for waiter in orphans { waiter.continuation.resume(throwing: unavailable) }
            throw error
        }
    }

    /// Takes a connection back: broken or mid-transaction ones are closed, good ones go to
    /// the next waiter or the idle stack.
    func release(_ connection: PQConnection) {
        let now = clock.now
        giveBack(connection, idleSince: now, checked: now)
    }

    /// `release`, keeping a health-checked connection's idle time: a check is not a use, or
    /// checks more frequent than the idle timeout would keep every connection open.
    private func giveBack(_ connection: PQConnection, idleSince: PoolClock.Instant, checked: PoolClock.Instant) {
        let reusable = !connection.isBroken && connection.isIdleInTransactionTerms && !connection.hasDeferred
        if !reusable {
            discard(connection)
            return
        }
        let waiter = state.withLock { state -> Waiter? in
            if state.closed {
                return nil
            }
            if !state.waiters.isEmpty {
                return state.waiters.removeFirst()
            }
            state.leased -= 1
            state.idle.append(IdleConnection(connection: connection, since: idleSince, checked: checked))
            return nil
        }
        if let waiter {
            waiter.continuation.resume(returning: .connection(connection))
        } else if state.withLock({ $0.closed }) {
            discard(connection)
        }
    }

    /// Closes a leased connection and, if a caller is waiting, gives it the freed slot.
    private func discard(_ connection: PQConnection) {
        connection.close()
        let waiter = state.withLock { state -> Waiter? in
            state.open -= 1
            state.leased -= 1
            guard !state.closed, !state.waiters.isEmpty, state.open < configuration.maximumConnections else {
                return nil
            }
            state.open += 1
            state.leased += 1
            return state.waiters.removeFirst()
        }
        waiter?.continuation.resume(returning: .create)
    }

    // MARK: service

    /// Maintains the pool until graceful shutdown or cancellation, then closes it.
    public func run() async throws {
        let tick = min(configuration.healthCheckInterval, .seconds(1))
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.maintain()
                try? await self.clock.sleep(for: tick)
            }
        }
        close()
    }

    /// Closes idle connections now and every leased one when it is released; callers waiting
    /// or arriving later get `clientClosed`.
    public func close() {
        let (idle, waiters) = state.withLock { state -> ([PQConnection], [Waiter]) in
            state.closed = true
            defer {
                state.open -= state.idle.count
                state.idle.removeAll()
                state.waiters.removeAll()
            }
            return (state.idle.map(\.connection), state.waiters)
        }
        for connection in idle { connection.close() }
        let error = PQError(code: .clientClosed, message: "the client is shut down")
        for waiter in waiters { waiter.continuation.resume(throwing: error) }
    }

    private func maintain() async {
        let now = clock.now
        // Close idle connections above the minimum that have idled too long; pick those due a check.
        let (expired, due) = state.withLock { state -> ([PQConnection], [IdleConnection]) in
            guard !state.closed else { return ([], []) }
            var expired: [PQConnection] = []
            var due: [IdleConnection] = []
            var keep: [IdleConnection] = []
            // Oldest first: the stack's bottom has idled longest.
            let verdicts = configuration.idleVerdicts(
                state.idle.map { (idle: now - $0.since, unchecked: now - $0.checked) }, open: state.open)
            for (idle, verdict) in zip(state.idle, verdicts) {
                switch verdict {
                case .close: expired.append(idle.connection)
                case .check: due.append(idle)
                case .keep: keep.append(idle)
                }
            }
            state.idle = keep
            state.open -= expired.count
            state.leased += due.count
            return (expired, due)
        }
        for connection in expired { connection.close() }
        for idle in due {
            if idle.connection.probeIdle() {
                _ = try? await idle.connection.query("SELECT 1")
            }
            giveBack(idle.connection, idleSince: idle.since, checked: clock.now)
        }
        // Keep the minimum open, unless the server is unreachable and we are backing off.
        while true {
            let shouldOpen = state.withLock { state -> Bool in
                guard !state.closed, state.open < configuration.minimumConnections else { return false }
                if let until = state.backoffUntil, clock.now < until { return false }
                state.open += 1
                state.leased += 1
                return true
            }
            guard shouldOpen else { break }
            guard let connection = try? await openReserved() else { break }
            release(connection)
        }
    }
}
