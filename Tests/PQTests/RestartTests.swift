import Foundation
import PQ
import Synchronization
import Testing

@Suite("Server restart under load")
struct RestartTests {
    @Test("callers see an error or succeed, never hang, and the pool recovers")
    func restartUnderLoad() async throws {
        // Its own cluster: restarting the shared one would break other suites.
        let cluster = try PQLocalCluster.startTemporary(name: "pq-restart")
        defer { try? cluster.destroy() }
        let configuration = try TestServer.configuration(
            url: cluster.url(), maximum: 4, acquireTimeout: .seconds(5))
        let outcomes = Outcomes()
        try await TestServer.withClient(configuration) { client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<16 {
                    group.addTask {
                        while !outcomes.count.withLock({ $0.done }) {
                            do {
                                let value = try await client.query("SELECT \(Int64(worker))").first(Int.self)
                                #expect(value == worker)
                                outcomes.count.withLock { $0.ok += 1 }
                            } catch let error as PQError {
                                #expect(error.isConnectionError, "unexpected \(error)")
                                outcomes.count.withLock { $0.failed += 1 }
                                // A pause so that failing fast during the backoff is not a busy loop.
                                try await Task.sleep(for: .milliseconds(20))
                            }
                        }
                    }
                }
                // Load first, then the restart, then load again: phases by progress, not by the clock.
                try await until("100 queries before the restart", limit: .seconds(60)) {
                    outcomes.count.withLock { $0.ok } >= 100
                }
                try cluster.restart()
                let afterRestart = outcomes.count.withLock { $0.ok }
                try await until("100 queries after the restart", limit: .seconds(60)) {
                    outcomes.count.withLock { $0.ok } >= afterRestart + 100
                }
                outcomes.count.withLock { $0.done = true }
                try await group.waitForAll()
            }
            // After the restart every new query succeeds.
            for _ in 0..<10 {
                #expect(try await client.query("SELECT 1").first(Int.self) == 1)
            }
        }
        let totals = outcomes.count.withLock { $0 }
        #expect(totals.ok > 200)
    }
}

final class Outcomes: Sendable {
    let count = Mutex((ok: 0, failed: 0, done: false))
}
