import PQ
import PaduStore
import PaduTestSupport
import Testing

/// The delivery rules that 0096 moved from per-row foreign keys to statement-level checks:
/// a bad row in the middle of a batch still fails the whole statement with the code and
/// constraint the foreign key gave, and a person, household or programme that a delivery
/// names can still be neither deleted nor given another key.
@Suite("Delivery rules checked per statement")
struct BulkDeliveryRulesTests {
    /// Three registry persons of three households, with their current household.
    func people(_ f: Fixture) async throws -> [(id: Int64, nik: String, household: Int64)] {
        try await f.database.withAdmin { c in
            try await c.query(
                """
                SELECT DISTINCT ON (m.household_id) p.id, p.nik::text, m.household_id FROM padu.persons p
                  JOIN padu.household_members m ON m.person_id = p.id AND m.valid_to IS NULL
                 ORDER BY m.household_id, p.id LIMIT 3
                """
            ).decode((Int64, String, Int64).self)
        }.map { (id: $0.0, nik: $0.1, household: $0.2) }
    }

    /// Inserts PBI-JK (no coordination) deliveries as its owner, one row per tuple, in one
    /// statement (a missing id as 0); the middle row's agency is `middleAgency` (the programme's when
    /// nil) and its plan line `middlePlanLine`.
    func deliver(
        _ f: Fixture, _ rows: [(nik: String, person: Int64?, household: Int64?)], middleAgency: Int64? = nil,
        middlePlanLine: Int64? = nil
    ) async throws {
        let programme = f.programs["PBI-JK"]!
        try await f.database.withAdmin { c in
            try await c.withTransaction { c in
                try await c.query("SET LOCAL ROLE padu_owner")
                try await c.query(
                    """
                    INSERT INTO padu.deliveries (program_id, agency_id, plan_line_id, nik, person_id, household_id, delivered_on)
                    SELECT \(programme), CASE WHEN r.n = 2 THEN coalesce(\(middleAgency), p.agency_id) ELSE p.agency_id END,
                           CASE WHEN r.n = 2 THEN \(middlePlanLine)::int8 END,
                           r.nik, nullif(r.person_id, 0), nullif(r.household_id, 0), '2019-03-01'
                      FROM unnest(\(rows.map(\.nik))::text[], \(rows.map { $0.person ?? 0 })::int8[],
                                  \(rows.map { $0.household ?? 0 })::int8[])
                           WITH ORDINALITY AS r(nik, person_id, household_id, n)
                      JOIN padu.programs p ON p.id = \(programme)
                    """)
            }
        }
    }

    func count(_ f: Fixture) async throws -> Int {
        try await f.database.withAdmin { c in try await c.query("SELECT count(*) FROM padu.deliveries").first(Int.self)!
        }
    }

