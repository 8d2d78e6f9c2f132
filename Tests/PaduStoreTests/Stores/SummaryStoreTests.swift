import Foundation
import PQ
import PaduCore
import PaduTestSupport
import Testing

@testable import PaduStore

@Suite("SummaryStore")
struct SummaryStoreTests {
    static let year = try! FiscalYear(2019)

    @Test("after a refresh the executive reads the year's summary of its scope, by agency and by district")
    func summaryAfterRefresh() async throws {
        let f = try await Fixture.shared("store_summary")
        let milliseconds = try await f.tx("admin") { tx in try await tx.summary.refresh() }
        #expect(milliseconds >= 0)
        let unchanged = try await f.db.refreshSummaryIfChanged()
        #expect(unchanged == nil, "nothing changed since the refresh")

        let (summary, districts, villages, asOf, years) = try await f.tx("bupati") { tx in
            (
                try await tx.summary.summary(year: Self.year),
                try await tx.summary.regions(year: Self.year, level: .district),
                try await tx.summary.regions(year: Self.year, level: .village),
                try await tx.summary.asOf(),
                try await tx.summary.years()
            )
        }
        #expect(summary.year == 2019)
        #expect(summary.scope == "16.06")
        #expect(summary.scopeName == "Kabupaten Musi Banyuasin")
        #expect(summary.asOf != nil)
        #expect(summary.totals.allocatedIDR == 1_555_000_000)
        #expect(summary.totals.realizedIDR == 140_000_000)
        let baznas = try #require(summary.byAgency.first { $0.agencyCode == "BAZNAS" })
        #expect(baznas.allocatedIDR == 140_000_000)
        #expect(baznas.realizedIDR == 140_000_000)
        #expect(baznas.realizationRate == 1)
        #expect(summary.byCluster.first { $0.clusterID == 1 }?.allocatedIDR == 1_555_000_000)
        #expect(summary.targeting.byDecile.count == 10)
        #expect(summary.reporting.period == "2019-Q4")

        #expect(!districts.items.isEmpty)
        #expect(districts.items.allSatisfy { $0.regionCode.hasPrefix("16.06.") && $0.regionCode.count == 8 })
        #expect(districts.items.contains { $0.regionCode == "16.06.01" && $0.region == "Sekayu" })
        #expect(villages.items.allSatisfy { $0.regionCode.count == 13 })
        #expect(districts.asOf != nil)
        #expect(districts.asOf == asOf)
        #expect(years.map(\.year) == [2019, 2018])
    }

    @Test("a change to deliveries makes the next conditional refresh run")
    func refreshIfChanged() async throws {
        let f = try await Fixture.shared("store_summary_changed")
        _ = try await f.tx("admin") { tx in try await tx.summary.refresh() }
        #expect(try await f.db.refreshSummaryIfChanged() == nil)
        let person = try #require(try await f.registryPersons().first)
        let programme = try await f.tx("dinkes") { tx in
            try await tx.programs.create(
                NewProgram(
                    code: "POSYANDU", name: "Posyandu", clusterID: 1, aidKind: .service, aidCategory: .other,
                    target: .person, unit: "anak"))
        }
        _ = try await f.tx("admin") { tx in try await tx.programs.setRequiresCoordination(programme.id, false) }
        _ = try await f.tx("dinkes") { tx in
            try await tx.deliveries.record(
                programID: programme.id, coordinated: false,
                [
                    DeliveryInput(
                        recipient: .nik(person.nik), deliveredOn: CalendarDate(year: 2019, month: 7, day: 1)!,
                        quantity: 1, valueIDR: try Rupiah(10_000))
                ])
        }
        // The change is seen through PostgreSQL's statistics counters, which a backend flushes
        // within seconds, not at commit: look again for a bounded while.
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(20)
        var refreshed: Int64?
        while refreshed == nil && clock.now < deadline {
            refreshed = try await f.db.refreshSummaryIfChanged()
            if refreshed == nil { try await Task.sleep(for: .milliseconds(500)) }
        }
        #expect(refreshed != nil)
    }

    @Test("the executive may read the summary but not rebuild it")
    func executiveCannotRefresh() async throws {
        let f = try await Fixture.shared("store_summary")
        let refused = await databaseError { _ = try await f.tx("bupati") { tx in try await tx.summary.refresh() } }
        #expect(refused == .forbidden)
    }

