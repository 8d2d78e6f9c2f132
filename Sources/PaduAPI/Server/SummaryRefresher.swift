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
                    // At shutdown the refresh in flight is cancelled with its task: not a failure.
                    if !Task.isCancelled {
                        logger.warning("summary refresh failed", metadata: ["error": "\(error)"])
                    }
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}

/// Keeps the dashboard's slower figures (0075) following the summary: every interval, when the
/// summary moved on since their last refresh and at least four times as long as that refresh
/// took has passed (`padu.refresh_dashboard_if_stale`, 0080, 0104). Its own loop, so a refresh
/// of tens of seconds never delays the summary's drain.
struct DashboardRefresher: Service {
    let db: PaduDatabase
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if Task.isCancelled { break }
                do {
                    if let milliseconds = try await db.refreshDashboardIfStale(minimumAge: interval) {
                        logger.debug("dashboard figures refreshed", metadata: ["ms": "\(milliseconds)"])
                    }
                } catch {
                    // At shutdown the refresh in flight is cancelled with its task: not a failure.
                    if !Task.isCancelled {
                        logger.warning("dashboard refresh failed", metadata: ["error": "\(error)"])
                    }
                }
            }
        }
    }
}
