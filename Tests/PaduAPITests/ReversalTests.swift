import Foundation
import PQ
import PaduAPI
import PaduCore
import PaduStore
import PaduTestSupport
import Testing

/// Corrections over HTTP: reverse, then record anew; totals and the summary follow.
@Suite("Reversals over HTTP", .serialized)
struct ReversalTests {
    @Test("a wrong delivery is reversed and re-recorded; a second reversal is 409, another agency's is 404")
    func deliveryReversed() async throws {
        let api = try await TestAPI.start("reversal_delivery", households: 120)
        defer { api.stop() }
        let baznas = try await api.login("baznas")
        let dinsos = try await api.login("dinsos")
        let dinkes = try await api.login("dinkes")
        let renovation = api.programs["BEDAH-RUMAH"]!
        let kk = try #require(
            try await api.text(
                """
                SELECT k.kk::text FROM padu.households h JOIN padu.household_kk k ON k.household_id = h.id
                 WHERE h.decile <= 4 AND k.valid_to IS NULL ORDER BY h.id LIMIT 1
                """))
        let created = try await api.post(
            "/api/v1/plans", as: baznas,
            [
                "program_id": renovation, "fiscal_year": 2019, "period": "2019-Q2",
                "recipients": [["kk": kk, "planned_quantity": 1]],
            ])
        #expect(created.status == 201, "\(created.text)")
        let plan = try created.decode(Plan.self)
        #expect(try await api.request("POST", "/api/v1/plans/\(plan.id)/submit", token: baznas).status == 200)
        let decided = try await api.post("/api/v1/plans/\(plan.id)/decision", as: dinsos, ["decision": "approve"])
        #expect(decided.status == 200, "\(decided.text)")

        let deliveries = "/api/v1/programs/\(renovation)/deliveries"
        let wrong = ["deliveries": [["kk": kk, "delivered_on": "2019-06-02", "value_idr": 25_000_000]]]
        #expect(try await api.post(deliveries, as: baznas, wrong).status == 201)
        let beyond = try await api.post(deliveries, as: baznas, wrong)
        #expect(beyond.status == 422, "the line plans one house: \(beyond.text)")

        let listed = try await api.get(deliveries, as: baznas).page(of: Delivery.self).items
        let delivery = try #require(listed.first)
        #expect(listed.count == 1 && !delivery.reversed)
        let reversal = "\(deliveries)/\(delivery.id)/reversal"

        // Bad bodies are 422 naming `reason`; another agency and an unknown id are 404.
        for body in [[:], ["reason": ""], ["reason": String(repeating: "x", count: 1001)]] as [[String: Any]] {
            let refused = try await api.post(reversal, as: baznas, body)
            #expect(refused.status == 422, "\(body)")
            #expect(refused.errorFields == ["reason"])
        }
        #expect(try await api.post(reversal, as: dinkes, ["reason": "x"]).status == 404)
        #expect(
            try await api.post("\(deliveries)/\(delivery.id + 1000)/reversal", as: baznas, ["reason": "x"]).status
                == 404)

        let reversed = try await api.post(reversal, as: baznas, ["reason": "nilai salah"])
        #expect(reversed.status == 201, "\(reversed.text)")
        let body = try reversed.decode(DeliveryReversal.self)
        #expect(body.deliveryID == delivery.id && body.reason == "nilai salah")
        let twice = try await api.post(reversal, as: baznas, ["reason": "lagi"])
        #expect(twice.status == 409)
        #expect(twice.envelope?.error.code == "conflict")
        #expect(twice.text.contains("this delivery is already reversed"), "\(twice.text)")

        let right = ["deliveries": [["kk": kk, "delivered_on": "2019-06-02", "value_idr": 20_000_000]]]
        let again = try await api.post(deliveries, as: baznas, right)
        #expect(again.status == 201, "\(again.text)")
        let after = try await api.get(deliveries, as: baznas).page(of: Delivery.self).items
        #expect(after.map(\.reversed) == [true, false])
        #expect(after[0].reversalReason == "nilai salah")
        #expect(try await api.scalar("SELECT count(*) FROM padu.deliveries WHERE program_id = \(renovation)") == 2)
    }

    @Test("a wrong realisation is reversed and its month recorded anew; totals follow")
    func realizationReversed() async throws {
        let api = try await TestAPI.start("reversal_realization", households: 60)
        defer { api.stop() }
        let dinsos = try await api.login("dinsos")
        let baznas = try await api.login("baznas")
        let bstbk = api.programs["BSTBK"]!
        let allocated = try await api.put(
            "/api/v1/programs/\(bstbk)/budgets/2020", as: dinsos,
            ["allocations": [["funding_source": "APBD_KAB", "allocated_idr": 1_000_000]]])
        #expect(allocated.status == 200)
        let path = "/api/v1/programs/\(bstbk)/realizations"
        let wrong = try await api.post(path, as: dinsos, ["fiscal_year": 2020, "month": 3, "amount_idr": 900_000])
        #expect(wrong.status == 201, "\(wrong.text)")
        let first = try wrong.decode(Realization.self)
        #expect(try await api.post(path, as: dinsos, ["fiscal_year": 2020, "month": 3, "amount_idr": 9]).status == 409)

        let reversal = "\(path)/\(first.id)/reversal"
        #expect(try await api.post(reversal, as: baznas, ["reason": "x"]).status == 404)
        #expect(try await api.post(reversal, as: dinsos, ["reason": "  "]).status == 422)
        let reversed = try await api.post(reversal, as: dinsos, ["reason": "salah ketik"])
        #expect(reversed.status == 201, "\(reversed.text)")
        #expect(try reversed.decode(RealizationReversal.self).realizationID == first.id)
        let again = try await api.post(reversal, as: dinsos, ["reason": "lagi"])
        #expect(again.status == 409)
        #expect(again.text.contains("this realization is already reversed"), "\(again.text)")

        let right = try await api.post(path, as: dinsos, ["fiscal_year": 2020, "month": 3, "amount_idr": 600_000])
        #expect(right.status == 201, "\(right.text)")
        let listed = try await api.get("\(path)?year=2020", as: dinsos).page(of: Realization.self).items
        #expect(listed.map(\.reversed) == [true, false])
        #expect(listed.map(\.amountIDR.amount) == [900_000, 600_000])
        // The budget counts 600,000 standing: lowering to 700,000 needs no reason.
        let lowered = try await api.put(
            "/api/v1/programs/\(bstbk)/budgets/2020", as: dinsos,
            ["allocations": [["funding_source": "APBD_KAB", "allocated_idr": 700_000]]])
        #expect(lowered.status == 200, "\(lowered.text)")
    }
}
