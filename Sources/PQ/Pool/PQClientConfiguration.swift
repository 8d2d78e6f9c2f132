/// How a `PQClient` pools its connections.
public struct PQClientConfiguration: Sendable {
    public var connection: PQConnectionConfiguration
    /// Connections kept open even when idle.
    public var minimumConnections: Int
    /// Connections open at most; further callers wait for one to be released.
    public var maximumConnections: Int
    /// An idle connection above the minimum is closed after this long.
    public var idleTimeout: Duration
    /// How long a caller waits for a free connection before `poolTimeout`.
    public var acquireTimeout: Duration
    /// Idle connections are checked with `SELECT 1` this often.
    public var healthCheckInterval: Duration
    /// After a failed connection attempt, the pool waits this long before the next one,
    /// doubling up to `maximumBackoff` while attempts keep failing.
    public var initialBackoff: Duration
    public var maximumBackoff: Duration

    public init(
        connection: PQConnectionConfiguration,
        minimumConnections: Int = 0,
        maximumConnections: Int = 10,
        idleTimeout: Duration = .seconds(60),
        acquireTimeout: Duration = .seconds(5),
        healthCheckInterval: Duration = .seconds(15),
        initialBackoff: Duration = .milliseconds(100),
        maximumBackoff: Duration = .seconds(5)
    ) {
        precondition(maximumConnections >= 1 && minimumConnections <= maximumConnections)
        self.connection = connection
        self.minimumConnections = minimumConnections
        self.maximumConnections = maximumConnections
        self.idleTimeout = idleTimeout
        self.acquireTimeout = acquireTimeout
        self.healthCheckInterval = healthCheckInterval
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
    }
}
