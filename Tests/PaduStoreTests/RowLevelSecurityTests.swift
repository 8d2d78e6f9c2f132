import PQ
import PaduStore
import PaduTestSupport
import Testing

/// The database, not the API, keeps agencies apart and personal data from those who may not see it.
@Suite("Access enforced by the database")
struct RowLevelSecurityTests {
    func expectDenied(_ sqlState: String = PQError.SQLState.insufficientPrivilege, _ body: () async throws -> Void)
        async
    {
        let error = await #expect(throws: PQError.self) { try await body() }
        #expect(error?.sqlState == sqlState)
    }

    @Test("an agency sees only its own programmes, even when it asks for another's by id")
    func ownProgrammesOnly() async throws {
        let f = try await Fixture.make("rls_read")
        let dinsosProgramme = f.programs["BSTBK"]!
        let (own, foreign) = try await f.as("baznas") { c in
            (
                try await c.query("SELECT DISTINCT agency_id FROM padu.programs").decode(Int64.self),
                try await c.query("SELECT count(*) FROM padu.programs WHERE id = \(dinsosProgramme)").first(Int.self)
            )
        }
        #expect(own == [f.agencies["BAZNAS"]!])
        #expect(foreign == 0)
        let budgets = try await f.as("baznas") { c in
            try await c.query("SELECT count(*) FROM padu.budget_allocations WHERE program_id = \(dinsosProgramme)")
                .first(Int.self)
        }
        #expect(budgets == 0)
    }

    @Test("an agency cannot create or change another agency's records")
    func noForeignWrites() async throws {
        let f = try await Fixture.make("rls_write")
        let dinsos = f.agencies["DINSOS"]!
        let dinsosProgramme = f.programs["BSTBK"]!
        await expectDenied {
            _ = try await f.as("baznas") { c in
                try await c.query(
                    """
                    INSERT INTO padu.budget_allocations (program_id, agency_id, fiscal_year, funding_source, allocated_idr)
                    VALUES (\(dinsosProgramme), \(dinsos), \(Int16(2020)), 'APBD_KAB', \(Int64(1)))
                    """)
            }
        }
        let changed = try await f.as("baznas") { c in
            try await c.query(
                "UPDATE padu.budget_allocations SET allocated_idr = 0 WHERE program_id = \(dinsosProgramme)"
            ).affectedRows
        }
        #expect(changed == 0)
        let deleted = try await f.as("baznas") { c in
            try await c.query("DELETE FROM padu.budget_allocations WHERE program_id = \(dinsosProgramme)").affectedRows
        }
        #expect(deleted == 0)
        // Programmes are never deleted by agencies at all.
        await expectDenied {
            _ = try await f.as("baznas") { c in
                try await c.query("DELETE FROM padu.programs WHERE id = \(dinsosProgramme)")
            }
        }
        let intact = try await f.database.withAdmin { c in
            try await c.query(
                "SELECT sum(allocated_idr) FROM padu.budget_allocations WHERE program_id = \(dinsosProgramme)"
            )
            .first(Int64.self)
        }
        #expect(intact == 725_000_000)
    }

    @Test("a programme created by an agency belongs to that agency, whatever it sends")
    func agencyComesFromContext() async throws {
        let f = try await Fixture.make("rls_owner")
        let owner = try await f.as("baznas") { c in
            try await c.query(
                """
                INSERT INTO padu.programs (code, name, cluster_id, aid_kind, target, unit)
                VALUES ('ZAKAT-PRODUKTIF', 'Zakat Produktif', 1, 'cash', 'household', 'paket') RETURNING agency_id
                """
            ).first(Int64.self)
        }
        #expect(owner == f.agencies["BAZNAS"])
    }

    @Test("only an admin may switch a programme's coordination off")
    func coordinationSwitch() async throws {
        let f = try await Fixture.make("rls_coord")
        let programme = f.programs["BEDAH-RUMAH"]!
        await expectDenied {
            _ = try await f.as("baznas") { c in
                try await c.query("UPDATE padu.programs SET requires_coordination = false WHERE id = \(programme)")
            }
        }
        let switched = try await f.as("admin") { c in
            try await c.query("UPDATE padu.programs SET requires_coordination = false WHERE id = \(programme)")
                .affectedRows
        }
        #expect(switched == 1)
    }

