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

    @Test("the summary counts the current quarter's reports this year, the fourth quarter's in other years")
    func reportingPeriod() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Jakarta")!
        let may = calendar.date(from: DateComponents(year: 2019, month: 5, day: 20))!
        // 31 March 20:00 UTC is already 1 April in Jakarta.
        let april = Date(timeIntervalSince1970: 1_554_062_400)
        #expect(SummaryStore.reportingPeriod(for: Self.year, now: may) == (try Quarter("2019-Q2")))
        #expect(SummaryStore.reportingPeriod(for: Self.year, now: april) == (try Quarter("2019-Q2")))
        #expect(SummaryStore.reportingPeriod(for: try FiscalYear(2018), now: may) == (try Quarter("2018-Q4")))
    }
}
