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
        let clock = ManualClock()
        let client = PQClient(
            configuration: try TestServer.configuration(maximum: 1, acquireTimeout: .milliseconds(200)),
            logger: TestServer.logger, clock: clock)
        defer { client.close() }
        try await client.withConnection { _ in
            let waiter = Task { _ = try await client.query("SELECT 1") }
            try await until("the second caller to queue") {
                client.statistics.waiting == 1 && clock.sleepers == 1
            }
            clock.advance(by: .milliseconds(199))
            #expect(client.statistics.waiting == 1)
            clock.advance(by: .milliseconds(1))
            let error = await #expect(throws: PQError.self) { try await waiter.value }
            #expect(error?.code == .poolTimeout)
        }
        #expect(try await client.query("SELECT 2").first(Int.self) == 2)
    }

    @Test("a connection killed by the server is never handed out again")
    func brokenConnectionDropped() async throws {
        try await TestServer.withClient(try TestServer.configuration(maximum: 1)) { client in
            let pid = try #require(try await client.query("SELECT pg_backend_pid()").first(Int32.self))
            // Kill it from a second, independent connection.
            let killer = PQClient(configuration: try TestServer.configuration(maximum: 1), logger: TestServer.logger)
            // With a timeout, pg_terminate_backend returns once the backend has exited.
            _ = try await killer.query("SELECT pg_terminate_backend(\(pid), 10000)")
            killer.close()
            // The idle connection is detected as dead at lease time and replaced.
            let newPid = try #require(try await client.query("SELECT pg_backend_pid()").first(Int32.self))
            #expect(newPid != pid)
        }
    }

    @Test("an unreachable server fails callers quickly with a connection error")
    func unreachable() async throws {
        // Backoff 50 ms, doubling per failed attempt (TestServer.configuration).
        let clock = ManualClock()
        let client = PQClient(
            configuration: try TestServer.configuration(
                url: "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2", maximum: 2),
            logger: TestServer.logger, clock: clock)
        defer { client.close() }
        func attempt() async -> PQError? {
            await #expect(throws: PQError.self) { try await client.query("SELECT 1") }
        }
        let first = await attempt()
        #expect(first?.isConnectionError == true)
        #expect(first?.code != .poolUnavailable)
        // Within the backoff window the pool answers at once without trying.
        clock.advance(by: .milliseconds(49))
        let second = await attempt()
        #expect(second?.isConnectionError == true)
        #expect(second?.code == .poolUnavailable)
        // Once it has passed, the pool tries again; after that failure the window is twice as long.
        clock.advance(by: .milliseconds(1))
        #expect(await attempt()?.code != .poolUnavailable)
        clock.advance(by: .milliseconds(99))
        #expect(await attempt()?.code == .poolUnavailable)
        clock.advance(by: .milliseconds(1))
        #expect(await attempt()?.code != .poolUnavailable)
    }

    @Test("idle connections above the minimum close after the idle timeout, health checks or not")
    func idleTimeout() async throws {
        let clock = ManualClock()
        var configuration = try TestServer.configuration(maximum: 3)
        configuration.minimumConnections = 1
        configuration.idleTimeout = .seconds(60)
        configuration.healthCheckInterval = .seconds(15)
        let client = PQClient(configuration: configuration, logger: TestServer.logger, clock: clock)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await client.run() }
            defer { group.cancelAll() }
            // Moves the clock and waits for the maintenance pass that wakes to finish.
            func tick(_ duration: Duration) async throws {
                let started = clock.sleepsStarted
                clock.advance(by: duration)
                try await until("the maintenance pass") { clock.sleepsStarted > started && clock.sleepers == 1 }
            }
            try await until("the minimum to open") { client.statistics.open == 1 && clock.sleepers == 1 }
            // Three at once: the pool grows to three.
            try await client.withConnection { _ in
                try await client.withConnection { _ in
                    try await client.withConnection { _ in }
                }
            }
            #expect(client.statistics.open == 3)
            // Health checks every 15 s keep the connections, and do not count as use.
            for _ in 0..<4 {
                try await tick(.seconds(15))
                #expect(client.statistics.open == 3)
                #expect(client.statistics.idle == 3)
            }
            try await tick(.seconds(1))
            #expect(client.statistics.open == 1)
            #expect(try await client.query("SELECT 1").first(Int.self) == 1)
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
