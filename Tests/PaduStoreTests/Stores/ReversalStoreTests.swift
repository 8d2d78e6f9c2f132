import PQ
import PaduCore
import PaduStore
import PaduTestSupport
import Testing

@Suite("Reversals")
struct ReversalStoreTests {
    @Test("a reversed delivery stays listed, frees its plan line's quantity, and cannot be reversed twice")
    func deliveryReversal() async throws {
        let f = try await Fixture.shared("store_reversals")
        let person = try #require(try await f.registryPersons().dropFirst(2).first)
        let pmt = f.programs["PMT-BALITA"]!
        // The line plans 5; each row delivers 2.
        try await DeliveryStoreTests.approvedPlan(f, [person])
        let row = try DeliveryStoreTests.row(person)
        let recorded = try await f.tx("dinkes") { tx in
            try await tx.deliveries.record(programID: pmt, coordinated: true, [row, row])
        }
        #expect(recorded == 2)
        let beyond = await databaseError {
            _ = try await f.tx("dinkes") { tx in
                try await tx.deliveries.record(programID: pmt, coordinated: true, [row])
            }
        }
        #expect(beyond == .rule(.deliveryExceedsPlanLine, column: "quantity"))

        let first = try await f.tx("dinkes") { tx in
            try await tx.deliveries.list(programID: pmt, year: nil, after: 0, limit: 50)
        }.filter { $0.nik == person.nik.value }.first
        let delivery = try #require(first)
        #expect(!delivery.reversed)

        // Another agency cannot see it, so cannot reverse it; nor can it be reversed under another programme.
        let foreign = try await f.tx("baznas") { tx in
            try await tx.deliveries.reverse(programID: pmt, deliveryID: delivery.id, reason: "bukan milik kami")
        }
        #expect(foreign == nil)
        let elsewhere = try await f.tx("dinkes") { tx in
            try await tx.deliveries.reverse(programID: pmt + 1_000_000, deliveryID: delivery.id, reason: "salah")
        }
        #expect(elsewhere == nil)

        let reversal = try await f.tx("dinkes") { tx in
            try await tx.deliveries.reverse(programID: pmt, deliveryID: delivery.id, reason: "dicatat dua kali")
        }
        #expect(reversal?.deliveryID == delivery.id)
        #expect(reversal?.reason == "dicatat dua kali")
        let twice = await databaseError {
            _ = try await f.tx("dinkes") { tx in
                try await tx.deliveries.reverse(programID: pmt, deliveryID: delivery.id, reason: "lagi")
            }
        }
        if case .duplicate = twice {
        } else {
            Issue.record("a second reversal is a unique violation: \(String(describing: twice))")
        }

        // 2 standing of 5 planned: the corrected delivery fits again.
        let again = try await f.tx("dinkes") { tx in
            try await tx.deliveries.record(programID: pmt, coordinated: true, [row])
        }
        #expect(again == 1)
        let listed = try await f.tx("dinkes") { tx in
            try await tx.deliveries.list(programID: pmt, year: nil, after: 0, limit: 50)
        }.filter { $0.nik == person.nik.value }
        #expect(listed.count == 3)
        #expect(listed.filter(\.reversed).map(\.id) == [delivery.id])
        #expect(listed.first { $0.id == delivery.id }?.reversalReason == "dicatat dua kali")

        // The original stays: nobody deletes it, and the reversal is in the audit.
        let audited = try await f.database.withAdmin { c in
            try await c.query(
                """
                SELECT count(*) FROM padu.audit_log
                 WHERE action = 'reverse' AND entity = 'delivery' AND entity_id = \(String(delivery.id))
                """
            ).decode(Int64.self)
        }
        #expect(audited == [1])
    }

