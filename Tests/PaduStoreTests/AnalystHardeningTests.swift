import Foundation
import PQ
import PaduStore
import PaduTestSupport
import Testing

/// Issue 10: analysts cannot hurt the service or each other, their keys do not link to API
/// ids, suppression holds against differencing, and the login limiter is atomic (0020-0022).
@Suite("Analysts and sign-in under attack")
struct AnalystHardeningTests {
    static let password = "a long analyst passphrase"

    /// An analyst login and a client for it.
    func analyst(_ f: Fixture, maximum: Int = 1) async throws -> (name: String, client: PQClient) {
        let name = "peneliti_\(UInt16.random(in: 1000...9999))"
        try await f.database.withAdmin { c in
            try await AccountAdmin.createAnalyst(on: c, name: name, password: Self.password)
        }
        let url =
            "postgresql://\(name):a%20long%20analyst%20passphrase@127.0.0.1:\(f.database.cluster.port!)/\(f.database.name)"
        let client = PQClient(
            configuration: PQClientConfiguration(
                connection: PQConnectionConfiguration(url), maximumConnections: maximum),
            logger: TestDatabases.logger)
        return (name, client)
    }

    func expectState<T>(
        _ sqlState: String, _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation,
        _ body: () async throws -> T
    ) async {
        let error = await #expect(throws: PQError.self, comment, sourceLocation: sourceLocation) {
            _ = try await body()
        }
        #expect(error?.sqlState == sqlState, comment, sourceLocation: sourceLocation)
    }

    @Test("an analyst who switches its limits off still cannot write, take the service's locks, or notify")
    func analystCannotWriteOrLock() async throws {
        let f = try await Fixture.make("ana_write", households: 20)
        let (_, client) = try await analyst(f)
        defer { client.close() }
        try await client.withConnection { c in
            try await c.query("SET default_transaction_read_only = off")
            try await c.query("SET statement_timeout = 0")
            for statement in [
                "SELECT lo_create(0)", "SELECT lo_from_bytea(0, '\\x00'::bytea)", "SELECT lo_creat(-1)",
                "SELECT pg_notify('padu', 'x')",
                "SELECT pg_advisory_lock(hashtext('padu.refresh_summary'))",
                "SELECT pg_try_advisory_xact_lock(hashtext('padu.migrate'))",
                "SELECT 1 FROM padu.locks FOR UPDATE",
                "SELECT 1 FROM public.schema_migrations_lock FOR UPDATE NOWAIT",
            ] {
                await expectState(PQError.SQLState.insufficientPrivilege, "\(statement)") {
                    try await c.query(PQQuery(verbatim: statement))
                }
            }
        }
    }

    @Test("each analyst login has a connection limit")
    func connectionLimit() async throws {
        let f = try await Fixture.make("ana_limit", households: 10)
        let (name, client) = try await analyst(f, maximum: 4)
        defer { client.close() }
        let limit = try await f.database.withAdmin { c in
            try await c.query("SELECT rolconnlimit FROM pg_roles WHERE rolname = \(name)").first(Int32.self)
        }
        #expect(limit == 3)
        let error = await #expect(throws: PQError.self) {
            try await client.withConnection { a in
                try await a.query("SELECT 1")
                try await client.withConnection { b in
                    try await b.query("SELECT 1")
                    try await client.withConnection { c in
                        try await c.query("SELECT 1")
                        try await client.withConnection { d in try await d.query("SELECT 1") }
                    }
                }
            }
        }
        #expect(error != nil)
    }

    @Test("the watchdog cancels an analyst's long query whatever statement_timeout it SET")
    func watchdogCancels() async throws {
        let f = try await Fixture.make("ana_watchdog", households: 10)
        let (_, client) = try await analyst(f)
        defer { client.close() }
        let sleeper = Task {
            try await client.withConnection { c in
                try await c.query("SET statement_timeout = 0")
                return try await c.query("SELECT pg_sleep(60)")
            }
        }
        let api = f.database.client(api: true, maximum: 1)
        defer { api.close() }
        var cancelled = 0
        for _ in 0..<40 where cancelled == 0 {
            try await Task.sleep(for: .milliseconds(250))
            cancelled =
                try await api.query("SELECT padu.cancel_runaway_analyst_queries(1)").first(Int32.self).map(Int.init)
                ?? 0
        }
        #expect(cancelled == 1)
        let error = await #expect(throws: PQError.self) { _ = try await sleeper.value }
        #expect(error?.sqlState == PQError.SQLState.queryCanceled)
    }

    @Test("the migrator does not wait for whoever holds an advisory lock")
    func migratorIgnoresAdvisoryLocks() async throws {
        let f = try await Fixture.make("ana_migrate", households: 10)
        let (finished, released) = try await f.database.withAdmin { holder in
            try await holder.query("SELECT pg_advisory_lock(hashtext('padu.migrate'))")
            let client = f.database.client(maximum: 1)
            let migration = Task {
                defer { client.close() }
                _ = try await Migrator(client: client, logger: TestDatabases.logger).migrate()
                return Date()
            }
            try await Task.sleep(for: .seconds(5))
            let released = Date()
            try await holder.query("SELECT pg_advisory_unlock_all()")
            return (try await migration.value, released)
        }
        #expect(finished < released)
    }

    @Test("analytics keys are keyed hashes: no API id and no stored pseudonym joins them")
    func keysCannotBeJoined() async throws {
        let f = try await Fixture.make("ana_keys", households: 200)
        try await f.database.withAdmin { c in
            _ = try await DemoActivity(logger: TestDatabases.logger).seed(on: c, deliveries: 300, programmes: 8)
        }
        let columns = try await f.database.withAdmin { c in
            try await c.query(
                """
                SELECT column_name FROM information_schema.columns
                 WHERE table_schema = 'analytics' AND table_name = 'deliveries' ORDER BY ordinal_position
                """
            ).decode(String.self)
        }
        #expect(!columns.contains("delivery_id"))
        #expect(columns.contains("delivery_key"))
        let (deliveries, joinedByPseudonym, distinctKeys) = try await f.database.withAdmin { c in
            try await c.query(
                """
                SELECT (SELECT count(*) FROM analytics.deliveries),
                       (SELECT count(*) FROM analytics.persons a JOIN padu.persons p ON p.pseudonym = a.person_key)
                     + (SELECT count(*) FROM analytics.households a JOIN padu.households h ON h.pseudonym = a.household_key)
                     + (SELECT count(*) FROM analytics.deliveries a JOIN padu.persons p ON p.pseudonym = a.person_key),
                       (SELECT count(DISTINCT delivery_key) FROM analytics.deliveries)
                """
            ).first((Int, Int, Int).self)!
        }
        #expect(deliveries > 0 && distinctKeys == deliveries)
        #expect(joinedByPseudonym == 0)
        // The secret is out of an analyst's reach.
        let (_, client) = try await analyst(f)
        defer { client.close() }
        await expectState(PQError.SQLState.insufficientPrivilege) {
            try await client.query("SELECT * FROM padu.analytics_key")
        }
        // Keys stay stable between queries, so an analyst can still join persons to deliveries.
        let joined = try await client.query(
            "SELECT count(*) FROM deliveries d JOIN persons p USING (person_key)"
        ).first(Int.self)!
        #expect(joined > 0)
    }

    @Test("a village cell alone under 5 in its district takes the next-smallest cell with it")
    func secondarySuppression() async throws {
        let f = try await Fixture.make("ana_suppress", households: 20)
        let bpjs = f.programs["PBI-JK"]!
        // Three villages of one district whose only deliveries reach 3, 6 and 8 households.
        let villages = try await f.database.withAdmin { c in
            try await c.withTransaction { c in
                try await c.query("SET LOCAL ROLE padu_owner")
                let villages = try await c.query(
                    "SELECT code::text FROM padu.regions WHERE code LIKE '16.06.03.%' AND level = 4 ORDER BY code LIMIT 3"
                ).decode(String.self)
                for (index, (village, households)) in zip(villages, [3, 6, 8]).enumerated() {
                    try await c.query(
                        """
                        WITH h AS (
                            INSERT INTO padu.households (region_code, decile)
                            SELECT \(village), 2 FROM generate_series(1, \(Int32(households))) RETURNING id
                        ), k AS (
                            INSERT INTO padu.household_kk (household_id, kk, valid_from)
                            SELECT id, '160603' || '150119' || lpad((\(Int32(index * 100)) + row_number() OVER (ORDER BY id))::text, 4, '0'),
                                   '2019-01-15'
                              FROM h RETURNING household_id, kk
                        )
                        INSERT INTO padu.deliveries (program_id, agency_id, kk, household_id, delivered_on, value_idr)
                        SELECT \(bpjs), g.agency_id, k.kk, k.household_id, '2019-05-01', 1000000
                          FROM k, padu.programs g WHERE g.id = \(bpjs)
                        """)
                }
                return villages
            }
        }
        try #require(villages.count == 3)
        _ = try await f.database.withAdmin { c in try await c.query("SELECT padu.refresh_summary()") }
        let (_, client) = try await analyst(f)
        defer { client.close() }
        let summary = try await client.query(
            """
            SELECT village_code::text, households_reached, value_idr::int8 FROM summary_by_village
             WHERE fiscal_year = 2019 AND district_code = '16.06.03' ORDER BY village_code
            """
        ).decode((String, Int64?, Int64?).self)
        #expect(summary.map(\.0) == villages)
        #expect(summary.map(\.1) == [nil, nil, 8])
        #expect(summary.map(\.2) == [nil, nil, 8_000_000])
        let coverage = try await client.query(
            """
            SELECT village_code::text, households_reached FROM coverage_by_village
             WHERE fiscal_year = 2019 AND district_code = '16.06.03' ORDER BY village_code
            """
        ).decode((String, Int64?).self)
        #expect(coverage.map(\.1) == [nil, nil, 8])
    }

    @Test("the executive's village figures: one hidden village in a district hides the next-smallest too")
    func secondarySuppressionForExecutive() async throws {
        let f = try await Fixture.make("ana_suppress_exec", households: 20)
        let bpjs = f.programs["PBI-JK"]!
        // Every village of district 16.06.03 reached: the first by 2 households, the others by
        // 6, 7, 8, ... households.
        let villages = try await f.database.withAdmin { c in
            try await c.withTransaction { c in
                try await c.query("SET LOCAL ROLE padu_owner")
                try await c.query(
                    """
                    WITH v AS (
                        SELECT code, row_number() OVER (ORDER BY code) AS n FROM padu.regions
                         WHERE code LIKE '16.06.03.%' AND level = 4
                    ), h AS (
                        INSERT INTO padu.households (region_code, decile)
                        SELECT v.code, 3 FROM v, generate_series(1, CASE WHEN v.n = 1 THEN 2 ELSE 4 + v.n END)
                        RETURNING id
                    ), k AS (
                        INSERT INTO padu.household_kk (household_id, kk, valid_from)
                        SELECT id, '160603' || '160219' || lpad((row_number() OVER (ORDER BY id))::text, 4, '0'), '2019-02-16'
                          FROM h RETURNING household_id, kk
                    )
                    INSERT INTO padu.deliveries (program_id, agency_id, kk, household_id, delivered_on, value_idr)
                    SELECT \(bpjs), g.agency_id, k.kk, k.household_id, '2019-05-01', 1000000
                      FROM k, padu.programs g WHERE g.id = \(bpjs)
                    """)
                return try await c.query(
                    "SELECT code::text FROM padu.regions WHERE code LIKE '16.06.03.%' AND level = 4 ORDER BY code"
                ).decode(String.self)
            }
        }
        try #require(villages.count >= 3)
        _ = try await f.database.withAdmin { c in try await c.query("SELECT padu.refresh_summary()") }
        let rows = try await f.as("bupati") { c in
            try await c.query(
                """
                SELECT region_code, households_reached, value_delivered_idr FROM padu.summary_regions(2019, 4)
                 WHERE region_code LIKE '16.06.03.%' ORDER BY region_code
                """
            ).decode((String, Int64?, Int64?).self)
        }
        #expect(rows.map(\.0) == villages)
        #expect(rows[0].1 == nil && rows[1].1 == nil && rows[1].2 == nil, "the 2 and the next-smallest, 6")
        #expect(rows[2].1 == 7 && rows[2].2 == 7_000_000)
        #expect(rows.dropFirst(2).allSatisfy { $0.1 != nil })
    }

    @Test("20 parallel sign-in attempts for one user from one address: exactly 5 go on")
    func loginAttemptsAtomic() async throws {
        let f = try await Fixture.make("ana_login", households: 10)
        let api = f.database.client(api: true, maximum: 8)
        defer { api.close() }
        func attempt(_ user: String, _ address: String?, perAddress: Int32 = 30) async throws -> Bool {
            try await api.withTransaction { c in
                try await c.query(
                    """
                    SELECT allowed FROM padu.login_attempt(\(user), \(address), interval '15 minutes', \(Int32(5)), \(perAddress))
                    """
                ).first(Bool.self)!
            }
        }
        let allowed = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<20 { group.addTask { try await attempt("dinkes", "10.0.0.1") } }
            var allowed = 0
            for try await ok in group where ok { allowed += 1 }
            return allowed
        }
        #expect(allowed == 5)
        // The same user from another address is not locked out.
        #expect(try await attempt("dinkes", "10.0.0.2"))
        #expect(try await attempt("DINKES", nil))
        // One address trying many usernames meets the per-address cap.
        var spray: [Bool] = []
        for n in 0..<12 { spray.append(try await attempt("user\(n)", "10.0.0.3", perAddress: 10)) }
        #expect(spray == Array(repeating: true, count: 10) + [false, false])
        // A success clears only its own pair.
        try await api.withTransaction { c in
            try await c.query("SELECT padu.login_attempt_succeeded('dinkes', '10.0.0.2')")
        }
        #expect(try await attempt("dinkes", "10.0.0.1") == false)
    }
}