    @Test("the executive and analysts cannot select persons, households or NIKs")
    func noPersonalDataForExecutiveOrAnalyst() async throws {
        let f = try await Fixture.make("rls_exec")
        for table in ["persons", "households", "household_kk", "plan_lines", "deliveries", "registry_entries"] {
            await expectDenied {
                _ = try await f.as("bupati") { c in
                    try await c.query("SELECT * FROM \(identifier: "padu").\(identifier: table)")
                }
            }
        }
        try await f.database.withAdmin { c in
            let error = await #expect(throws: PQError.self) {
                try await c.withTransaction { c in
                    try await c.query("SET LOCAL ROLE padu_analyst")
                    try await c.query("SELECT nik FROM padu.persons")
                }
            }
            #expect(error?.sqlState == PQError.SQLState.insufficientPrivilege)
            let rows = try await c.withTransaction { c in
                try await c.query("SET LOCAL ROLE padu_analyst")
                return try await c.query("SELECT count(*) FROM analytics.persons").first(Int.self)
            }
            #expect((rows ?? 0) > 0)
        }
    }

    @Test("analytics views carry no NIK, KK, name, address or birth date")
    func analyticsHasNoIdentifiers() async throws {
        let f = try await Fixture.make("rls_analytics")
        let leaks = try await f.database.withAdmin { c in
            try await c.query(
                """
                SELECT table_name || '.' || column_name FROM information_schema.columns
                 WHERE table_schema = 'analytics'
                   AND (column_name IN ('nik', 'kk', 'address', 'birth_date')
                        OR (column_name = 'name' AND table_name IN ('persons', 'households', 'deliveries')))
                """
            ).decode(String.self)
        }
        #expect(leaks.isEmpty)
    }

    @Test("the API login holds no privileges until it takes a role")
    func apiLoginHasNothing() async throws {
        let f = try await Fixture.make("rls_api")
        let error = await #expect(throws: PQError.self) {
            try await f.db.client.query("SELECT count(*) FROM padu.programs")
        }
        #expect(error?.sqlState == PQError.SQLState.insufficientPrivilege)
    }

    @Test("a coordinator scoped to Sekayu sees only Sekayu's registry")
    func coordinatorScope() async throws {
        let f = try await Fixture.make("rls_scope", households: 300)
        let regions = try await f.as("sekayu") { c in
            try await c.query("SELECT DISTINCT substr(region_code, 1, 8) FROM padu.persons").decode(String.self)
        }
        let all = try await f.as("dinsos") { c in
            try await c.query("SELECT count(DISTINCT substr(region_code, 1, 8)) FROM padu.persons").first(Int.self)
        }
        #expect(regions == ["16.06.01"])
        #expect((all ?? 0) > 1)
    }

    @Test("an agency reads a person only once the coordinator approved a line naming them, not from a draft")
    func agencySeesOwnRecipientsOnly() async throws {
        let f = try await Fixture.make("rls_person")
        let before = try await f.as("baznas") { c in
            try await c.query("SELECT count(*) FROM padu.persons").first(Int.self)
        }
        #expect(before == 0)
        let (personID, nik) = try await f.database.withAdmin { c in
            try #require(try await c.query("SELECT id, nik FROM padu.persons LIMIT 1").first((Int64, String).self))
        }
        let programme = f.programs["BEDAH-RUMAH"]!
        let seen = try await f.as("baznas") { c in
            let plan = try await c.query(
                "INSERT INTO padu.distribution_plans (program_id, fiscal_year, period) VALUES (\(programme), \(Int16(2019)), '2019-Q2') RETURNING id"
            ).first(Int64.self)!
            try await c.query(
                """
                INSERT INTO padu.plan_lines (plan_id, program_id, fiscal_year, line_no, nik, person_id)
                VALUES (\(plan), \(programme), \(Int16(2019)), 0, \(nik), \(personID))
                """)
            return try await c.query("SELECT nik FROM padu.persons").decode(String.self)
        }
        // Naming a NIK in a draft reveals nothing (0023).
        #expect(seen.isEmpty)
        try await f.as("baznas") { c in
            try await c.query("UPDATE padu.distribution_plans SET status = 'submitted' WHERE program_id = \(programme)")
        }
        try await f.as("dinsos") { c in
            try await c.query(
                "UPDATE padu.plan_lines SET status = 'approved' WHERE program_id = \(programme) AND person_id = \(personID)"
            )
            try await c.query("UPDATE padu.distribution_plans SET status = 'approved' WHERE program_id = \(programme)")
        }
        let approved = try await f.as("baznas") { c in
            try await c.query("SELECT nik FROM padu.persons").decode(String.self)
        }
        #expect(approved == [nik])
        let dinkesSees = try await f.as("dinkes") { c in
            try await c.query("SELECT count(*) FROM padu.persons").first(Int.self)
        }
        #expect(dinkesSees == 0)
    }
}
