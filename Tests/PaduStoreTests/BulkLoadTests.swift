import PQ
import PaduStore
import PaduTestSupport
import Testing

/// Bulk loads (issue 14): the delivery rules run once per statement over its rows, and the
/// seed's faster registry load leaves every index and constraint as the migrations made them.
@Suite("Bulk loads")
struct BulkLoadTests {
    /// An approved BAZNAS plan with one line per registry person (the first `count`).
    func approvedPlan(_ f: Fixture, count: Int) async throws -> (plan: Int64, lines: [Int64], niks: [String]) {
        let people = try await f.database.withAdmin { c in
            try await c.query("SELECT id, nik FROM padu.persons ORDER BY id LIMIT \(count)").decode(
                (Int64, String).self)
        }
        let programme = f.programs["BEDAH-RUMAH"]!
        let (plan, lines) = try await f.as("baznas") { c in
            let plan = try await c.query(
                "INSERT INTO padu.distribution_plans (program_id, fiscal_year, period) VALUES (\(programme), \(Int16(2019)), '2019-Q2') RETURNING id"
            ).first(Int64.self)!
            let lines = try await c.query(
                """
                INSERT INTO padu.plan_lines (plan_id, program_id, fiscal_year, line_no, nik, person_id, planned_quantity)
                SELECT \(plan), \(programme), \(Int16(2019)), n - 1, nik, id, 2
                  FROM unnest(\(people.map(\.1))::text[], \(people.map(\.0))::int8[]) WITH ORDINALITY AS u(nik, id, n)
                RETURNING id
                """
            ).decode(Int64.self)
            try await c.query("UPDATE padu.distribution_plans SET status = 'submitted' WHERE id = \(plan)")
            return (plan, lines.sorted())
        }
        try await f.as("dinsos") { c in
            try await c.query("UPDATE padu.plan_lines SET status = 'approved' WHERE plan_id = \(plan)")
            try await c.query("UPDATE padu.distribution_plans SET status = 'approved' WHERE id = \(plan)")
        }
        return (plan, lines, people.map(\.1))
    }

    /// Delivers to each line of the plan in one statement; `wrongRecipient` names, for the row
    /// at that position, the NIK of the next line instead of its own.
    func deliverAll(_ f: Fixture, plan: Int64, wrongRecipient: Int? = nil) async throws -> Int {
        let programme = f.programs["BEDAH-RUMAH"]!
        return try await f.as("baznas") { c in
            try await c.query(
                """
                INSERT INTO padu.deliveries (program_id, plan_line_id, nik, delivered_on, quantity, value_idr)
                SELECT \(programme), l.id,
                       CASE WHEN l.line_no = \(wrongRecipient.map(Int32.init) ?? -1)
                            THEN (SELECT n.nik FROM padu.plan_lines n WHERE n.plan_id = l.plan_id AND n.line_no = l.line_no + 1)
                            ELSE l.nik END,
                       '2019-06-10', 1, 1000
                  FROM padu.plan_lines l WHERE l.plan_id = \(plan) ORDER BY l.line_no
                """
            ).affectedRows
        }
    }

