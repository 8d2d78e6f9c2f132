/// The pool's time rules as pure functions of its configuration, so they can be tested
/// without a server or a clock.
extension PQClientConfiguration {
    /// How long the pool refuses to try again after `failures` consecutive failed attempts:
    /// `initialBackoff`, doubling per further failure, never above `maximumBackoff`.
    func backoff(afterFailures failures: Int) -> Duration {
        guard failures > 0 else { return .zero }
        let exponent = min(failures - 1, 16)
        return min(initialBackoff * (1 << exponent), maximumBackoff)
    }

    /// What maintenance does with an idle connection.
    enum IdleVerdict: Equatable, Sendable {
        case keep
        /// Not known good for longer than `healthCheckInterval`: check it with `SELECT 1`.
        case check
        /// Idle longer than `idleTimeout` while the pool is above its minimum: close it.
        case close
    }

    /// The verdict for each idle connection (oldest first), given how long each has gone
    /// unused and unchecked, and how many connections are open in all. Only connections above
    /// the minimum are closed, the longest idle first. A health check is not a use.
    func idleVerdicts(_ idle: [(idle: Duration, unchecked: Duration)], open: Int) -> [IdleVerdict] {
        var surplus = open - minimumConnections
        return idle.map { connection in
            if surplus > 0 && connection.idle > idleTimeout {
                surplus -= 1
                return .close
            }
            return connection.unchecked > healthCheckInterval ? .check : .keep
        }
    }
}
