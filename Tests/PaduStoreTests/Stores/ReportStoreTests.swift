import PQ
import PaduCore
import PaduStore
import PaduTestSupport
import Testing

@Suite("ReportStore")
struct ReportStoreTests {
    @Test("an agency writes a draft report, then submits it: the second put replaces the first")
    func draftThenSubmit() async throws {
        let f = try await Fixture.shared("store_reports")
        let bstbk = f.programs["BSTBK"]!
        let period = try Quarter("2019-Q2")
        let (draft, created) = try await f.tx("dinsos") { tx in
            try await tx.reports.put(
                programID: bstbk, period: period,
                ReportContent(target: 100, achieved: 40, narrative: "berjalan", status: .draft))
        }
        #expect(created)
        #expect(draft.programID == bstbk)
        #expect(draft.agencyID == f.agencies["DINSOS"])
        #expect(draft.period == period)
        #expect(draft.targetQuantity == 100)
        #expect(draft.achievedQuantity == 40)
        #expect(draft.narrative == "berjalan")
        #expect(draft.status == .draft)
        #expect(draft.submittedAt == nil)

        let (submitted, createdAgain) = try await f.tx("dinsos") { tx in
            try await tx.reports.put(
                programID: bstbk, period: period,
                ReportContent(target: 100, achieved: 95, narrative: nil, status: .submitted))
        }
        #expect(!createdAgain)
        #expect(submitted.status == .submitted)
        #expect(submitted.achievedQuantity == 95)
        #expect(submitted.narrative == nil)
        #expect(submitted.submittedAt != nil)

        let (own, other) = try await f.tx("dinsos") { tx in
            (
                try await tx.reports.list(period: period, withMissing: false),
                try await tx.reports.list(period: try Quarter("2019-Q4"), withMissing: false)
            )
        }
        #expect(own.period == period)
        #expect(own.items == [submitted])
        #expect(own.missing == nil)
        #expect(other.items.isEmpty)
        let seenByAnother = try await f.tx("dinkes") { tx in
            try await tx.reports.list(period: period, withMissing: false)
        }
        #expect(seenByAnother.items.isEmpty)
    }

    @Test("once its period is closed, a report is frozen and none can be filed")
    func closedPeriodFrozen() async throws {
        let f = try await Fixture.shared("store_reports")
        let uep = f.programs["UEP"]!
        let closed = try Quarter("2019-Q3")
        let content = ReportContent(target: 1200, achieved: 1180, narrative: nil, status: .submitted)
        let (report, _) = try await f.tx("dinsos") { tx in
            try await tx.reports.put(programID: uep, period: closed, content)
        }
        #expect(report.status == .submitted)
        _ = try await f.tx("admin") { tx in try await tx.reports.setPeriod(closed, .closed) }
        let filed = await databaseError {
            _ = try await f.tx("dinsos") { tx in
                try await tx.reports.put(
                    programID: f.programs["BSTBK"]!, period: closed,
                    ReportContent(target: 1, achieved: 1, narrative: nil, status: .draft))
            }
        }
        guard case .rule(.closedPeriodReportFrozen, _) = filed else {
            Issue.record("expected the closed-period rule, got \(String(describing: filed))")
            return
        }
        let refused = await databaseError {
            _ = try await f.tx("dinsos") { tx in
                try await tx.reports.put(
                    programID: uep, period: closed,
                    ReportContent(target: 1200, achieved: 1200, narrative: nil, status: .submitted))
            }
        }
        guard case .rule(.closedPeriodReportFrozen, _) = refused else {
            Issue.record("expected the closed-period rule, got \(String(describing: refused))")
            return
        }
    }

    @Test("a report for a period nobody opened opens it")
    func periodOpenedByReport() async throws {
        let f = try await Fixture.shared("store_reports")
        let period = try Quarter("2020-Q1")
        _ = try await f.tx("dinsos") { tx in
            try await tx.reports.put(
                programID: f.programs["SEMBAKO-JUKIR"]!, period: period,
                ReportContent(target: nil, achieved: nil, narrative: nil, status: .draft))
        }
        let periods = try await f.tx("dinsos") { tx in try await tx.reports.periods() }
        #expect(periods.first { $0.period == period }?.status == .open)
    }

    @Test("the admin opens and closes periods; the periods list is ordered; an agency may not close one")
    func periods() async throws {
        let f = try await Fixture.shared("store_reports")
        // Not 2019-Q3: the suite's tests share one database and run at once, and
        // closedPeriodFrozen needs 2019-Q3 to stay closed (reopened here, it was not, now and then).
        let q3 = try Quarter("2021-Q3")
        let (closed, reopened, periods) = try await f.tx("admin") { tx in
            (
                try await tx.reports.setPeriod(q3, .closed),
                try await tx.reports.setPeriod(q3, .open),
                try await tx.reports.periods()
            )
        }
        #expect(closed.period == q3)
        #expect(closed.status == .closed)
        #expect(closed.closedAt != nil)
        #expect(reopened.status == .open)
        #expect(reopened.closedAt == nil)
        #expect(periods.map(\.period) == periods.map(\.period).sorted())
        #expect(periods.first { $0.period == (try? Quarter("2018-Q1")) }?.status == .closed)
        #expect(periods.first { $0.period == q3 }?.status == .open)
        let byAgency = await databaseError {
            _ = try await f.tx("dinsos") { tx in try await tx.reports.setPeriod(q3, .closed) }
        }
        #expect(byAgency == .forbidden)
    }

    @Test("the executive's listing names the agencies with programmes that have not submitted")
    func missingAgencies() async throws {
        let f = try await Fixture.shared("store_reports")
        let period = try Quarter("2019-Q1")
        _ = try await f.tx("baznas") { tx in
            try await tx.reports.put(
                programID: f.programs["BEDAH-RUMAH"]!, period: period,
                ReportContent(target: 7, achieved: 7, narrative: nil, status: .submitted))
        }
        _ = try await f.tx("dinkes") { tx in
            try await tx.reports.put(
                programID: f.programs["PMT-BALITA"]!, period: period,
                ReportContent(target: 10, achieved: 2, narrative: nil, status: .draft))
        }
        let listing = try await f.tx("bupati") { tx in try await tx.reports.list(period: period, withMissing: true) }
        #expect(listing.items.count == 2)
        #expect(
            Set(listing.missing ?? []) == [
                "Dinas Sosial Kabupaten Musi Banyuasin", "Dinas Kesehatan Kabupaten Musi Banyuasin",
                "BPJS Kesehatan Cabang",
            ])
    }
}
