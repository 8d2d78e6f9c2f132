import PQ
import PaduCore
import PaduStore
import PaduTestSupport
import Testing

/// `padu seed-demo` tells the 2 May 2019 meeting's story in its data.
@Suite("The demo's story")
struct DemoStoryTests {
    @Test(
        "Baznas renovates exactly 7 houses (approved plan, 7 deliveries, 7 rumah); Dinsos 2018 is 94.9 %; budgets hold")
    func meetingStory() async throws {
        let f = try await Fixture.make("demo_story", households: 500)
        let first = try await f.database.withAdmin { c in
            try await DemoStory(logger: TestDatabases.logger).seed(on: c)
        }
        #expect(first == DemoStory.programmes.reduce(0) { $0 + $1.recipients })
        // The summary as the Bupati reads it: Dinsos 2018, Rp332 of Rp350 juta = 94.9 %;
        // Baznas 2019 reaches 7 households with 7 deliveries.
        try await f.database.withAdmin { c in _ = try await c.query("SELECT padu.refresh_summary()") }
        let (y2018, y2019) = try await f.tx("bupati") { tx in
            (
                try await tx.summary.summary(year: try FiscalYear(2018)),
                try await tx.summary.summary(year: try FiscalYear(2019))
            )
        }
        let dinsos = try #require(y2018.byAgency.first { $0.agencyCode == "DINSOS" })
        #expect(dinsos.allocatedIDR == 350_000_000)
        #expect(dinsos.realizedIDR == 332_000_000)
        let rate = try #require(dinsos.realizationRate)
        #expect((rate * 1000).rounded() / 10 == 94.9)
        let baznas2019 = try #require(y2019.byAgency.first { $0.agencyCode == "BAZNAS" })
        #expect(baznas2019.deliveries == 7)
        #expect(baznas2019.householdsReached == 7)
        #expect(baznas2019.realizedIDR == 140_000_000)

        // The synthetic activity (as `seed-demo --deliveries`) leaves the story's programmes alone.
        try await f.database.withAdmin { c in
            _ = try await DemoActivity(logger: TestDatabases.logger).seed(on: c, deliveries: 3_000, programmes: 20)
        }
        // Seeding the story again adds nothing.
        let again = try await f.database.withAdmin { c in
            try await DemoStory(logger: TestDatabases.logger).seed(on: c)
        }
        #expect(again == 0)

        let renovation = f.programs["BEDAH-RUMAH"]!
        let baznas = try await f.database.withAdmin { c in
            try #require(
                try await c.query(
                    """
                    SELECT (SELECT count(*) FROM padu.distribution_plans WHERE program_id = \(renovation) AND status = 'approved'),
                           (SELECT count(*) FROM padu.plan_lines l JOIN padu.distribution_plans p ON p.id = l.plan_id
                             WHERE l.program_id = \(renovation) AND l.status = 'approved' AND p.status = 'approved'),
                           (SELECT a.code FROM padu.distribution_plans p JOIN padu.programs g ON g.id = p.program_id
                              JOIN padu.clusters k ON k.id = g.cluster_id JOIN padu.agencies a ON a.id = k.coordinator_agency_id
                             WHERE p.program_id = \(renovation)),
                           (SELECT count(*) FROM padu.deliveries WHERE program_id = \(renovation)),
                           (SELECT count(DISTINCT household_id) FROM padu.deliveries WHERE program_id = \(renovation)),
                           (SELECT sum(value_idr)::int8 FROM padu.deliveries WHERE program_id = \(renovation)),
                           (SELECT sum(output_quantity)::int8 FROM padu.realizations WHERE program_id = \(renovation) AND fiscal_year = 2019),
                           (SELECT sum(amount_idr)::int8 FROM padu.realizations WHERE program_id = \(renovation) AND fiscal_year = 2019),
                           (SELECT unit FROM padu.programs WHERE id = \(renovation))
                    """
                ).first((Int, Int, String, Int, Int, Int64, Int64, Int64, String).self))
        }
        #expect(baznas.0 == 1)
        #expect(baznas.1 == 7)
        #expect(baznas.2 == "DINSOS")
        #expect(baznas.3 == 7)
        #expect(baznas.4 == 7)
        #expect(baznas.5 == 140_000_000)
        #expect(baznas.6 == 7)
        #expect(baznas.7 == 140_000_000)
        #expect(baznas.8 == "rumah")

        // Livestock, UEP and staple food for parking attendants: outputs that match their deliveries.
        for story in DemoStory.programmes {
            let program = try #require(f.programs[story.code])
            let figures = try await f.database.withAdmin { c in
                try #require(
                    try await c.query(
                        """
                        SELECT (SELECT count(*) FROM padu.deliveries WHERE program_id = \(program)),
                               (SELECT coalesce(sum(quantity), 0)::int8 FROM padu.deliveries WHERE program_id = \(program)),
                               (SELECT coalesce(sum(output_quantity), 0)::int8 FROM padu.realizations WHERE program_id = \(program)),
                               (SELECT coalesce(sum(amount_idr), 0)::int8 FROM padu.realizations WHERE program_id = \(program))
                        """
                    ).first((Int, Int64, Int64, Int64).self))
            }
            #expect(figures.0 == story.recipients, "\(story.code)")
            #expect(figures.1 == story.output, "\(story.code)")
            #expect(figures.2 == story.output, "\(story.code)")
            #expect(figures.3 == story.realizedIDR, "\(story.code)")
            #expect(figures.2 > 0, "\(story.code) has an output")
        }

        // No programme realises more than its budget (none gives a reason).
        let over = try await f.database.withAdmin { c in
            try await c.query(
                """
                SELECT count(*)::int8 FROM (
                    SELECT r.program_id, r.fiscal_year, r.funding_source, sum(r.amount_idr) AS realised,
                           bool_or(r.over_budget_reason IS NOT NULL) AS reasoned
                      FROM padu.realizations r GROUP BY 1, 2, 3) r
                 WHERE NOT r.reasoned AND r.realised > coalesce(
                    (SELECT sum(b.allocated_idr) FROM padu.budget_allocations b
                      WHERE b.program_id = r.program_id AND b.fiscal_year = r.fiscal_year
                        AND b.funding_source = r.funding_source), 0)
                """
            ).first(Int64.self)
        }
        #expect(over == 0)
    }
}
