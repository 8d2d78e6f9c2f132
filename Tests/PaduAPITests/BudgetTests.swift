import Foundation
import PQ
import PaduAPI
import PaduCore
import PaduStore
import PaduTestSupport
import Testing

/// Budgets (pagu) per programme, year and funding source, and monthly realisation against them.
@Suite("Budgets and realisation over HTTP", .serialized)
struct BudgetTests {
    @Test("lowering a budget below what is realised needs below_realised_reason, which is stored with it")
    func belowRealised() async throws {
        let api = try await TestAPI.start("budget_below")
        defer { api.stop() }
        let token = try await api.login("dinsos")
        let bstbk = api.programs["BSTBK"]!
        let path = "/api/v1/programs/\(bstbk)/budgets/2020"
        func allocate(_ amount: Int, reason: String? = nil) async throws -> HTTPResult {
            var body: [String: Any] = ["allocations": [["funding_source": "APBD_KAB", "allocated_idr": amount]]]
            if let reason { body["below_realised_reason"] = reason }
            return try await api.put(path, as: token, body)
        }
        #expect(try await allocate(1_000_000).status == 200)
        let realised = try await api.post(
            "/api/v1/programs/\(bstbk)/realizations", as: token,
            ["fiscal_year": 2020, "month": 3, "amount_idr": 800_000])
        #expect(realised.status == 201, "\(realised.text)")
        let refused = try await allocate(500_000)
        #expect(refused.status == 422)
        #expect(refused.envelope?.error.details.map(\.field) == ["allocations"])
        let tooLong = try await allocate(500_000, reason: String(repeating: "x", count: 1001))
        #expect(tooLong.status == 422)
        #expect(tooLong.envelope?.error.details.map(\.field) == ["below_realised_reason"])
        let lowered = try await allocate(500_000, reason: "refocusing anggaran")
        #expect(lowered.status == 200, "\(lowered.text)")
        #expect(try lowered.decode(YearBudget.self).allocatedIDR.amount == 500_000)
        #expect(
            try await api.text(
                "SELECT below_realised_reason FROM padu.budget_allocations WHERE program_id = \(bstbk) AND fiscal_year = 2020"
            )
                == "refocusing anggaran")
    }

    @Test("PUT replaces a year's allocations; GET reads them back with the total")
    func putAndGet() async throws {
        let api = try await TestAPI.start("budget_put")
        defer { api.stop() }
        let token = try await api.login("dinsos")
        let bstbk = api.programs["BSTBK"]!
        let put = try await api.put(
            "/api/v1/programs/\(bstbk)/budgets/2020", as: token,
            [
                "allocations": [
                    ["funding_source": "APBD_KAB", "allocated_idr": 350_000_000],
                    ["funding_source": "APBN", "allocated_idr": 125_000_000],
                ]
            ])
        #expect(put.status == 200)
        let budget = try put.decode(YearBudget.self)
        #expect(budget.programID == bstbk)
        #expect(budget.fiscalYear.year == 2020)
        #expect(budget.allocatedIDR.amount == 475_000_000)
        #expect(budget.allocations.map(\.fundingSource) == [.apbdKab, .apbn])
        #expect(budget.allocations.map(\.allocatedIDR.amount) == [350_000_000, 125_000_000])
        let get = try await api.get("/api/v1/programs/\(bstbk)/budgets/2020", as: token)
        #expect(get.status == 200)
        #expect(get.text == put.text)
        // A second PUT replaces, not adds.
        let replaced = try await api.put(
            "/api/v1/programs/\(bstbk)/budgets/2020", as: token,
            ["allocations": [["funding_source": "DAK", "allocated_idr": 1_000]]])
        #expect(try replaced.decode(YearBudget.self).allocatedIDR.amount == 1_000)
        #expect(
            try await api.scalar(
                "SELECT count(*) FROM padu.budget_allocations WHERE program_id = \(bstbk) AND fiscal_year = 2020") == 1)
        // The seeded 2018 budget is untouched, and a year without lines is empty, not 404.
        let seeded = try await api.get("/api/v1/programs/\(bstbk)/budgets/2018", as: token)
        #expect(try seeded.decode(YearBudget.self).allocatedIDR.amount == 350_000_000)
        let empty = try await api.get("/api/v1/programs/\(bstbk)/budgets/2030", as: token)
        #expect(empty.status == 200)
        let emptyBudget = try empty.decode(YearBudget.self)
        #expect(emptyBudget.allocatedIDR.amount == 0)
        #expect(emptyBudget.allocations.isEmpty)
    }

    @Test("another agency's budget is 404 to read and to replace, and stays as it was")
    func foreignBudget() async throws {
        let api = try await TestAPI.start("budget_foreign")
        defer { api.stop() }
        let token = try await api.login("baznas")
        let bstbk = api.programs["BSTBK"]!
        let put = try await api.put(
            "/api/v1/programs/\(bstbk)/budgets/2019", as: token,
            ["allocations": [["funding_source": "APBD_KAB", "allocated_idr": 1]]])
        #expect(put.status == 404)
        #expect(put.isEnvelope("not_found"))
        let get = try await api.get("/api/v1/programs/\(bstbk)/budgets/2019", as: token)
        #expect(get.status == 404)
        #expect(get.isEnvelope("not_found"))
        #expect(
            try await api.scalar(
                "SELECT sum(allocated_idr)::int8 FROM padu.budget_allocations WHERE program_id = \(bstbk)")
                == 725_000_000)
    }

    @Test("another agency's realisation is 404 to record and to list, and nothing is written")
    func foreignRealization() async throws {
        let api = try await TestAPI.start("budget_foreign_real")
        defer { api.stop() }
        let token = try await api.login("baznas")
        let bstbk = api.programs["BSTBK"]!
        let post = try await api.post(
            "/api/v1/programs/\(bstbk)/realizations", as: token,
            ["fiscal_year": 2019, "month": 3, "amount_idr": 1_000, "funding_source": "APBD_KAB"])
        #expect(post.status == 404)
        #expect(post.isEnvelope("not_found"))
        let list = try await api.get("/api/v1/programs/\(bstbk)/realizations", as: token)
        #expect(list.status == 404)
        #expect(try await api.scalar("SELECT count(*) FROM padu.realizations WHERE program_id = \(bstbk)") == 1)
    }

    @Test("the coordinator's agency may not write budgets or realisation of another agency in its cluster")
    func coordinatorForeignWrites() async throws {
        let api = try await TestAPI.start("budget_coord_foreign")
        defer { api.stop() }
        let token = try await api.login("dinsos")
        let bedah = api.programs["BEDAH-RUMAH"]!
        let put = try await api.put(
            "/api/v1/programs/\(bedah)/budgets/2020", as: token,
            ["allocations": [["funding_source": "BAZNAS", "allocated_idr": 1]]])
        let post = try await api.post(
            "/api/v1/programs/\(bedah)/realizations", as: token,
            ["fiscal_year": 2019, "month": 3, "amount_idr": 1, "funding_source": "BAZNAS", "over_budget_reason": "x"])
        // Whatever the status, nothing may be written to BAZNAS's programme.
        #expect(try await api.scalar("SELECT count(*) FROM padu.budget_allocations WHERE program_id = \(bedah)") == 1)
        #expect(try await api.scalar("SELECT count(*) FROM padu.realizations WHERE program_id = \(bedah)") == 1)
        #expect(put.status != 200 && post.status != 201)
        do {
            #expect(put.status == 404)
            #expect(put.errorCode == "not_found")
            #expect(post.status == 404)
            #expect(post.errorCode == "not_found")
        }
    }

    @Test("a bad budget is 422 naming every bad line and field, and nothing changes")
    func budgetValidation() async throws {
        let api = try await TestAPI.start("budget_invalid")
        defer { api.stop() }
        let token = try await api.login("dinsos")
        let bstbk = api.programs["BSTBK"]!
        let result = try await api.put(
            "/api/v1/programs/\(bstbk)/budgets/2019", as: token,
            [
                "allocations": [
                    ["funding_source": "GOLD", "allocated_idr": 1],
                    ["funding_source": "APBN", "allocated_idr": -5],
                    ["funding_source": "APBN", "allocated_idr": 5],
                    ["allocated_idr": 5],
                    ["funding_source": "DAK"],
                ]
            ])
        #expect(result.status == 422)
        #expect(result.isEnvelope("validation_failed"))
        #expect(
            Set(result.errorFields) == [
                "allocations[0].funding_source", "allocations[1].allocated_idr", "allocations[2].funding_source",
                "allocations[3].funding_source", "allocations[4].allocated_idr",
            ])
        let missing = try await api.put("/api/v1/programs/\(bstbk)/budgets/2019", as: token, [String: Any]())
        #expect(missing.status == 422)
        #expect(missing.errorFields == ["allocations"])
        for year in ["1999", "2101", "twenty"] {
            let badYear = try await api.put(
                "/api/v1/programs/\(bstbk)/budgets/\(year)", as: token,
                ["allocations": [["funding_source": "APBN", "allocated_idr": 1]]])
            #expect(badYear.status == 422, "\(year)")
            #expect(badYear.errorFields == ["year"], "\(year)")
        }
        #expect(
            try await api.scalar(
                "SELECT sum(allocated_idr)::int8 FROM padu.budget_allocations WHERE program_id = \(bstbk) AND fiscal_year = 2019"
            ) == 375_000_000)
    }

    @Test("budgets: the executive and the admin may not write; the admin reads, the executive does not")
    func budgetRoles() async throws {
        let api = try await TestAPI.start("budget_roles")
        defer { api.stop() }
        let bstbk = api.programs["BSTBK"]!
        let body: [String: Any] = ["allocations": [["funding_source": "APBN", "allocated_idr": 1]]]
        let realization: [String: Any] = ["fiscal_year": 2019, "month": 1, "amount_idr": 1]
        let bupati = try await api.login("bupati")
        let admin = try await api.login("admin")
        for token in [bupati, admin] {
            let put = try await api.put("/api/v1/programs/\(bstbk)/budgets/2019", as: token, body)
            #expect(put.status == 403)
            #expect(put.isEnvelope("forbidden"))
            let post = try await api.post("/api/v1/programs/\(bstbk)/realizations", as: token, realization)
            #expect(post.status == 403)
            #expect(post.isEnvelope("forbidden"))
        }
        let adminRead = try await api.get("/api/v1/programs/\(bstbk)/budgets/2018", as: admin)
        #expect(adminRead.status == 200)
        #expect(try adminRead.decode(YearBudget.self).allocatedIDR.amount == 350_000_000)
        let adminList = try await api.get("/api/v1/programs/\(bstbk)/realizations?year=2018", as: admin)
        #expect(adminList.status == 200)
        #expect(try adminList.page(of: Realization.self).items.count == 1)
        #expect(try await api.get("/api/v1/programs/\(bstbk)/budgets/2018", as: bupati).status == 403)
        #expect(try await api.get("/api/v1/programs/\(bstbk)/realizations", as: bupati).status == 403)
        #expect(try await api.scalar("SELECT count(*) FROM padu.realizations") == 2)
    }

    @Test("a realisation within budget is 201, from the only funding source, and listed by year")
    func realization() async throws {
        let api = try await TestAPI.start("budget_realization")
        defer { api.stop() }
        let token = try await api.login("dinsos")
        let bstbk = api.programs["BSTBK"]!
        let created = try await api.post(
            "/api/v1/programs/\(bstbk)/realizations", as: token,
            ["fiscal_year": 2019, "month": 3, "amount_idr": 90_000_000, "output_quantity": 300])
        #expect(created.status == 201)
        let realization = try created.decode(Realization.self)
        #expect(realization.programID == bstbk)
        #expect(realization.fiscalYear.year == 2019)
        #expect(realization.month.number == 3)
        #expect(realization.fundingSource == .apbdKab)
        #expect(realization.amountIDR.amount == 90_000_000)
        #expect(realization.outputQuantity == 300)
        #expect(realization.overBudgetReason == nil)
        let id = realization.id
        let list = try await api.get("/api/v1/programs/\(bstbk)/realizations?year=2019", as: token)
        #expect(list.status == 200)
        #expect(try list.page(of: Realization.self).items.map(\.id) == [id])
        let all = try await api.get("/api/v1/programs/\(bstbk)/realizations", as: token)
        #expect(try all.page(of: Realization.self).items.count == 2)
        #expect(try await api.get("/api/v1/programs/\(bstbk)/realizations?year=19", as: token).status == 422)
        // The same month and source again is a conflict, not a second row.
        let again = try await api.post(
            "/api/v1/programs/\(bstbk)/realizations", as: token,
            ["fiscal_year": 2019, "month": 3, "amount_idr": 1])
        #expect(again.status == 409)
        #expect(again.isEnvelope("conflict"))
        #expect(try await api.scalar("SELECT count(*) FROM padu.realizations WHERE program_id = \(bstbk)") == 2)
    }

    @Test("over budget is refused 422 on amount_idr unless over_budget_reason is given")
    func overBudget() async throws {
        let api = try await TestAPI.start("budget_over")
        defer { api.stop() }
        let token = try await api.login("baznas")
        let bedah = api.programs["BEDAH-RUMAH"]!
        let path = "/api/v1/programs/\(bedah)/realizations"
        // BEDAH-RUMAH has realised all of its 140 million for 2019 already.
        let refused = try await api.post(path, as: token, ["fiscal_year": 2019, "month": 11, "amount_idr": 1])
        #expect(refused.status == 422)
        #expect(refused.isEnvelope("validation_failed"))
        #expect(refused.errorFields == ["amount_idr"])
        #expect(try await api.scalar("SELECT count(*) FROM padu.realizations WHERE program_id = \(bedah)") == 1)
        let reason = "Tambahan dua rumah setelah banjir Januari"
        let allowed = try await api.post(
            path, as: token,
            [
                "fiscal_year": 2019, "month": 11, "amount_idr": 40_000_000, "output_quantity": 2,
                "over_budget_reason": reason,
            ])
        #expect(allowed.status == 201)
        #expect(try allowed.decode(Realization.self).overBudgetReason == reason)
        #expect(try await api.scalar("SELECT count(*) FROM padu.realizations WHERE program_id = \(bedah)") == 2)
        // A source with no allocation at all has nothing to spend.
        let dinsos = try await api.login("dinsos")
        let unfunded = try await api.post(
            "/api/v1/programs/\(api.programs["BSTBK"]!)/realizations", as: dinsos,
            ["fiscal_year": 2019, "month": 1, "amount_idr": 1, "funding_source": "CSR"])
        #expect(unfunded.status == 422)
        #expect(unfunded.errorFields == ["amount_idr"])
        // Exactly the allocation is within budget.
        let exact = try await api.post(
            "/api/v1/programs/\(api.programs["UEP"]!)/realizations", as: dinsos,
            ["fiscal_year": 2019, "month": 6, "amount_idr": 150_000_000])
        #expect(exact.status == 201)
    }

    @Test("a bad realisation is 422 naming every bad field")
    func realizationValidation() async throws {
        let api = try await TestAPI.start("budget_real_invalid")
        defer { api.stop() }
        let token = try await api.login("dinsos")
        let bstbk = api.programs["BSTBK"]!
        let path = "/api/v1/programs/\(bstbk)/realizations"
        let bad = try await api.post(
            path, as: token,
            [
                "fiscal_year": 1999, "month": 13, "amount_idr": -1, "output_quantity": -2, "funding_source": "GOLD",
                "over_budget_reason": "   ",
            ])
        #expect(bad.status == 422)
        #expect(
            Set(bad.errorFields) == [
                "fiscal_year", "month", "amount_idr", "output_quantity", "funding_source", "over_budget_reason",
            ])
        let missing = try await api.post(path, as: token, [String: Any]())
        #expect(Set(missing.errorFields) == ["fiscal_year", "month", "amount_idr"])
        // Two funding sources for the year: the source must be named.
        _ = try await api.put(
            "/api/v1/programs/\(bstbk)/budgets/2020", as: token,
            [
                "allocations": [
                    ["funding_source": "APBD_KAB", "allocated_idr": 10],
                    ["funding_source": "APBN", "allocated_idr": 10],
                ]
            ])
        let ambiguous = try await api.post(path, as: token, ["fiscal_year": 2020, "month": 1, "amount_idr": 1])
        #expect(ambiguous.status == 422)
        #expect(ambiguous.errorFields == ["funding_source"])
        #expect(try await api.scalar("SELECT count(*) FROM padu.realizations WHERE program_id = \(bstbk)") == 1)
    }
}
