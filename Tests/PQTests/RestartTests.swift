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
            let deadline = ContinuousClock.now + .seconds(6)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<16 {
                    group.addTask {
                        while ContinuousClock.now < deadline {
                            do {
                                let value = try await client.query("SELECT \(Int64(worker))").first(Int.self)
                                #expect(value == worker)
                                outcomes.count.withLock { $0.ok += 1 }
                            } catch let error as PQError {
                                #expect(error.isConnectionError, "unexpected \(error)")
                                outcomes.count.withLock { $0.failed += 1 }
                                try await Task.sleep(for: .milliseconds(20))
                            }
                        }
                    }
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(1))
                    try cluster.restart()
                }
                try await group.waitForAll()
            }
            // After the restart every new query succeeds.
            for _ in 0..<10 {
                #expect(try await client.query("SELECT 1").first(Int.self) == 1)
            }
        }
        let totals = outcomes.count.withLock { $0 }
        #expect(totals.ok > 100)
    }
}

final class Outcomes: Sendable {
    let count = Mutex((ok: 0, failed: 0))
}
