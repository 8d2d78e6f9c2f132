import Foundation
import PQ
import PaduStore
import PaduTestSupport
import Testing

@Suite("Analysts' logins")
struct AnalystTests {
    @Test("an analyst logs in with a password, reads analytics only, read-only, with a statement timeout")
    func analystLogin() async throws {
        let f = try await Fixture.make("analyst", households: 200)
        let name = "bappeda_\(UInt16.random(in: 1000...9999))"
        try await f.database.withAdmin { c in
            try await AccountAdmin.createAnalyst(on: c, name: name, password: "a long analyst passphrase")
        }
        let cluster = f.database.cluster
        let url = "postgresql://\(name):a%20long%20analyst%20passphrase@127.0.0.1:\(cluster.port!)/\(f.database.name)"
        let client = PQClient(
            configuration: PQClientConfiguration(connection: PQConnectionConfiguration(url), maximumConnections: 1),
            logger: TestDatabases.logger)
        defer { client.close() }
        let (persons, timeout, readOnly) = try await client.withConnection { c in
            (
                try await c.query("SELECT count(*) FROM persons").first(Int.self),
                try await c.query("SHOW statement_timeout").first(String.self),
                try await c.query("SHOW default_transaction_read_only").first(String.self)
            )
        }
        #expect((persons ?? 0) > 0)
        #expect(timeout == "2min")
        #expect(readOnly == "on")
        let denied = await #expect(throws: PQError.self) { try await client.query("SELECT nik FROM padu.persons") }
        #expect(denied?.sqlState == PQError.SQLState.insufficientPrivilege)
        let write = await #expect(throws: PQError.self) { try await client.query("CREATE TABLE analytics.x (i int)") }
        #expect(write?.sqlState == PQError.SQLState.readOnlyTransaction)
        // A wrong password is refused.
        let wrong = PQClient(
            configuration: PQClientConfiguration(
                connection: PQConnectionConfiguration(url.replacingOccurrences(of: "passphrase@", with: "guess@")),
                maximumConnections: 1),
            logger: TestDatabases.logger)
        defer { wrong.close() }
        await #expect(throws: PQError.self) { try await wrong.query("SELECT 1") }
    }

    @Test("an analyst name that could collide with Padu's or PostgreSQL's roles is refused")
    func reservedNames() async throws {
        let f = try await Fixture.make("analyst_names", households: 10)
        for name in ["padu_owner", "pg_monitor", "Robert'); DROP", "ab"] {
            await #expect(throws: StoreError.self) {
                try await f.database.withAdmin { c in
                    try await AccountAdmin.createAnalyst(on: c, name: name, password: "a long analyst passphrase")
                }
            }
        }
    }
}
