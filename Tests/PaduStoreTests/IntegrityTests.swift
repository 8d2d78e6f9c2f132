import PQ
import PaduStore
import PaduTestSupport
import Testing

/// Rules the database keeps whoever writes: the coordination rule, budgets, frozen reports,
/// identifiers, the append-only audit log.
@Suite("Rules kept by the database")
struct IntegrityTests {
    /// A plan of `programme` by BAZNAS for the first registry person, and its line.
    func plan(_ f: Fixture, programme: String = "BEDAH-RUMAH") async throws -> (plan: Int64, line: Int64, nik: String) {
        let (personID, nik) = try await f.database.withAdmin { c in
            try #require(
                try await c.query("SELECT id, nik FROM padu.persons ORDER BY id LIMIT 1").first((Int64, String).self))
        }
        let programmeID = f.programs[programme]!
        return try await f.as("baznas") { c in
            let plan = try await c.query(
                "INSERT INTO padu.distribution_plans (program_id, fiscal_year, period) VALUES (\(programmeID), \(Int16(2019)), '2019-Q2') RETURNING id"
            ).first(Int64.self)!
            let line = try await c.query(
                """
                INSERT INTO padu.plan_lines (plan_id, program_id, fiscal_year, line_no, nik, person_id)
                VALUES (\(plan), \(programmeID), \(Int16(2019)), 0, \(nik), \(personID)) RETURNING id
                """
            ).first(Int64.self)!
            return (plan, line, nik)
        }
    }

    func deliver(_ f: Fixture, line: Int64?, nik: String, programme: String = "BEDAH-RUMAH") async throws {
        let programmeID = f.programs[programme]!
        try await f.as("baznas") { c in
            try await c.query(
                """
                INSERT INTO padu.deliveries (program_id, plan_line_id, nik, delivered_on, quantity, value_idr)
                VALUES (\(programmeID), \(line), \(nik), '2019-06-10', 1, \(Int64(20_000_000)))
                """)
        }
    }

    @Test("a delivery without an approved plan line is refused by the database")
    func deliveryNeedsApprovedLine() async throws {
        let f = try await Fixture.make("int_delivery")
        let (plan, line, nik) = try await plan(f)
        // No line at all, then a line of a plan still in draft.
        for candidate in [nil, line] as [Int64?] {
            let error = await #expect(throws: PQError.self) { try await deliver(f, line: candidate, nik: nik) }
            #expect(error?.sqlState == "PD002")
        }
        try await f.as("baznas") { c in
            try await c.query("UPDATE padu.distribution_plans SET status = 'submitted' WHERE id = \(plan)")
        }
        try await f.as("dinsos") { c in
            try await c.query("UPDATE padu.plan_lines SET status = 'approved' WHERE plan_id = \(plan)")
            try await c.query("UPDATE padu.distribution_plans SET status = 'approved' WHERE id = \(plan)")
        }
        try await deliver(f, line: line, nik: nik)
        let count = try await f.as("baznas") { c in
            try await c.query("SELECT count(*) FROM padu.deliveries").first(Int.self)
        }
        #expect(count == 1)
    }

    @Test("a programme that does not require coordination records deliveries without a plan")
    func uncoordinatedProgramme() async throws {
        let f = try await Fixture.make("int_bpjs")
        let nik = try await f.database.withAdmin { c in
            try await c.query("SELECT nik FROM padu.persons LIMIT 1").first(String.self)!
        }
        let bpjs = f.programs["PBI-JK"]!
        try await f.database.withAdmin { c in
            try await c.withTransaction { c in
                try await c.query("SET LOCAL ROLE padu_owner")
                try await c.query(
                    "INSERT INTO padu.deliveries (program_id, agency_id, nik, delivered_on) SELECT \(bpjs), agency_id, \(nik), '2019-03-01' FROM padu.programs WHERE id = \(bpjs)"
                )
            }
        }
    }

    @Test("only the coordinator of the programme's cluster decides a submitted plan")
    func onlyCoordinatorDecides() async throws {
        let f = try await Fixture.make("int_decide")
        let (plan, _, _) = try await plan(f)
        try await f.as("baznas") { c in
            try await c.query("UPDATE padu.distribution_plans SET status = 'submitted' WHERE id = \(plan)")
        }
        let selfApproval = await #expect(throws: PQError.self) {
            try await f.as("baznas") { c in
                try await c.query("UPDATE padu.distribution_plans SET status = 'approved' WHERE id = \(plan)")
            }
        }
        #expect(selfApproval?.sqlState == "PD005")
        let outsider = try await f.as("dinkes") { c in
            try await c.query("UPDATE padu.distribution_plans SET status = 'approved' WHERE id = \(plan)").affectedRows
        }
        #expect(outsider == 0)
        let decided = try await f.as("dinsos") { c in
            try await c.query("UPDATE padu.distribution_plans SET status = 'rejected' WHERE id = \(plan)").affectedRows
        }
        #expect(decided == 1)
        let again = await #expect(throws: PQError.self) {
            try await f.as("dinsos") { c in
                try await c.query("UPDATE padu.distribution_plans SET status = 'approved' WHERE id = \(plan)")
            }
        }
        #expect(again?.sqlState == "PD005")
    }

    @Test("realised spending above the allocation needs a reason")
    func overBudget() async throws {
        let f = try await Fixture.make("int_budget")
        let programme = f.programs["UEP"]!
        let insert: (Int64, String?) async throws -> Void = { amount, reason in
            _ = try await f.as("dinsos") { c in
                try await c.query(
                    """
                    INSERT INTO padu.realizations (program_id, fiscal_year, month, funding_source, amount_idr, over_budget_reason)
                    VALUES (\(programme), \(Int16(2019)), \(Int16(Int(amount % 12) + 1)), 'APBN', \(amount), \(reason))
                    """)
            }
        }
        try await insert(100_000_000, nil)
        let error = await #expect(throws: PQError.self) { try await insert(60_000_000, nil) }
        #expect(error?.sqlState == "PD001")
        try await insert(60_000_000, "harga ternak naik")
    }

    @Test("a submitted report of a closed period cannot change")
    func frozenReport() async throws {
        let f = try await Fixture.make("int_report")
        let programme = f.programs["BSTBK"]!
        try await f.as("dinsos") { c in
            try await c.query(
                """
                INSERT INTO padu.progress_reports (program_id, period, target_quantity, achieved_quantity, status, submitted_at)
                VALUES (\(programme), '2019-Q4', 1200, 1180, 'submitted', now())
                """)
        }
        // Filed while the period was open; then the admin closes it (a closed period takes no new report, 0018).
        try await f.as("admin") { c in
            try await c.query(
                "UPDATE padu.reporting_periods SET status = 'closed', closed_at = now() WHERE period = '2019-Q4'")
        }
        let error = await #expect(throws: PQError.self) {
            try await f.as("dinsos") { c in
                try await c.query(
                    "UPDATE padu.progress_reports SET achieved_quantity = 1200 WHERE program_id = \(programme)")
            }
        }
        #expect(error?.sqlState == "PD003")
    }

    @Test("identifiers that are not real NIKs or KKs, or disagree with the birth date, are refused")
    func identifierRules() async throws {
        let f = try await Fixture.make("int_nik")
        let valid = try await f.database.withAdmin { c in
            try await c.query(
                """
                SELECT padu.nik_is_valid('1606015505900001'), padu.nik_is_valid('1606011505900001'),
                       padu.nik_is_valid('1606013202900001'), padu.nik_is_valid('1606011505900000'),
                       padu.nik_is_valid('1606012902010001'), padu.nik_is_valid('160601150590000X'),
                       padu.kk_is_valid('1606011505190001'), padu.kk_is_valid('1606015505190001')
                """
            ).first((Bool, Bool, Bool, Bool, Bool, Bool, Bool, Bool).self)!
        }
        #expect(
            [valid.0, valid.1, valid.2, valid.3, valid.4, valid.5, valid.6, valid.7]
                == [true, true, false, false, false, false, true, false])
        let mismatch = await #expect(throws: PQError.self) {
            try await f.database.withAdmin { c in
                try await c.query(
                    "INSERT INTO padu.persons (nik, name, birth_date, sex) VALUES ('1606015505900001', 'Siti', '1990-05-15', 'M')"
                )
            }
        }
        #expect(mismatch?.sqlState == PQError.SQLState.checkViolation)
        let unknownDistrict = await #expect(throws: PQError.self) {
            try await f.database.withAdmin { c in
                try await c.query(
                    "INSERT INTO padu.persons (nik, name, birth_date, sex) VALUES ('1606995505900001', 'Siti', '1990-05-15', 'F')"
                )
            }
        }
        #expect(unknownDistrict?.sqlState == PQError.SQLState.foreignKeyViolation)
    }

    @Test("the audit log cannot be updated, deleted or truncated, even by its owner")
    func auditAppendOnly() async throws {
        let f = try await Fixture.make("int_audit")
        try await f.as("baznas", request: "req-audit-1") { c in
            try await c.query(
                "INSERT INTO padu.programs (code, name, cluster_id, aid_kind, target, unit) VALUES ('X1', 'X', 1, 'cash', 'person', 'orang')"
            )
        }
        let entry = try await f.as("admin") { c in
            try await c.query(
                "SELECT account_id, agency_id, entity FROM padu.audit_log WHERE request_id = 'req-audit-1' AND action = 'insert'"
            ).first((Int64?, Int64?, String).self)
        }
        #expect(entry?.0 == f.accounts["baznas"])
        #expect(entry?.1 == f.agencies["BAZNAS"])
        #expect(entry?.2 == "programs")
        let denied = await #expect(throws: PQError.self) {
            try await f.as("admin") { c in try await c.query("DELETE FROM padu.audit_log") }
        }
        #expect(denied?.sqlState == PQError.SQLState.insufficientPrivilege)
        for statement in [
            "UPDATE padu.audit_log SET action = 'x'", "DELETE FROM padu.audit_log", "TRUNCATE padu.audit_log",
        ] {
            let error = await #expect(throws: PQError.self) {
                try await f.database.withAdmin { c in
                    try await c.withTransaction { c in
                        try await c.query("SET LOCAL ROLE padu_owner")
                        try await c.query(PQQuery(verbatim: statement))
                    }
                }
            }
            #expect(error?.sqlState == "PD004")
        }
    }

    @Test(
        "registry ids on a plan line or delivery must be those of its NIK or KK, so none can be forged to read a person"
    )
    func forgedRegistryIDs() async throws {
        let f = try await Fixture.make("int_forged_ids")
        let (first, second, secondHousehold) = try await f.database.withAdmin { c in
            let rows = try await c.query(
                """
                SELECT p.id, p.nik::text, m.household_id FROM padu.persons p
                  JOIN padu.household_members m ON m.person_id = p.id AND m.valid_to IS NULL
                 ORDER BY p.id LIMIT 2
                """
            ).decode((Int64, String, Int64).self)
            return (rows[0], rows[1].0, rows[1].2)
        }
        let programme = f.programs["BEDAH-RUMAH"]!
        let plan = try await f.as("baznas") { c in
            try await c.query(
                "INSERT INTO padu.distribution_plans (program_id, fiscal_year, period) VALUES (\(programme), \(Int16(2019)), '2019-Q2') RETURNING id"
            ).first(Int64.self)!
        }
        for (person, household) in [(second, nil), (first.0, secondHousehold)] as [(Int64?, Int64?)] {
            let error = await #expect(throws: PQError.self) {
                try await f.as("baznas") { c in
                    try await c.query(
                        """
                        INSERT INTO padu.plan_lines (plan_id, program_id, fiscal_year, line_no, nik, person_id, household_id)
                        VALUES (\(plan), \(programme), \(Int16(2019)), 0, \(first.1), \(person), \(household))
                        """)
                }
            }
            #expect(error?.sqlState == "PD006")
        }
        let bpjs = f.programs["PBI-JK"]!
        let error = await #expect(throws: PQError.self) {
            try await f.database.withAdmin { c in
                try await c.withTransaction { c in
                    try await c.query("SET LOCAL ROLE padu_owner")
                    try await c.query(
                        """
                        INSERT INTO padu.deliveries (program_id, agency_id, nik, household_id, delivered_on)
                        SELECT \(bpjs), agency_id, \(first.1), \(secondHousehold), '2019-03-01' FROM padu.programs WHERE id = \(bpjs)
                        """)
                }
            }
        }
        #expect(error?.sqlState == "PD006")
        let seen = try await f.as("baznas") { c in
            try await c.query("SELECT count(*) FROM padu.persons").first(Int.self)
        }
        #expect(seen == 0)
    }

    @Test("only the coordinator decides plan lines; plans start as drafts and lines keep their plan")
    func linesDecidedByCoordinator() async throws {
        let f = try await Fixture.make("int_line_status")
        let (plan, line, _) = try await plan(f)
        let programme = f.programs["BEDAH-RUMAH"]!
        let refusals: [(String, String)] = [
            (
                "baznas",
                "INSERT INTO padu.plan_lines (plan_id, program_id, fiscal_year, line_no, kk, status) VALUES (\(plan), \(programme), 2019, 1, '1606011501190001', 'approved')"
            ),
            (
                "baznas",
                "INSERT INTO padu.distribution_plans (program_id, fiscal_year, period, status, decided_at) VALUES (\(programme), 2019, '2019-Q3', 'approved', now())"
            ),
            ("baznas", "UPDATE padu.plan_lines SET line_no = 5 WHERE id = \(line)"),
        ]
        for (account, sql) in refusals {
            let error = await #expect(throws: PQError.self) {
                try await f.as(account) { c in try await c.query(PQQuery(verbatim: sql)) }
            }
            #expect(error?.sqlState == "PD005", "\(sql)")
        }
        try await f.as("baznas") { c in
            try await c.query("UPDATE padu.distribution_plans SET status = 'submitted' WHERE id = \(plan)")
        }
        let selfApproval = await #expect(throws: PQError.self) {
            try await f.as("baznas") { c in
                try await c.query("UPDATE padu.plan_lines SET status = 'approved' WHERE id = \(line)")
            }
        }
        #expect(selfApproval?.sqlState == "PD005")
        let decided = try await f.as("dinsos") { c in
            try await c.query("UPDATE padu.plan_lines SET status = 'approved' WHERE id = \(line)").affectedRows
        }
        #expect(decided == 1)
    }
}
