import Foundation
import PQ
import PaduAPI
import PaduStore
import PaduTestSupport
import Testing

/// Analysts cannot hurt the service: the server itself holds them to their statement limit.
@Suite("The analyst watchdog")
struct AnalystWatchdogTests {
    @Test("the running server cancels an analyst's statement past the limit, though the analyst SET its timeout off")
    func serverCancelsRunawayAnalyst() async throws {
        let api = try await TestAPI.start("watchdog", households: 10) { configuration in
            configuration.analystStatementLimit = .seconds(1)
            configuration.analystWatchdogInterval = .milliseconds(200)
        }
        defer { api.stop() }
        let name = "peneliti_\(UInt16.random(in: 1000...9999))"
        let password = "a long analyst passphrase"
        try await api.database.withAdmin { c in
            try await AccountAdmin.createAnalyst(on: c, name: name, password: password)
        }
        let client = PQClient(
            configuration: PQClientConfiguration(
                connection: PQConnectionConfiguration(
                    "postgresql://\(name):a%20long%20analyst%20passphrase@127.0.0.1:\(api.database.cluster.port!)/\(api.database.name)"
                ), maximumConnections: 1),
            logger: TestDatabases.logger)
        defer { client.close() }
        let started = ContinuousClock.now
        let error = await #expect(throws: PQError.self) {
            try await client.withConnection { c in
                try await c.query("SET statement_timeout = 0")
                _ = try await c.query("SELECT pg_sleep(60)")
            }
        }
        #expect(error?.sqlState == PQError.SQLState.queryCanceled)
        #expect(ContinuousClock.now - started < .seconds(30))
    }
}