    @Test("reporting counts the latest quarter with a report, else the fourth; ?period picks another")
    func reportingPeriod() async throws {
        let f = try await Fixture.shared("store_summary_period")
        let none = try await f.tx("bupati") { tx in try await tx.summary.summary(year: try FiscalYear(2030)) }
        #expect(none.reporting.period == "2030-Q4")
        #expect(none.year == 2030)
        let uep = f.programs["UEP"]!
        _ = try await f.tx("dinsos") { tx in
            try await tx.reports.put(
                programID: uep, period: try Quarter("2019-Q3"),
                ReportContent(target: 10, achieved: 7, narrative: "tujuh ternak", status: .submitted))
        }
        let (latest, chosen) = try await f.tx("bupati") { tx in
            (
                try await tx.summary.summary(year: Self.year),
                try await tx.summary.summary(year: Self.year, period: try Quarter("2019-Q1"))
            )
        }
        #expect(latest.reporting.period == "2019-Q3")
        #expect(!latest.reporting.missing.contains { $0.contains("Sosial") })
        #expect(latest.reporting.submitted >= 1)
        #expect(chosen.reporting.period == "2019-Q1")
        #expect(chosen.reporting.missing.contains { $0.contains("Sosial") })
    }

    @Test("without a year the summary is of the latest year with data; outputs and coordination are counted")
    func latestYearOutputsCoordination() async throws {
        let f = try await Fixture.shared("store_summary_v11")
        let uep = f.programs["UEP"]!
        let first = try await f.tx("dinsos") { tx in
            _ = try await tx.budgets.replace(
                programID: uep, year: try FiscalYear(2021),
                allocations: [BudgetAllocation(fundingSource: .apbn, allocatedIDR: try Rupiah(100))])
            return try await tx.budgets.addRealization(
                programID: uep,
                NewRealization(
                    year: try FiscalYear(2021), month: try Month(1), source: .apbn, amount: try Rupiah(40), output: 5,
                    overBudgetReason: nil))
        }
        _ = try await f.tx("dinsos") { tx in
            _ = try await tx.budgets.reverseRealization(programID: uep, realizationID: first.id, reason: "salah")
            return try await tx.budgets.addRealization(
                programID: uep,
                NewRealization(
                    year: try FiscalYear(2021), month: try Month(1), source: .apbn, amount: try Rupiah(30), output: 3,
                    overBudgetReason: nil))
        }
        let (summary, latest) = try await f.tx("bupati") { tx in
            (try await tx.summary.summary(), try await tx.summary.latestYear())
        }
        #expect(summary.year == 2021)
        #expect(latest.year == 2021)
        let dinsos = try #require(summary.byAgency.first { $0.agencyCode == "DINSOS" })
        #expect(dinsos.realizedIDR == 30, "the reversed 40 no longer counts")
        #expect(dinsos.allocatedIDR == 100)
        let unit = try await f.database.withAdmin { c in
            try await c.query("SELECT unit FROM padu.programs WHERE id = \(uep)").first(String.self)
        }
        #expect(dinsos.outputs == [Output(unit: try #require(unit), quantity: 3)])

        // A plan of two households, one above decile 4 rejected: coordination of 2019 counts it,
        // and equals a direct count over the plan lines.
        let poor = try #require(try await f.registryPersons(decile: 1...4).first)
        let rich = try #require(try await f.registryPersons(decile: 7...10).first)
        let renovation = f.programs["BEDAH-RUMAH"]!
        let plan = try await f.tx("baznas") { tx in
            let plan = try await tx.plans.create(
                programID: renovation, target: .household, fiscalYear: Self.year, period: try Quarter("2019-Q3"),
                recipients: [
                    RecipientInput(.kk(poor.kk), plannedValueIDR: try Rupiah(20_000_000)),
                    RecipientInput(.kk(rich.kk), plannedValueIDR: try Rupiah(25_000_000)),
                ])
            _ = try await tx.plans.submit(plan.id)
            return plan
        }
        try await f.tx("dinsos") { tx in
            try await tx.plans.decide(
                plan.id, .approve, reason: nil, rejecting: [LineRejection(lineNo: 1, reason: "desil tinggi")])
        }
        let y2019 = try await f.tx("bupati") { tx in try await tx.summary.summary(year: Self.year) }
        let direct = try await f.database.withAdmin { c in
            try await c.query(
                """
                SELECT count(*)::int8, (count(*) FILTER (WHERE l.status = 'approved'))::int8,
                       (count(*) FILTER (WHERE l.status = 'rejected'))::int8,
                       coalesce(sum(l.planned_value_idr) FILTER (WHERE l.status = 'rejected'), 0)::int8
                  FROM padu.plan_lines l JOIN padu.distribution_plans p ON p.id = l.plan_id
                 WHERE l.fiscal_year = 2019 AND p.status <> 'draft'
                """
            ).first((Int, Int, Int, Int64).self)
        }
        let counted = try #require(direct)
        #expect(y2019.coordination.linesSubmitted == counted.0)
        #expect(y2019.coordination.linesApproved == counted.1)
        #expect(y2019.coordination.linesRejected == counted.2)
        #expect(y2019.coordination.rejectedValueIDR == counted.3)
        #expect(counted.1 >= 1 && counted.2 >= 1 && counted.3 >= 25_000_000)
        #expect((y2019.coordination.rejectedByFlag["DECILE_ABOVE_4"] ?? 0) >= 1)
    }
}