    @Test("a bad row in the middle of a batch fails the statement with the foreign key's code, or PD006")
    func badRowInTheMiddle() async throws {
        let f = try await Fixture.make("bulk_rules_rows")
        let p = try await people(f)
        let (missingPerson, missingHousehold) = try await f.database.withAdmin { c in
            try await c.query(
                "SELECT (SELECT max(id) + 1000 FROM padu.persons), (SELECT max(id) + 1000 FROM padu.households)"
            ).first((Int64, Int64).self)!
        }
        let good = p.map { (nik: $0.nik, person: Optional($0.id), household: Optional($0.household)) }
        let before = try await count(f)
        let cases: [(String, [(nik: String, person: Int64?, household: Int64?)], Int64?, String, String?)] = [
            (
                "no such person", [good[0], (p[1].nik, missingPerson, p[1].household), good[2]], nil, "23503",
                "deliveries_person_id_fkey"
            ),
            (
                "no such household", [good[0], (p[1].nik, p[1].id, missingHousehold), good[2]], nil, "23503",
                "deliveries_household_id_fkey"
            ),
            (
                "the programme is not that agency's", good, f.agencies["BAZNAS"]!, "23503",
                "deliveries_program_id_agency_id_fkey"
            ),
            (
                "another person's registry id", [good[0], (p[1].nik, p[2].id, p[1].household), good[2]], nil, "PD006",
                nil
            ),
            (
                "another household's registry id", [good[0], (p[1].nik, p[1].id, p[2].household), good[2]], nil,
                "PD006",
                nil
            ),
        ]
        for (label, rows, agency, state, constraint) in cases {
            let error = await #expect(throws: PQError.self, "\(label)") {
                try await deliver(f, rows, middleAgency: agency)
            }
            #expect(error?.sqlState == state, "\(label)")
            if let constraint { #expect(error?.constraint == constraint, "\(label)") }
        }
        let noLine = await #expect(throws: PQError.self, "no such plan line") {
            try await deliver(f, good, middlePlanLine: 1_000_000_000)
        }
        #expect(noLine?.sqlState == "23503")
        #expect(noLine?.constraint == "deliveries_plan_line_id_program_id_fiscal_year_fkey")
        #expect(try await count(f) == before)
        // The good rows alone are stored, and an update to a key that does not exist is refused.
        try await deliver(f, good)
        #expect(try await count(f) == before + 3)
        let error = await #expect(throws: PQError.self) {
            try await f.database.withAdmin { c in
                try await c.withTransaction { c in
                    try await c.query("SET LOCAL ROLE padu_owner")
                    try await c.query(
                        "UPDATE padu.deliveries SET household_id = \(missingHousehold) WHERE person_id = \(p[1].id)")
                }
            }
        }
        #expect(error?.sqlState == "23503")
        #expect(error?.constraint == "deliveries_household_id_fkey")
    }

    @Test("a person, household or programme that a delivery names is neither deleted nor given another key")
    func parentsKept() async throws {
        let f = try await Fixture.make("bulk_rules_parents")
        let p = try await people(f)
        try await deliver(f, [(p[0].nik, p[0].id, p[0].household)])
        let programme = f.programs["PBI-JK"]!
        let attempts: [(String, String)] = [
            ("DELETE FROM padu.persons WHERE id = \(p[0].id)", "deliveries_person_id_fkey"),
            ("UPDATE padu.persons SET id = DEFAULT WHERE id = \(p[0].id)", "deliveries_person_id_fkey"),
            ("DELETE FROM padu.households WHERE id = \(p[0].household)", "deliveries_household_id_fkey"),
            ("UPDATE padu.households SET id = DEFAULT WHERE id = \(p[0].household)", "deliveries_household_id_fkey"),
            ("DELETE FROM padu.programs WHERE id = \(programme)", "deliveries_program_id_agency_id_fkey"),
            (
                "UPDATE padu.programs SET agency_id = \(f.agencies["BAZNAS"]!) WHERE id = \(programme)",
                "deliveries_program_id_agency_id_fkey"
            ),
        ]
        for (sql, constraint) in attempts {
            let error = await #expect(throws: PQError.self, "\(sql)") {
                try await f.database.withAdmin { c in
                    try await c.withTransaction { c in
                        try await c.query("SET LOCAL ROLE padu_owner")
                        try await c.query(PQQuery(verbatim: sql))
                    }
                }
            }
            #expect(error?.sqlState == "23503", "\(sql)")
            #expect(error?.constraint == constraint, "\(sql)")
        }
        // A person no delivery names is not held by these triggers: a new one, alone, can go.
        try await f.database.withAdmin { c in
            try await c.withTransaction { c in
                try await c.query("SET LOCAL ROLE padu_owner")
                let id = try await c.query(
                    """
                    INSERT INTO padu.persons (nik, name, birth_date, sex)
                    VALUES ('1606014101909991', 'Warga Uji', '1990-01-01', 'F') RETURNING id
                    """
                ).first(Int64.self)!
                try await c.query("UPDATE padu.persons SET id = DEFAULT WHERE id = \(id)")
                #expect(try await c.query("DELETE FROM padu.persons WHERE nik = '1606014101909991'").affectedRows == 1)
            }
        }
    }

    @Test("deleting a person waits for a delivery being written that names it, then is refused")
    func parentWaitsForWriters() async throws {
        let f = try await Fixture.make("bulk_rules_race")
        let person = try await people(f)[0]
        let programme = f.programs["PBI-JK"]!
        // A delivery to the person, not committed yet, while another transaction deletes the person.
        let (deleter, waited) = try await f.database.withAdmin { writer in
            try await writer.withTransaction { writer in
                try await writer.query("SET LOCAL ROLE padu_owner")
                try await writer.query(
                    """
                    INSERT INTO padu.deliveries (program_id, agency_id, nik, person_id, household_id, delivered_on)
                    SELECT id, agency_id, \(person.nik), \(person.id), \(person.household), '2019-03-01'
                      FROM padu.programs WHERE id = \(programme)
                    """)
                let deleter = Task {
                    try await f.database.withAdmin { c in
                        try await c.withTransaction { c in
                            try await c.query("SET LOCAL application_name = 'bulk-rules-deleter'")
                            try await c.query("SET LOCAL ROLE padu_owner")
                            try await c.query("DELETE FROM padu.persons WHERE id = \(person.id)")
                        }
                    }
                }
                // The deleter waits for the writer's lock on deliveries (it would otherwise find no
                // delivery and go on): seen in pg_stat_activity, not guessed from a sleep.
                let waited = try await f.waitsForLock("bulk-rules-deleter")
                return (deleter, waited)
            }
        }
        #expect(waited)
        let outcome = await deleter.result
        let error = #expect(throws: PQError.self) { try outcome.get() }
        #expect(error?.sqlState == "23503")
        #expect(error?.constraint == "deliveries_person_id_fkey")
        let persons = try await f.database.withAdmin { c in
            try await c.query("SELECT count(*) FROM padu.persons WHERE id = \(person.id)").first(Int.self)!
        }
        #expect(persons == 1)
    }

    @Test("a plan line that a delivery names is neither deleted nor given another id; another line of its draft is")
    func planLineKept() async throws {
        let f = try await Fixture.make("bulk_rules_line")
        let p = try await people(f)
        let programme = f.programs["PBI-JK"]!
        // A draft plan of PBI-JK (no coordination: its deliveries may name a draft's line), two lines.
        let lines = try await f.database.withAdmin { c in
            try await c.withTransaction { c in
                try await c.query("SET LOCAL ROLE padu_owner")
                let plan = try await c.query(
                    """
                    INSERT INTO padu.distribution_plans (program_id, agency_id, fiscal_year, period)
                    SELECT id, agency_id, 2019, '2019-Q1' FROM padu.programs WHERE id = \(programme) RETURNING id
                    """
                ).first(Int64.self)!
                return try await c.query(
                    """
                    WITH added AS (INSERT INTO padu.plan_lines (plan_id, program_id, fiscal_year, agency_id, line_no, nik, person_id,
                                                 household_id)
                    SELECT \(plan), g.id, 2019, g.agency_id, x.n - 1, x.nik, x.person_id, x.household_id
                      FROM unnest(\([p[0].nik, p[1].nik])::text[], \([p[0].id, p[1].id])::int8[],
                                  \([p[0].household, p[1].household])::int8[]) WITH ORDINALITY AS x(nik, person_id, household_id, n)
                      JOIN padu.programs g ON g.id = \(programme)
                    RETURNING id)
                    SELECT min(id), max(id) FROM added
                    """
                ).first((Int64, Int64).self).map { [$0.0, $0.1] } ?? []
            }
        }
        try #require(lines.count == 2)
        try await f.database.withAdmin { c in
            try await c.withTransaction { c in
                try await c.query("SET LOCAL ROLE padu_owner")
                try await c.query(
                    """
                    INSERT INTO padu.deliveries (program_id, agency_id, plan_line_id, nik, person_id, household_id, delivered_on)
                    SELECT id, agency_id, \(lines[0]), \(p[0].nik), \(p[0].id), \(p[0].household), '2019-03-01'
                      FROM padu.programs WHERE id = \(programme)
                    """)
            }
        }
        for sql in [
            "DELETE FROM padu.plan_lines WHERE id = \(lines[0])",
            "UPDATE padu.plan_lines SET id = DEFAULT WHERE id = \(lines[0])",
        ] {
            let error = await #expect(throws: PQError.self, "\(sql)") {
                try await f.database.withAdmin { c in
                    try await c.withTransaction { c in
                        try await c.query("SET LOCAL ROLE padu_owner")
                        try await c.query(PQQuery(verbatim: sql))
                    }
                }
            }
            #expect(error?.sqlState == "23503", "\(sql)")
            #expect(error?.constraint == "deliveries_plan_line_id_program_id_fiscal_year_fkey", "\(sql)")
        }
        let deleted = try await f.database.withAdmin { c in
            try await c.withTransaction { c in
                try await c.query("SET LOCAL ROLE padu_owner")
                return try await c.query("DELETE FROM padu.plan_lines WHERE id = \(lines[1])").affectedRows
            }
        }
        #expect(deleted == 1)
    }
}
