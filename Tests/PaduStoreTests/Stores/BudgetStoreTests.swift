import PQ
import PaduCore
import PaduStore
import PaduTestSupport
import Testing

@Suite("BudgetStore")
struct BudgetStoreTests {
    @Test("an agency replaces a year's allocations and reads them back by funding source, summed")
    func replaceAndRead() async throws {
        let f = try await Fixture.shared("store_budgets")
        let bstbk = f.programs["BSTBK"]!
        let year = try FiscalYear(2020)
        let allocations = [
            BudgetAllocation(fundingSource: .apbn, allocatedIDR: try Rupiah(50_000_000)),
            BudgetAllocation(fundingSource: .apbdKab, allocatedIDR: try Rupiah(100_000_000)),
        ]
        let (budget, sources, replaced, empty) = try await f.tx("dinsos") { tx in
            let budget = try await tx.budgets.replace(programID: bstbk, year: year, allocations: allocations)
            let sources = try await tx.budgets.sources(programID: bstbk, year: year)
            let replaced = try await tx.budgets.replace(
                programID: bstbk, year: year,
                allocations: [BudgetAllocation(fundingSource: .dak, allocatedIDR: try Rupiah(7))])
            return (
                budget, sources, replaced, try await tx.budgets.budget(programID: bstbk, year: try FiscalYear(2030))
            )
        }
        #expect(budget.programID == bstbk)
        #expect(budget.fiscalYear == year)
        #expect(budget.allocations.map(\.fundingSource) == [.apbdKab, .apbn])
        #expect(budget.allocatedIDR == (try Rupiah(150_000_000)))
        #expect(sources == [.apbdKab, .apbn])
        #expect(replaced.allocations == [BudgetAllocation(fundingSource: .dak, allocatedIDR: try Rupiah(7))])
        #expect(replaced.allocatedIDR == (try Rupiah(7)))
        #expect(empty.allocations.isEmpty)
        #expect(empty.allocatedIDR == .zero)
    }

    @Test("realisation within the allocation is recorded; past it, it needs a reason")
    func realisationNeedsReasonOverBudget() async throws {
        let f = try await Fixture.shared("store_budgets")
        let uep = f.programs["UEP"]!
        let year = try FiscalYear(2019)
        func month(_ number: Int, _ amount: Int64, reason: String? = nil) throws -> NewRealization {
            NewRealization(
                year: year, month: try Month(number), source: .apbn, amount: try Rupiah(amount), output: 3,
                overBudgetReason: reason)
        }
        let first = try await f.tx("dinsos") { tx in
            try await tx.budgets.addRealization(programID: uep, try month(1, 100_000_000))
        }
        #expect(first.programID == uep)
        #expect(first.fiscalYear == year)
        #expect(first.month == (try Month(1)))
        #expect(first.fundingSource == .apbn)
        #expect(first.amountIDR == (try Rupiah(100_000_000)))
        #expect(first.outputQuantity == 3)
        #expect(first.overBudgetReason == nil)

        let refused = await databaseError {
            _ = try await f.tx("dinsos") { tx in
                try await tx.budgets.addRealization(programID: uep, try month(2, 60_000_000))
            }
        }
        #expect(refused == .rule(.overBudgetNeedsReason, column: "amount_idr"))

        let explained = try await f.tx("dinsos") { tx in
            try await tx.budgets.addRealization(programID: uep, try month(2, 60_000_000, reason: "harga ternak naik"))
        }
        #expect(explained.overBudgetReason == "harga ternak naik")

        let (ofYear, all, otherYear) = try await f.tx("dinsos") { tx in
            (
                try await tx.budgets.realizations(programID: uep, year: year),
                try await tx.budgets.realizations(programID: uep, year: nil),
                try await tx.budgets.realizations(programID: uep, year: try FiscalYear(2018))
            )
        }
        #expect(ofYear == [first, explained])
        #expect(all == [first, explained])
        #expect(otherYear.isEmpty)

        let twice = await databaseError {
            _ = try await f.tx("dinsos") { tx in
                try await tx.budgets.addRealization(programID: uep, try month(1, 1, reason: "lagi"))
            }
        }
        #expect(twice == .duplicate(constraint: "realizations_program_id_fiscal_year_month_funding_source_key"))
    }

    @Test("another agency neither sees a programme's budget nor writes to it")
    func otherAgency() async throws {
        let f = try await Fixture.shared("store_budgets")
        let bstbk = f.programs["BSTBK"]!
        let year = try FiscalYear(2019)
        let (seen, sources, realised) = try await f.tx("baznas") { tx in
            (
                try await tx.budgets.budget(programID: bstbk, year: year),
                try await tx.budgets.sources(programID: bstbk, year: year),
                try await tx.budgets.realizations(programID: bstbk, year: nil)
            )
        }
        #expect(seen.allocations.isEmpty)
        #expect(sources.isEmpty)
        #expect(realised.isEmpty)
        let written = await databaseError {
            _ = try await f.tx("baznas") { tx in
                try await tx.budgets.replace(
                    programID: bstbk, year: year,
                    allocations: [BudgetAllocation(fundingSource: .baznas, allocatedIDR: try Rupiah(1))])
            }
        }
        if case .danglingReference = written {
        } else {
            Issue.record("the row would belong to BAZNAS, whose programme this is not: \(String(describing: written))")
        }
        let intact = try await f.tx("dinsos") { tx in try await tx.budgets.budget(programID: bstbk, year: year) }
        #expect(intact.allocatedIDR == (try Rupiah(375_000_000)))
    }

    @Test("the executive reads budgets in scope but writes none")
    func executiveReadsOnly() async throws {
        let f = try await Fixture.shared("store_budgets")
        let pmt = f.programs["PMT-BALITA"]!
        let year = try FiscalYear(2019)
        let budget = try await f.tx("bupati") { tx in try await tx.budgets.budget(programID: pmt, year: year) }
        #expect(budget.allocations == [BudgetAllocation(fundingSource: .apbdKab, allocatedIDR: try Rupiah(90_000_000))])
        let written = await databaseError {
            _ = try await f.tx("bupati") { tx in
                try await tx.budgets.addRealization(
                    programID: pmt,
                    NewRealization(
                        year: year, month: try Month(3), source: .apbdKab, amount: try Rupiah(1), output: nil,
                        overBudgetReason: nil))
            }
        }
        #expect(written == .forbidden)
    }
}
