import PQ
import Synchronization
import Testing

@Suite("Pool")
struct PoolTests {
    @Test("200 concurrent tasks share 4 connections and all succeed")
    func twoHundredTasks() async throws {
        let (sum, stats, backends) = try await TestServer.withClient(try TestServer.configuration(maximum: 4)) {
            client in
            let sum = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<200 {
                    group.addTask {
                        try await client.withTransaction { connection in
                            try #require(
                                try await connection.query("SELECT \(Int64(index)), pg_sleep(0.002)").first(
                                    (Int, String).self)
                            ).0
                        }
                    }
                }
                return try await group.reduce(0, +)
            }
            let backends = try await client.query(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = '' AND backend_type = 'client backend' AND datname = current_database()"
            ).first(Int.self)
            return (sum, client.statistics, backends)
        }
        #expect(sum == (0..<200).reduce(0, +))
        #expect(stats.open <= 4)
        #expect((backends ?? 0) >= 1)
    }

    @Test("a caller waiting longer than the acquire timeout gets poolTimeout, not a hang")
    func acquireTimeout() async throws {
        let configuration = try TestServer.configuration(maximum: 1, acquireTimeout: .milliseconds(200))
        try await TestServer.withClient(configuration) { client in
            let holder = Task {
                try await client.withConnection { connection in
                    try await connection.query("SELECT pg_sleep(1)")
                }
            }
            try await Task.sleep(for: .milliseconds(100))
            let error = await #expect(throws: PQError.self) {
                try await client.query("SELECT 1")
            }
            #expect(error?.code == .poolTimeout)
            _ = try await holder.value
            #expect(try await client.query("SELECT 2").first(Int.self) == 2)
        }
    }

    @Test("a connection killed by the server is never handed out again")
    func brokenConnectionDropped() async throws {
        try await TestServer.withClient(try TestServer.configuration(maximum: 1)) { client in
            let pid = try #require(try await client.query("SELECT pg_backend_pid()").first(Int32.self))
            // Kill it from a second, independent connection.
            let killer = PQClient(configuration: try TestServer.configuration(maximum: 1), logger: TestServer.logger)
            _ = try await killer.query("SELECT pg_terminate_backend(\(pid))")
            killer.close()
            try await Task.sleep(for: .milliseconds(100))
            // The idle connection is detected as dead at lease time and replaced.
            let newPid = try #require(try await client.query("SELECT pg_backend_pid()").first(Int32.self))
            #expect(newPid != pid)
        }
    }

    @Test("an unreachable server fails callers quickly with a connection error")
    func unreachable() async throws {
        let configuration = try TestServer.configuration(
            url: "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2", maximum: 2)
        try await TestServer.withClient(configuration) { client in
            let first = await #expect(throws: PQError.self) { try await client.query("SELECT 1") }
            #expect(first?.isConnectionError == true)
            // Within the backoff window the pool answers at once without trying.
            let clock = ContinuousClock()
            let elapsed = await clock.measure {
                let second = await #expect(throws: PQError.self) { try await client.query("SELECT 1") }
                #expect(second?.isConnectionError == true)
            }
            #expect(elapsed < .seconds(1))
        }
    }

    @Test("a closed client refuses new work")
    func closed() async throws {
        let client = PQClient(configuration: try TestServer.configuration(), logger: TestServer.logger)
        _ = try await client.query("SELECT 1")
        client.close()
        let error = await #expect(throws: PQError.self) { try await client.query("SELECT 1") }
        #expect(error?.code == .clientClosed)
    }
}
