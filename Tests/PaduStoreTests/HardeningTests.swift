import PQ
import PaduCore
import PaduTestSupport
import Testing

@testable import PaduStore

/// Issue 10, the database side: rules an API bug cannot get around, tried directly as
/// padu_agency, padu_coordinator and padu_admin (migrations 0016-0019).
@Suite("Hostile writes refused by the database")
struct HardeningTests {
    func expectState<T>(
        _ sqlState: String, _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation,
        _ body: () async throws -> T
    ) async {
        let error = await #expect(throws: PQError.self, comment, sourceLocation: sourceLocation) {
            _ = try await body()
        }
        #expect(error?.sqlState == sqlState, comment, sourceLocation: sourceLocation)
    }

    /// A draft plan of BEDAH-RUMAH by BAZNAS with two lines (registry persons), as BAZNAS.
    func draftPlan(
        _ f: Fixture, plannedQuantity: Int64? = nil, plannedValue: Int64? = nil
    ) async throws -> (plan: Int64, lines: [Int64], niks: [String]) {
        let persons = try await f.database.withAdmin { c in
            try await c.query("SELECT id, nik::text FROM padu.persons ORDER BY id LIMIT 2").decode((Int64, String).self)
        }
        let programme = f.programs["BEDAH-RUMAH"]!
        return try await f.as("baznas") { c in
            let plan = try await c.query(
                "INSERT INTO padu.distribution_plans (program_id, fiscal_year, period) VALUES (\(programme), \(Int16(2019)), '2019-Q2') RETURNING id"
            ).first(Int64.self)!
            var lines: [Int64] = []
            for (index, (person, nik)) in persons.enumerated() {
                lines.append(
                    try await c.query(
                        """
                        INSERT INTO padu.plan_lines (plan_id, program_id, fiscal_year, line_no, nik, person_id, decile, flags,
                                                     planned_quantity, planned_value_idr)
                        VALUES (\(plan), \(programme), \(Int16(2019)), \(Int32(index)), \(nik), \(person), \(Int16(7)),
                                '{DECILE_ABOVE_4}', \(plannedQuantity), \(plannedValue)) RETURNING id
                        """
                    ).first(Int64.self)!)
            }
            return (plan, lines, persons.map(\.1))
        }
    }

    func submit(_ f: Fixture, _ plan: Int64) async throws {
        try await f.as("baznas") { c in
            try await c.query("UPDATE padu.distribution_plans SET status = 'submitted' WHERE id = \(plan)")
        }
    }

    func approve(_ f: Fixture, _ plan: Int64) async throws {
        try await f.as("dinsos") { c in
            // The lines are flagged: approving them acknowledges the flags (v1.1, PD036).
            try await c.query(
                """
                UPDATE padu.plan_lines SET status = 'approved', acknowledged_flags = flags,
                       acknowledged_by = CASE WHEN flags <> '{}' THEN padu.current_account() END,
                       acknowledged_at = CASE WHEN flags <> '{}' THEN now() END
                 WHERE plan_id = \(plan)
                """)
            try await c.query(
                "UPDATE padu.distribution_plans SET status = 'approved', decision_reason = 'layak' WHERE id = \(plan)")
        }
    }

    /// A coordinator-role account of an agency that coordinates no cluster, as an admin could make.
    func strayCoordinator(_ f: Fixture) async throws -> Caller {
        let id = try await f.database.withAdmin { c in
            try await AccountAdmin.createAccount(
                on: c, username: "dinkes_koord", passwordHash: Fixture.bcryptShaped, role: "coordinator",
                agencyCode: "DINKES", scope: "16.06")
        }
        return Caller(
            accountID: id, username: "dinkes_koord", role: .coordinator, agencyID: f.agencies["DINKES"]!, scope: "16.06"
        )
    }

    @Test("a coordinator account of an agency that coordinates no cluster reads no registry and decides nothing")
    func coordinatorRightsFromCluster() async throws {
        let f = try await Fixture.make("hard_coord")
        let stray = try await strayCoordinator(f)
        let (persons, households, members, kk) = try await f.db.withCaller(stray) { c in
            (
                try await c.query("SELECT count(*) FROM padu.persons").first(Int.self)!,
                try await c.query("SELECT count(*) FROM padu.households").first(Int.self)!,
                try await c.query("SELECT count(*) FROM padu.household_members").first(Int.self)!,
                try await c.query("SELECT count(*) FROM padu.household_kk").first(Int.self)!
            )
        }
        #expect([persons, households, members, kk] == [0, 0, 0, 0])
        // The real coordinator still reads the registry of its scope.
        let coordinatorSees = try await f.as("dinsos") { c in
            try await c.query("SELECT count(*) FROM padu.persons").first(Int.self)!
        }
        #expect(coordinatorSees > 0)
        // Nor can it write the registry.
        await expectState(PQError.SQLState.insufficientPrivilege) {
            try await f.db.withCaller(stray) { c in
                try await c.query(
                    "INSERT INTO padu.households (region_code, address) VALUES ('16.06.01.2001', 'Jl. Palsu')")
            }
        }
        // Nor decide a submitted plan of its cluster.
        let (plan, _, _) = try await draftPlan(f)
        try await submit(f, plan)
        let decided = try await f.db.withCaller(stray) { c in
            try await c.query("UPDATE padu.distribution_plans SET status = 'approved' WHERE id = \(plan)").affectedRows
        }
        #expect(decided == 0)
        // And the admin cannot make another agency the coordinator.
        await expectState(PQError.SQLState.insufficientPrivilege) {
            try await f.as("admin") { c in
                try await c.query(
                    "UPDATE padu.clusters SET coordinator_agency_id = \(f.agencies["DINKES"]!) WHERE id = 1")
            }
        }
    }

    @Test("a plan line cannot be inserted into another agency's plan")
    func lineIntoForeignPlan() async throws {
        let f = try await Fixture.make("hard_foreign_line")
        let (plan, _, _) = try await draftPlan(f)
        let programme = f.programs["BEDAH-RUMAH"]!
        await expectState(PQError.SQLState.foreignKeyViolation) {
            try await f.as("dinkes") { c in
                try await c.query(
                    """
                    INSERT INTO padu.plan_lines (plan_id, program_id, fiscal_year, line_no, kk)
                    VALUES (\(plan), \(programme), \(Int16(2019)), 99, '1606011501190001')
                    """)
            }
        }
        let lines = try await f.database.withAdmin { c in
            try await c.query("SELECT count(*) FROM padu.plan_lines WHERE plan_id = \(plan)").first(Int.self)!
        }
        #expect(lines == 2)
    }

    @Test("the owning agency cannot rewrite the decision fields of its plan")
    func ownerCannotRewriteDecision() async throws {
        let f = try await Fixture.make("hard_owner_decision")
        let (plan, lines, _) = try await draftPlan(f)
        try await submit(f, plan)
        await expectState("PD005", "submitted_at") {
            try await f.as("baznas") { c in
                try await c.query(
                    "UPDATE padu.distribution_plans SET submitted_at = now() - interval '30 days' WHERE id = \(plan)")
            }
        }
        try await approve(f, plan)
        for statement in [
            "UPDATE padu.distribution_plans SET decision_reason = 'disetujui tanpa catatan' WHERE id = \(plan)",
            "UPDATE padu.distribution_plans SET decided_by = NULL WHERE id = \(plan)",
            "UPDATE padu.distribution_plans SET decided_at = now() - interval '1 year' WHERE id = \(plan)",
            "UPDATE padu.plan_lines SET rejection_reason = 'x' WHERE id = \(lines[0])",
        ] {
            await expectState("PD005", "\(statement)") {
                try await f.as("baznas") { c in try await c.query(PQQuery(verbatim: statement)) }
            }
        }
        let reason = try await f.database.withAdmin { c in
            try await c.query("SELECT decision_reason FROM padu.distribution_plans WHERE id = \(plan)").first(
                String.self)
        }
        #expect(reason == "layak")
    }

    @Test("the coordinator changes only a line's status and rejection reason, never flags, decile, recipient or values")
    func coordinatorDecidesOnly() async throws {
        let f = try await Fixture.make("hard_coord_fields")
        let (plan, lines, _) = try await draftPlan(f)
        try await submit(f, plan)
        for assignment in [
            "flags = '{}'", "decile = 1", "planned_value_idr = 1", "planned_quantity = 100",
            "person_id = NULL",
        ] {
            let statement = "UPDATE padu.plan_lines SET \(assignment) WHERE id = \(lines[0])"
            await expectState("PD005", "\(statement)") {
                try await f.as("dinsos") { c in try await c.query(PQQuery(verbatim: statement)) }
            }
        }
        // Combined with a decision, the rewrite is refused all the same.
        await expectState("PD005") {
            try await f.as("dinsos") { c in
                try await c.query(
                    "UPDATE padu.plan_lines SET status = 'approved', flags = '{}' WHERE plan_id = \(plan)")
            }
        }
        let decided = try await f.as("dinsos") { c in
            try await c.query(
                "UPDATE padu.plan_lines SET status = 'rejected', rejection_reason = 'desil 7' WHERE id = \(lines[1])"
            ).affectedRows
        }
        #expect(decided == 1)
        let (flags, decile) = try await f.database.withAdmin { c in
            try await c.query("SELECT array_to_string(flags, ','), decile FROM padu.plan_lines WHERE id = \(lines[0])")
                .first((String, Int16).self)!
        }
        #expect(flags == "DECILE_ABOVE_4" && decile == 7)
    }

    @Test("once a period is closed its draft reports cannot be edited or submitted, and none can be filed")
    func closedPeriodClosesDrafts() async throws {
        let f = try await Fixture.make("hard_closed")
        let bstbk = f.programs["BSTBK"]!
        let uep = f.programs["UEP"]!
        try await f.as("dinsos") { c in
            try await c.query(
                "INSERT INTO padu.progress_reports (program_id, period, target_quantity, narrative) VALUES (\(bstbk), '2019-Q1', 100, 'draf')"
            )
        }
        try await f.as("admin") { c in
            try await c.query(
                "UPDATE padu.reporting_periods SET status = 'closed', closed_at = now() WHERE period = '2019-Q1'")
        }
        let attempts = [
            "UPDATE padu.progress_reports SET narrative = 'diubah' WHERE program_id = \(bstbk) AND period = '2019-Q1'",
            "UPDATE padu.progress_reports SET status = 'submitted', submitted_at = now() WHERE program_id = \(bstbk) AND period = '2019-Q1'",
            "DELETE FROM padu.progress_reports WHERE program_id = \(bstbk) AND period = '2019-Q1'",
            "INSERT INTO padu.progress_reports (program_id, period, achieved_quantity) VALUES (\(uep), '2019-Q1', 5)",
            "UPDATE padu.progress_reports SET period = '2019-Q2' WHERE program_id = \(bstbk) AND period = '2019-Q1'",
        ]
        for statement in attempts {
            await expectState("PD003", "\(statement)") {
                try await f.as("dinsos") { c in try await c.query(PQQuery(verbatim: statement)) }
            }
        }
        let status = try await f.database.withAdmin { c in
            try await c.query("SELECT status || ':' || narrative FROM padu.progress_reports WHERE period = '2019-Q1'")
                .decode(String.self)
        }
        #expect(status == ["draft:draf"])
        // An open period still takes reports.
        try await f.as("dinsos") { c in
            try await c.query(
                "INSERT INTO padu.progress_reports (program_id, period, achieved_quantity) VALUES (\(uep), '2019-Q2', 5)"
            )
        }
    }

    @Test("a budget cannot be lowered below what is realised without a reason")
    func budgetBelowRealised() async throws {
        let f = try await Fixture.make("hard_budget")
        let uep = f.programs["UEP"]!
        try await f.as("dinsos") { c in
            try await c.query(
                """
                INSERT INTO padu.realizations (program_id, fiscal_year, month, funding_source, amount_idr)
                VALUES (\(uep), \(Int16(2019)), \(Int16(3)), 'APBN', \(Int64(120_000_000)))
                """)
        }
        let lowered =
            "UPDATE padu.budget_allocations SET allocated_idr = 100000000 WHERE program_id = \(uep) AND fiscal_year = 2019"
        await expectState("PD001") {
            try await f.as("dinsos") { c in try await c.query(PQQuery(verbatim: lowered)) }
        }
        await expectState("PD001", "deleting the allocation") {
            try await f.as("dinsos") { c in
                try await c.query(
                    "DELETE FROM padu.budget_allocations WHERE program_id = \(uep) AND fiscal_year = 2019")
            }
        }
        // Lowering that stays above the realised amount, or that gives a reason, is accepted.
        try await f.as("dinsos") { c in
            try await c.query(
                "UPDATE padu.budget_allocations SET allocated_idr = 130000000 WHERE program_id = \(uep) AND fiscal_year = 2019"
            )
            try await c.query(
                """
                UPDATE padu.budget_allocations SET allocated_idr = 100000000, below_realised_reason = 'refocusing anggaran'
                 WHERE program_id = \(uep) AND fiscal_year = 2019
                """)
        }
        // BudgetStore.replace, as the API calls it, keeps the same rule.
        await expectState("PD001", "BudgetStore.replace") {
            _ = try await f.as("dinsos") { c in
                try await BudgetStore(connection: c).replace(
                    programID: uep, year: FiscalYear(2019),
                    allocations: [BudgetAllocation(fundingSource: .apbn, allocatedIDR: Rupiah(50_000_000))])
            }
        }
        let kept = try await f.as("dinsos") { c in
            try await BudgetStore(connection: c).replace(
                programID: uep, year: FiscalYear(2019),
                allocations: [BudgetAllocation(fundingSource: .apbn, allocatedIDR: Rupiah(100_000_000))])
        }
        #expect(kept.allocations.map(\.allocatedIDR.amount) == [100_000_000])
    }

    @Test("deliveries against a plan line stay within its planned quantity and value, in one statement or many")
    func deliveriesBoundedByLine() async throws {
        let f = try await Fixture.make("hard_bounds")
        let (plan, lines, niks) = try await draftPlan(f)
        try await f.as("baznas") { c in
            try await c.query(
                "UPDATE padu.plan_lines SET planned_quantity = 3, planned_value_idr = 50000000 WHERE id = \(lines[1])")
        }
        try await submit(f, plan)
        try await approve(f, plan)
        let programme = f.programs["BEDAH-RUMAH"]!
        func deliver(_ rows: [(line: Int64, nik: String, quantity: Int64, value: Int64)]) async throws {
            try await f.as("baznas") { c in
                try await c.query(
                    """
                    INSERT INTO padu.deliveries (program_id, plan_line_id, nik, delivered_on, quantity, value_idr)
                    SELECT \(programme), l, n, '2019-07-01', q, v
                      FROM unnest(\(rows.map { $0.line })::int8[], \(rows.map { $0.nik })::text[], \(rows.map { $0.quantity })::int8[],
                                  \(rows.map { $0.value })::int8[]) AS r(l, n, q, v)
                    """)
            }
        }
        // Line 0 plans nothing: one unit. Two in one statement, or a second one later, are refused.
        await expectState("PD007", "two at once") {
            try await deliver([(lines[0], niks[0], 1, 1_000_000), (lines[0], niks[0], 1, 1_000_000)])
        }
        await expectState("PD007", "quantity 2") { try await deliver([(lines[0], niks[0], 2, 1_000_000)]) }
        try await deliver([(lines[0], niks[0], 1, 1_000_000)])
        await expectState("PD007", "a second delivery") { try await deliver([(lines[0], niks[0], 1, 1_000_000)]) }
        // Line 1 plans 3 units and Rp50 juta.
        await expectState("PD007", "value above planned") {
            try await deliver([(lines[1], niks[1], 1, 30_000_000), (lines[1], niks[1], 1, 30_000_000)])
        }
        try await deliver([(lines[1], niks[1], 1, 20_000_000), (lines[1], niks[1], 2, 30_000_000)])
        await expectState("PD007", "a fourth unit") { try await deliver([(lines[1], niks[1], 1, 0)]) }
        // 10^15 rupiah in one row is refused whatever the plan says.
        await expectState(PQError.SQLState.checkViolation, "value_idr above 10^12") {
            try await deliver([(lines[1], niks[1], 0, 1_000_000_000_001)])
        }
        let (count, quantity) = try await f.database.withAdmin { c in
            try await c.query("SELECT count(*), sum(quantity)::int8 FROM padu.deliveries").first((Int, Int64).self)!
        }
        #expect(count == 3 && quantity == 4)
    }

    @Test("two concurrent transactions delivering the last unit of a line: the second is refused")
    func concurrentDeliveriesCounted() async throws {
        let f = try await Fixture.make("hard_bounds_race")
        let (plan, lines, niks) = try await draftPlan(f)
        try await submit(f, plan)
        try await approve(f, plan)
        let programme = f.programs["BEDAH-RUMAH"]!
        let insert: PQQuery = """
            INSERT INTO padu.deliveries (program_id, plan_line_id, nik, delivered_on, quantity, value_idr)
            VALUES (\(programme), \(lines[0]), \(niks[0]), '2019-07-01', 1, 1000000)
            """
        let second = try await f.as("baznas") { c in
            try await c.query(insert)
            // The first transaction holds its delivery uncommitted while the second one tries.
            let second = Task {
                try await f.as("baznas") { c in try await c.query(insert).affectedRows }
            }
            try await Task.sleep(for: .seconds(2))
            return second
        }
        let error = await #expect(throws: PQError.self) { _ = try await second.value }
        #expect(error?.sqlState == "PD007")
        let count = try await f.database.withAdmin { c in
            try await c.query("SELECT count(*) FROM padu.deliveries WHERE plan_line_id = \(lines[0])").first(Int.self)
        }
        #expect(count == 1)
    }

    @Test("realised amounts above 10^12 per row are refused")
    func realisationCap() async throws {
        let f = try await Fixture.make("hard_real_cap")
        let uep = f.programs["UEP"]!
        await expectState(PQError.SQLState.checkViolation) {
            try await f.as("dinsos") { c in
                try await c.query(
                    """
                    INSERT INTO padu.realizations (program_id, fiscal_year, month, funding_source, amount_idr, over_budget_reason)
                    VALUES (\(uep), \(Int16(2019)), \(Int16(4)), 'APBN', \(Int64(1_000_000_000_000_000)), 'uji')
                    """)
            }
        }
    }

    @Test("the summary refresh cannot overflow, even over rows stored before the per-row cap")
    func summaryCannotOverflow() async throws {
        let f = try await Fixture.make("hard_overflow")
        let bpjs = f.programs["PBI-JK"]!
        let total = try await f.database.withAdmin { c in
            try await c.withTransaction { c in
                // Rows of 10^15 as an older database may hold them (the cap is NOT VALID for old rows).
                try await c.query(
                    "ALTER TABLE padu.deliveries DROP CONSTRAINT IF EXISTS deliveries_value_at_most_10e12")
                try await c.query("SET LOCAL ROLE padu_owner")
                try await c.query(
                    """
                    INSERT INTO padu.deliveries (program_id, agency_id, nik, person_id, delivered_on, value_idr)
                    SELECT \(bpjs), g.agency_id, p.nik, p.id, '2019-02-01', 1000000000000000
                      FROM padu.programs g, (SELECT id, nik FROM padu.persons ORDER BY id LIMIT 1) p,
                           generate_series(1, 10000)
                     WHERE g.id = \(bpjs)
                    """)
            }
            _ = try await c.query("SELECT padu.refresh_summary()")
            return try await c.query("SELECT sum(value_idr)::text FROM padu.summary_location").first(String.self)
        }
        #expect(total == "10000000000000000000")
    }
}
