import Logging
import PaduStore
import ServiceLifecycle

/// Holds analysts to their statement limit where a session cannot override it: every
/// `interval`, cancels analysts' statements running past `limit` and ends their transactions
/// idle that long (`padu.cancel_runaway_analyst_queries`).
struct AnalystWatchdog: Service {
    let db: PaduDatabase
    let limit: Duration
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let signalled = try await db.cancelRunawayAnalystQueries(limit: limit)
                    if signalled > 0 {
                        logger.notice("analyst statements cancelled", metadata: ["count": "\(signalled)"])
                    }
                } catch {
                    logger.warning("analyst watchdog failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