    @Test("a reversed realisation stops counting against the budget, and its month is recorded anew")
    func realizationReversal() async throws {
        let f = try await Fixture.shared("store_reversals")
        let uep = f.programs["UEP"]!
        let year = try FiscalYear(2021)
        func month(_ number: Int, _ amount: Int64) throws -> NewRealization {
            NewRealization(
                year: year, month: try Month(number), source: .apbn, amount: try Rupiah(amount), output: 1,
                overBudgetReason: nil)
        }
        let first = try await f.tx("dinsos") { tx in
            _ = try await tx.budgets.replace(
                programID: uep, year: year,
                allocations: [BudgetAllocation(fundingSource: .apbn, allocatedIDR: try Rupiah(100_000_000))])
            return try await tx.budgets.addRealization(programID: uep, try month(1, 80_000_000))
        }
        #expect(!first.reversed)
        let over = await databaseError {
            _ = try await f.tx("dinsos") { tx in
                try await tx.budgets.addRealization(programID: uep, try month(2, 30_000_000))
            }
        }
        #expect(over == .rule(.overBudgetNeedsReason, column: "amount_idr"))
        let sameMonth = await databaseError {
            _ = try await f.tx("dinsos") { tx in try await tx.budgets.addRealization(programID: uep, try month(1, 1)) }
        }
        #expect(sameMonth == .duplicate(constraint: "realizations_program_id_fiscal_year_month_funding_source_key"))

        let foreign = try await f.tx("baznas") { tx in
            try await tx.budgets.reverseRealization(programID: uep, realizationID: first.id, reason: "bukan milik kami")
        }
        #expect(foreign == nil)
        let reversal = try await f.tx("dinsos") { tx in
            try await tx.budgets.reverseRealization(programID: uep, realizationID: first.id, reason: "salah bulan")
        }
        #expect(reversal?.realizationID == first.id)
        let twice = await databaseError {
            _ = try await f.tx("dinsos") { tx in
                try await tx.budgets.reverseRealization(programID: uep, realizationID: first.id, reason: "lagi")
            }
        }
        if case .duplicate = twice {
        } else {
            Issue.record("a second reversal is a unique violation: \(String(describing: twice))")
        }

        // 80 million no longer counts: 30 + 70 fit the 100 million, month 1 included.
        let (second, anew, listed) = try await f.tx("dinsos") { tx in
            (
                try await tx.budgets.addRealization(programID: uep, try month(2, 30_000_000)),
                try await tx.budgets.addRealization(programID: uep, try month(1, 70_000_000)),
                try await tx.budgets.realizations(programID: uep, year: year)
            )
        }
        #expect(!second.reversed && !anew.reversed)
        #expect(listed.map(\.id) == [first.id, anew.id, second.id])
        #expect(listed.map(\.reversed) == [true, false, false])
        #expect(listed[0].reversalReason == "salah bulan")

        // The flag follows the reversal.
        let flag = try await f.database.withAdmin { c in
            try await c.query("SELECT reversed FROM padu.realizations WHERE id = \(first.id)").decode(Bool.self)
        }
        #expect(flag == [true])
        // Nor lowered below the standing 100 million without a reason; to 100 million it may.
        let lowered = await databaseError {
            _ = try await f.tx("dinsos") { tx in
                try await tx.budgets.replace(
                    programID: uep, year: year,
                    allocations: [BudgetAllocation(fundingSource: .apbn, allocatedIDR: try Rupiah(99_999_999))])
            }
        }
        #expect(lowered == .rule(.overBudgetNeedsReason, column: "allocated_idr"))
    }

    @Test("a reversed delivery is no longer another agency's aid in the check, nor aid in the household view")
    func reversedAidNotShown() async throws {
        let f = try await Fixture.shared("store_reversed_aid")
        let person = try #require(try await f.registryPersons().dropFirst(3).first)
        let pmt = f.programs["PMT-BALITA"]!
        try await DeliveryStoreTests.approvedPlan(f, [person])
        _ = try await f.tx("dinkes") { tx in
            try await tx.deliveries.record(programID: pmt, coordinated: true, [try DeliveryStoreTests.row(person)])
        }
        func seen() async throws -> (aid: [String], household: [String]) {
            let checked = try await f.tx("baznas") { tx in
                try await tx.plans.check(
                    programID: f.programs["BEDAH-RUMAH"]!, fiscalYear: try FiscalYear(2019),
                    recipients: [RecipientInput(.kk(person.kk))], target: .household)
            }
            let household = try await f.tx("dinsos") { tx in
                try await tx.registry.household(person.kk, from: try FiscalYear(2019), to: try FiscalYear(2019))
            }
            return (
                checked.first?.otherAid.map(\.program) ?? [],
                household?.aid.filter { $0.status == "delivered" }.map(\.program) ?? []
            )
        }
        let before = try await seen()
        #expect(before.aid.count == 1, "Dinkes' delivery is other aid to Baznas' check")
        #expect(before.household.count == 1, "and delivered aid in the household view")
        let delivery = try #require(
            try await f.tx("dinkes") { tx in
                try await tx.deliveries.list(programID: pmt, year: nil, after: 0, limit: 50)
            }.first { $0.nik == person.nik.value })
        _ = try await f.tx("dinkes") { tx in
            try await tx.deliveries.reverse(programID: pmt, deliveryID: delivery.id, reason: "salah orang")
        }
        let after = try await seen()
        #expect(after.aid.isEmpty)
        #expect(after.household.isEmpty)
        // Analysts still see the delivery, marked reversed (0082).
        let analytics = try await f.database.withAdmin { c in
            try await c.query("SELECT reversed FROM analytics.deliveries WHERE program_id = \(pmt)").decode(Bool.self)
        }
        #expect(analytics.filter { $0 }.count == 1)
    }
}
