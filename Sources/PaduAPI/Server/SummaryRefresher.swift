import Logging
import PaduStore
import ServiceLifecycle

/// Keeps the precomputed summary fresh: every interval, recomputes it if the registry or the
/// deliveries changed since the last refresh. Several servers may run it; the database lets
/// one refresh at a time, and a tick that finds a refresh running skips.
struct SummaryRefresher: Service {
    let db: PaduDatabase
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    if let milliseconds = try await db.refreshSummaryIfChanged() {
                        logger.info("summary refreshed", metadata: ["ms": "\(milliseconds)"])
                    }
                } catch {
                    logger.warning("summary refresh failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
