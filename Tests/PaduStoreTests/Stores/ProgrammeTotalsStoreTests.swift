import PQ
import PaduCore
import PaduStore
import PaduTestSupport
import Testing

/// What the programme page sums: every year's budget, and each year's deliveries that stand.
@Suite("Programme totals")
struct ProgrammeTotalsStoreTests {
    @Test("every year's budget is listed by year and source, summed")
    func budgetsOfEveryYear() async throws {
        let f = try await Fixture.shared("store_totals", households: 10)
        let pmt = f.programs["PMT-BALITA"]!
        let budgets = try await f.tx("dinkes") { tx in
            _ = try await tx.budgets.replace(
                programID: pmt, year: try FiscalYear(2021),
                allocations: [
                    BudgetAllocation(fundingSource: .apbn, allocatedIDR: try Rupiah(5)),
                    BudgetAllocation(fundingSource: .apbdKab, allocatedIDR: try Rupiah(7)),
                ])
            return try await tx.budgets.budgets(programID: pmt)
        }
        #expect(budgets.map(\.fiscalYear.year) == [2019, 2021])
        #expect(
            budgets[0].allocations == [BudgetAllocation(fundingSource: .apbdKab, allocatedIDR: try Rupiah(90_000_000))])
        #expect(budgets[1].allocations.map(\.fundingSource) == [.apbdKab, .apbn])
        #expect(budgets[1].allocatedIDR == (try Rupiah(12)))
        // Another agency's programme has no budget it can see.
        #expect(try await f.tx("baznas") { tx in try await tx.budgets.budgets(programID: pmt) }.isEmpty)
    }

    @Test(
        "a year's delivery totals count only deliveries that stand, reversed ones apart; the latest come newest first")
    func deliveryTotals() async throws {
        let f = try await Fixture.shared("store_totals", households: 10)
        let pmt = f.programs["PMT-BALITA"]!
        let person = try #require(try await f.registryPersons().first)
        try await DeliveryStoreTests.approvedPlan(f, [person])
        let row = try DeliveryStoreTests.row(person)
        let totals = try await f.tx("dinkes") { tx in
            _ = try await tx.deliveries.record(programID: pmt, coordinated: true, [row, row])
            let first = try #require(try await tx.deliveries.list(programID: pmt, year: nil, after: 0, limit: 10).first)
            _ = try await tx.deliveries.reverse(programID: pmt, deliveryID: first.id, reason: "dicatat dua kali")
            let latest = try await tx.deliveries.latest(programID: pmt, limit: 2)
            #expect(latest.map(\.id) == latest.map(\.id).sorted(by: >), "newest first")
            #expect(latest.map(\.reversed) == [false, true])
            #expect(try await tx.deliveries.latest(programID: pmt, limit: 1).count == 1)
            return try await tx.deliveries.totals(programID: pmt)
        }
        #expect(totals.count == 1)
        #expect(totals.first?.fiscalYear == (try FiscalYear(2019)))
        #expect(totals.first?.deliveries == 1)
        #expect(totals.first?.quantity == "2")
        #expect(totals.first?.valueIDR == "300000")
        #expect(totals.first?.reversed == 1)
        #expect(try await f.tx("baznas") { tx in try await tx.deliveries.totals(programID: pmt) }.isEmpty)
    }
}
