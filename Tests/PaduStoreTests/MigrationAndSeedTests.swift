import PQ
import PaduTestSupport
import Testing

@testable import PaduStore

@Suite("Migrations and the demo seed")
struct MigrationAndSeedTests {
    @Test("running the migrations again changes nothing")
    func idempotent() async throws {
        let database = try await TestDatabases.fresh("mig_again")
        let client = database.client()
        defer { client.close() }
        let report = try await Migrator(client: client, logger: TestDatabases.logger).migrate()
        #expect(report.applied.isEmpty)
        #expect(report.regionsLoaded == nil)
        let regions = try await client.query("SELECT count(*) FROM padu.regions").first(Int.self)
        #expect(regions == 91_599)
    }

    @Test("checksums are the ones PostgreSQL computes, so databases migrated earlier still match")
    func checksumsMatchPostgres() async throws {
        let database = try await TestDatabases.fresh("mig_checksum")
        let client = database.client()
        defer { client.close() }
        let files = try PaduResources.migrations()
        let regions = try PaduResources.regionFiles()
        let texts = files.map(\.sql) + [regions.joined()]
        let fromServer = try await client.query(
            """
            SELECT encode(sha256(convert_to(t, 'UTF8')), 'hex')
              FROM unnest(\(texts)::text[]) WITH ORDINALITY AS u(t, n) ORDER BY n
            """
        ).decode(String.self)
        #expect(fromServer == files.map { Migrator.checksum([$0.sql]) } + [Migrator.checksum(regions)])
        let recorded = try await client.query("SELECT checksum FROM public.schema_migrations ORDER BY name")
            .decode(String.self)
        #expect(recorded.count == files.count + 1)
    }

    @Test("an applied migration that was edited is refused before anything runs")
    func editedMigrationRefused() async throws {
        let database = try await TestDatabases.fresh("mig_edit")
        let client = database.client()
        defer { client.close() }
        let first = [("9001_probe.sql", "CREATE TABLE public.probe (id int)")]
        try await Migrator(client: client, logger: TestDatabases.logger, files: first).migrate()
        let edited = [
            ("9001_probe.sql", "CREATE TABLE public.probe (id bigint)"),
            ("9002_next.sql", "CREATE TABLE public.next (id int)"),
        ]
        await #expect(throws: StoreError.self) {
            try await Migrator(client: client, logger: TestDatabases.logger, files: edited).migrate()
        }
        let next = try await client.query("SELECT to_regclass('public.next') IS NULL").first(Bool.self)
        #expect(next == true)
    }

    @Test("the demo seed loads Muba's agencies, Klaster 1 with Dinsos coordinating, and the meeting's figures")
    func demoReference() async throws {
        let f = try await Fixture.make("seed_ref", households: 10)
        let (coordinator, chair, members) = try await f.database.withAdmin { c in
            try #require(
                try await c.query(
                    """
                    SELECT (SELECT a.code FROM padu.clusters k JOIN padu.agencies a ON a.id = k.coordinator_agency_id WHERE k.id = 1),
                           (SELECT a.code FROM padu.cluster_members m JOIN padu.agencies a ON a.id = m.agency_id
                             WHERE m.cluster_id = 1 AND m.role = 'chair'),
                           (SELECT count(*) FROM padu.cluster_members WHERE cluster_id = 1)
                    """
                ).first((String, String, Int).self))
        }
        #expect(coordinator == "DINSOS")
        #expect(chair == "SETDA-PEM-KESRA")
        #expect(members == 13)
        let dinsos2018 = try await f.database.withAdmin { c in
            try await c.query(
                """
                SELECT (SELECT sum(allocated_idr) FROM padu.budget_allocations WHERE program_id = \(f.programs["BSTBK"]!) AND fiscal_year = 2018),
                       (SELECT sum(amount_idr) FROM padu.realizations WHERE program_id = \(f.programs["BSTBK"]!) AND fiscal_year = 2018)
                """
            ).first((Int64, Int64).self)
        }
        #expect(dinsos2018?.0 == 350_000_000)
        #expect(dinsos2018?.1 == 332_000_000)
    }

    @Test("synthetic persons live in Muba's villages with valid NIKs whose serials mark them fake")
    func syntheticRegistry() async throws {
        let f = try await Fixture.make("seed_reg", households: 500)
        let (persons, households, outsideMuba, notFake, deciles) = try await f.database.withAdmin { c in
            try #require(
                try await c.query(
                    """
                    SELECT (SELECT count(*) FROM padu.persons), (SELECT count(*) FROM padu.households),
                           (SELECT count(*) FROM padu.households WHERE NOT starts_with(region_code, '16.06.')),
                           (SELECT count(*) FROM padu.persons WHERE substr(nik, 13, 4)::int < 9000)
                             + (SELECT count(*) FROM padu.household_kk WHERE substr(kk, 13, 4)::int < 9000),
                           (SELECT count(DISTINCT decile) FROM padu.households)
                    """
                ).first((Int, Int, Int, Int, Int).self))
        }
        #expect(households == 500)
        #expect(persons > 1_200 && persons < 2_500)
        #expect(outsideMuba == 0)
        #expect(notFake == 0)
        #expect(deciles == 10)
        // Seeding again adds no households.
        let again = try await f.database.withAdmin { c in
            try await DemoSeeder(logger: TestDatabases.logger).seed(on: c, households: 500)
        }
        #expect(again.households == 0)
    }
}