    @Test("one statement of many deliveries is refused whole when any row lacks its approved line (PD002)")
    func statementLevelPlanRule() async throws {
        let f = try await Fixture.make("bulk_pd002", households: 120)
        let (plan, lines, _) = try await approvedPlan(f, count: 150)
        #expect(lines.count == 150)
        // The first row, a middle one and the last but one name another recipient.
        for wrong in [0, 75, 148] {
            let error = await #expect(throws: PQError.self) {
                try await deliverAll(f, plan: plan, wrongRecipient: wrong)
            }
            #expect(error?.sqlState == "PD002", "row \(wrong)")
            #expect(error?.message == "a delivery of this programme needs an approved plan line for the recipient")
        }
        #expect(try await deliverAll(f, plan: plan) == 150)
        // An update that moves deliveries onto a line of a plan not approved is refused too.
        let other = try await f.as("baznas") { c in
            let draft = try await c.query(
                "INSERT INTO padu.distribution_plans (program_id, fiscal_year, period) VALUES (\(f.programs["BEDAH-RUMAH"]!), \(Int16(2019)), '2019-Q3') RETURNING id"
            ).first(Int64.self)!
            return try await c.query(
                """
                INSERT INTO padu.plan_lines (plan_id, program_id, fiscal_year, line_no, nik)
                SELECT \(draft), program_id, fiscal_year, 0, nik FROM padu.plan_lines WHERE id = \(lines[0]) RETURNING id
                """
            ).first(Int64.self)!
        }
        let error = await #expect(throws: PQError.self) {
            try await f.database.withAdmin { c in
                try await c.withTransaction { c in
                    try await c.query("SET LOCAL ROLE padu_owner")
                    try await c.query(
                        "UPDATE padu.deliveries SET plan_line_id = \(other) WHERE plan_line_id = \(lines[0])")
                }
            }
        }
        #expect(error?.sqlState == "PD002")
    }

    @Test("the bounds count every row of one statement against the line (PD007), and the sum lives in one function")
    func statementLevelBounds() async throws {
        let f = try await Fixture.make("bulk_pd007", households: 40)
        let (plan, lines, _) = try await approvedPlan(f, count: 30)
        // Two statements deliver 2 of 2 planned to every line; a third exceeds all of them.
        #expect(try await deliverAll(f, plan: plan) == 30)
        #expect(try await deliverAll(f, plan: plan) == 30)
        let error = await #expect(throws: PQError.self) { try await deliverAll(f, plan: plan) }
        #expect(error?.sqlState == "PD007")
        #expect(error?.detail == "plan_line_id=\(lines[0]) line_no=0")
        let delivered = try await f.database.withAdmin { c in
            try await c.query(
                "SELECT sum(quantity)::int8, count(*) FROM padu.plan_line_delivered(\(lines)::int8[])"
            ).first((Int64, Int).self)
        }
        #expect(delivered?.0 == 60)
        #expect(delivered?.1 == 30)
    }

    /// The registry tables' indexes and constraints, by name and definition.
    static func registryKeys(_ c: PQConnection) async throws -> [String] {
        try await c.query(
            """
            SELECT i.indexrelid::regclass::text || ': ' || pg_get_indexdef(i.indexrelid)
                   || CASE WHEN i.indisvalid AND i.indisready THEN '' ELSE ' (invalid)' END
              FROM pg_index i
             WHERE i.indrelid = ANY ('{padu.households,padu.household_kk,padu.persons,padu.household_members,padu.registry_entries}'::regclass[])
            UNION ALL
            SELECT c.conrelid::regclass::text || '.' || c.conname || ': ' || pg_get_constraintdef(c.oid)
                   || CASE WHEN c.convalidated THEN '' ELSE ' (not valid)' END
              FROM pg_constraint c
             WHERE c.conrelid = ANY ('{padu.households,padu.household_kk,padu.persons,padu.household_members,padu.registry_entries}'::regclass[])
            ORDER BY 1
            """
        ).decode(String.self)
    }

    @Test("the seed rebuilds the registry's indexes and keys as the migrations define them, all valid")
    func seedKeepsEveryKey() async throws {
        let empty = try await TestDatabases.fresh("bulk_keys_empty")
        let expected = try await empty.withAdmin { try await Self.registryKeys($0) }
        let f = try await Fixture.make("bulk_keys_seeded", households: 300)
        let (keys, households, stale) = try await f.database.withAdmin { c in
            (
                try await Self.registryKeys(c),
                try await c.query("SELECT count(*) FROM padu.households").first(Int.self),
                // Every household carries the decile of its latest registry entry.
                try await c.query(
                    """
                    SELECT count(*) FROM padu.households h
                     WHERE NOT EXISTS (
                           SELECT 1 FROM padu.registry_entries e
                            WHERE e.household_id = h.id AND e.as_of = h.registry_as_of AND e.source = h.registry_source
                              AND e.decile = h.decile
                              AND NOT EXISTS (SELECT 1 FROM padu.registry_entries n
                                               WHERE n.household_id = h.id AND n.as_of > e.as_of))
                    """
                ).first(Int.self)
            )
        }
        #expect(households == 300)
        #expect(stale == 0)
        #expect(keys.count > 20)
        #expect(keys == expected)
        // The keys do their work after the load: a second person with a seeded NIK is refused.
        let error = await #expect(throws: PQError.self) {
            try await f.database.withAdmin { c in
                try await c.withTransaction { c in
                    try await c.query("SET LOCAL ROLE padu_owner")
                    try await c.query(
                        """
                        INSERT INTO padu.persons (nik, name, birth_date, sex)
                        SELECT nik, name, birth_date, sex FROM padu.persons ORDER BY id LIMIT 1
                        """)
                }
            }
        }
        #expect(error?.sqlState == "23505")
    }
}
