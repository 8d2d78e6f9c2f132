import Logging
import PaduStore
import ServiceLifecycle

/// Keeps the precomputed summary fresh: every interval (a second), recomputes the cells that
/// writes queued since the last tick (`padu.refresh_summary_if_changed`, 0046). Several servers
/// may run it; the database lets one refresh at a time, and a tick that finds one running skips.
struct SummaryRefresher: Service {
    let db: PaduDatabase
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    if let milliseconds = try await db.refreshSummaryIfChanged() {
                        logger.debug("summary refreshed", metadata: ["ms": "\(milliseconds)"])
                    }
                } catch {
                    logger.warning("summary refresh failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
