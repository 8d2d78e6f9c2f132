import PQ
import PaduStore
import PaduTestSupport
import Testing

/// The registry rules that 0105 and 0106 moved from per-row foreign keys to statement-level
/// checks: a bad row in the middle of a batch still fails the whole statement with the code and
/// constraint name the foreign key gave; a region that a person or household names, and a person
/// or household that a membership names, keep their key and are not deleted (regions), or take
/// their memberships with them (persons and households, the cascade).
@Suite("Registry keys checked per statement")
struct RegistryKeysPerStatementTests {
    /// Runs `sql` as padu_owner in its own transaction and returns the error it raised.
    func failure(_ f: Fixture, _ sql: String) async -> PQError? {
        await #expect(throws: PQError.self, "\(sql)") {
            try await f.database.withAdmin { c in
                try await c.withTransaction { c in
                    try await c.query("SET LOCAL ROLE padu_owner")
                    try await c.query(PQQuery(verbatim: sql))
                }
            }
        }
    }

    func count(_ f: Fixture, _ sql: String) async throws -> Int {
        try await f.database.withAdmin { c in try await c.query(PQQuery(verbatim: sql)).first(Int.self)! }
    }

    @Test("a bad row in the middle of a batch fails the statement with the foreign key's code and name")
    func badRowInTheMiddle() async throws {
        let f = try await Fixture.make("regkeys_rows")
        let (village, household, person) = try await f.database.withAdmin { c in
            try await c.query(
                """
                SELECT h.region_code::text, h.id, m.person_id FROM padu.households h
                  JOIN padu.household_members m ON m.household_id = h.id AND m.valid_to IS NULL
                 ORDER BY h.id LIMIT 1
                """
            ).first((String, Int64, Int64).self)!
        }
        let persons = try await count(f, "SELECT count(*) FROM padu.persons")
        let members = try await count(f, "SELECT count(*) FROM padu.household_members")
        let households = try await count(f, "SELECT count(*) FROM padu.households")
        let cases: [(String, String)] = [
            (
                """
                INSERT INTO padu.persons (nik, name, birth_date, sex, region_code)
                VALUES ('1606014101909991', 'Satu', '1990-01-01', 'F', '\(village)'),
                       ('1606014101909992', 'Dua', '1990-01-01', 'F', '16.06.01.9999'),
                       ('1606014101909993', 'Tiga', '1990-01-01', 'F', '\(village)')
                """,
                "persons_region_code_fkey"
            ),
            (
                """
                INSERT INTO padu.persons (nik, name, birth_date, sex, region_code)
                VALUES ('1606014101909991', 'Satu', '1990-01-01', 'F', '\(village)'),
                       ('1699014101909992', 'Dua', '1990-01-01', 'F', '\(village)'),
                       ('1606014101909993', 'Tiga', '1990-01-01', 'F', NULL)
                """,
                "persons_nik_district_fkey"
            ),
            ("UPDATE padu.persons SET region_code = '16.06.01.9999' WHERE id = \(person)", "persons_region_code_fkey"),
            (
                """
                INSERT INTO padu.households (region_code, address)
                VALUES ('\(village)', 'a'), ('16.06.01.9999', 'b'), ('\(village)', 'c')
                """,
                "households_region_code_fkey"
            ),
            (
                "UPDATE padu.households SET region_code = '16.06.01.9999' WHERE id = \(household)",
                "households_region_code_fkey"
            ),
            (
                """
                INSERT INTO padu.household_members (household_id, person_id, relationship, valid_from, valid_to)
                VALUES (\(household), \(person), 'other', '2031-01-01', '2031-02-01'),
                       (\(household), 0, 'other', '2031-01-01', '2031-02-01'),
                       (\(household), \(person), 'other', '2032-01-01', '2032-02-01')
                """,
                "household_members_person_id_fkey"
            ),
            (
                """
                INSERT INTO padu.household_members (household_id, person_id, relationship, valid_from, valid_to)
                VALUES (\(household), \(person), 'other', '2031-01-01', '2031-02-01'),
                       (0, \(person), 'other', '2032-01-01', '2032-02-01')
                """,
                "household_members_household_id_fkey"
            ),
            (
                "UPDATE padu.household_members SET person_id = 0 WHERE person_id = \(person)",
                "household_members_person_id_fkey"
            ),
        ]
        for (sql, constraint) in cases {
            let error = await failure(f, sql)
            #expect(error?.sqlState == "23503", "\(sql)")
            #expect(error?.constraint == constraint, "\(sql)")
        }
        #expect(try await count(f, "SELECT count(*) FROM padu.persons") == persons)
        #expect(try await count(f, "SELECT count(*) FROM padu.household_members") == members)
        #expect(try await count(f, "SELECT count(*) FROM padu.households") == households)
    }

    @Test("a region that a person or household names is neither deleted nor given another code")
    func regionsKept() async throws {
        let f = try await Fixture.make("regkeys_regions")
        let village = try await f.database.withAdmin { c in
            try await c.query("SELECT region_code::text FROM padu.households ORDER BY id LIMIT 1").first(String.self)!
        }
        for sql in [
            "DELETE FROM padu.regions WHERE code = '\(village)'",
            "UPDATE padu.regions SET code = '16.06.01.9998' WHERE code = '\(village)'",
        ] {
            let error = await failure(f, sql)
            #expect(error?.sqlState == "23503", "\(sql)")
            #expect(error?.constraint == "persons_region_code_fkey", "\(sql)")
        }
        // A region no person or household names can be renamed and its name changed.
        try await f.database.withAdmin { c in
            try await c.withTransaction { c in
                try await c.query("SET LOCAL ROLE padu_owner")
                try await c.query("UPDATE padu.regions SET name = name || ' ' WHERE code = '\(village)'")
            }
        }
    }

    @Test("a person or household keeps its id while a membership names it, and deleting it deletes its memberships")
    func membersFollowTheirParents() async throws {
        let f = try await Fixture.make("regkeys_members")
        // A household no delivery or plan names, with its members.
        let (household, person) = try await f.database.withAdmin { c in
            try await c.query(
                """
                SELECT h.id, min(m.person_id) FROM padu.households h
                  JOIN padu.household_members m ON m.household_id = h.id
                 WHERE NOT EXISTS (SELECT 1 FROM padu.deliveries d WHERE d.household_id = h.id)
                   AND NOT EXISTS (SELECT 1 FROM padu.plan_lines l WHERE l.household_id = h.id)
                   AND NOT EXISTS (SELECT 1 FROM padu.deliveries d JOIN padu.household_members x ON x.person_id = d.person_id
                                    WHERE x.household_id = h.id)
                   AND NOT EXISTS (SELECT 1 FROM padu.plan_lines l JOIN padu.household_members x ON x.person_id = l.person_id
                                    WHERE x.household_id = h.id)
                 GROUP BY h.id ORDER BY h.id LIMIT 1
                """
            ).first((Int64, Int64).self)!
        }
        for (sql, constraint) in [
            ("UPDATE padu.persons SET id = DEFAULT WHERE id = \(person)", "household_members_person_id_fkey"),
            ("UPDATE padu.households SET id = DEFAULT WHERE id = \(household)", "household_members_household_id_fkey"),
        ] {
            let error = await failure(f, sql)
            #expect(error?.sqlState == "23503", "\(sql)")
            #expect(error?.constraint == constraint, "\(sql)")
        }
        let (personMembers, householdMembers) = try await f.database.withAdmin { c in
            try await c.withTransaction { c in
                try await c.query("SET LOCAL ROLE padu_owner")
                try await c.query("DELETE FROM padu.possible_duplicates WHERE \(person) IN (person_a, person_b)")
                #expect(try await c.query("DELETE FROM padu.persons WHERE id = \(person)").affectedRows == 1)
                let personMembers = try await c.query(
                    "SELECT count(*) FROM padu.household_members WHERE person_id = \(person)"
                ).first(Int.self)!
                #expect(try await c.query("DELETE FROM padu.households WHERE id = \(household)").affectedRows == 1)
                let householdMembers = try await c.query(
                    "SELECT count(*) FROM padu.household_members WHERE household_id = \(household)"
                ).first(Int.self)!
                return (personMembers, householdMembers)
            }
        }
        #expect(personMembers == 0)
        #expect(householdMembers == 0)
    }

    @Test("deleting a person waits for a membership being written that names it, then takes it along")
    func deleteWaitsForMemberships() async throws {
        let f = try await Fixture.make("regkeys_race")
        let (person, household) = try await f.database.withAdmin { c in
            try await c.withTransaction { c in
                try await c.query("SET LOCAL ROLE padu_owner")
                let person = try await c.query(
                    """
                    INSERT INTO padu.persons (nik, name, birth_date, sex)
                    VALUES ('1606014101909991', 'Warga Uji', '1990-01-01', 'F') RETURNING id
                    """
                ).first(Int64.self)!
                let household = try await c.query("SELECT min(id) FROM padu.households").first(Int64.self)!
                return (person, household)
            }
        }
        // A membership of the person, not committed yet, while another transaction deletes the person.
        let (deleter, waited) = try await f.database.withAdmin { writer in
            try await writer.withTransaction { writer in
                try await writer.query("SET LOCAL ROLE padu_owner")
                try await writer.query(
                    """
                    INSERT INTO padu.household_members (household_id, person_id, relationship, valid_from)
                    VALUES (\(household), \(person), 'other', '2031-01-01')
                    """)
                let deleter = Task {
                    try await f.database.withAdmin { c in
                        try await c.withTransaction { c in
                            try await c.query("SET LOCAL application_name = 'regkeys-deleter'")
                            try await c.query("SET LOCAL ROLE padu_owner")
                            return try await c.query("DELETE FROM padu.persons WHERE id = \(person)").affectedRows
                        }
                    }
                }
                let waited = try await f.waitsForLock("regkeys-deleter")
                return (deleter, waited)
            }
        }
        #expect(waited)
        #expect(try await deleter.value == 1)
        #expect(try await count(f, "SELECT count(*) FROM padu.household_members WHERE person_id = \(person)") == 0)
        #expect(try await count(f, "SELECT count(*) FROM padu.persons WHERE id = \(person)") == 0)
    }
}
