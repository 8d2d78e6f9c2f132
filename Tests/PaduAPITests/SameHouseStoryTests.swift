import Foundation
import PQ
import PaduAPI
import PaduCore
import PaduStore
import PaduTestSupport
import Testing

/// Klaster 1, v1.1, over HTTP: Baznas and Disperkim both plan to renovate the same house in
/// 2019. The check shows each the other's plan (never amounts or names), the coordinator must
/// acknowledge the flag to approve, or rejects with a reason that a refused delivery quotes.
@Suite("Two agencies plan the same house")
struct SameHouseStoryTests {
    @Test("other_plans, SAME_CATEGORY_PLANNED, acknowledged approval, rejection quoted at delivery")
    func sameHouse() async throws {
        let api = try await TestAPI.start("same_house", households: 200)
        defer { api.stop() }
        try await api.database.withAdmin { c in
            _ = try await AccountAdmin.createAccount(
                on: c, username: "disperkim", passwordHash: try await PasswordHasher(cost: 4).hash(TestAPI.password),
                role: "agency", agencyCode: "DISPERKIM", scope: "16.06")
        }
        let baznas = try await api.login("baznas")
        let dinsos = try await api.login("dinsos")
        let dinkes = try await api.login("dinkes")
        let disperkim = try await api.login("disperkim")
        let renovation = api.programs["BEDAH-RUMAH"]!
        let feeding = api.programs["PMT-BALITA"]!

        // Disperkim's own house programme, of the same category as Baznas' renovation.
        let program = try await api.post(
            "/api/v1/programs", as: disperkim,
            [
                "code": "RTLH", "name": "Rehabilitasi Rumah Tidak Layak Huni", "cluster_id": 1, "aid_kind": "in_kind",
                "aid_category": "housing", "target": "household", "unit": "rumah",
            ])
        #expect(program.status == 201, "\(program.text)")
        let rtlh = try program.decode(Program.self).id

        // Two poor households: the shared house (KK and a member's NIK) and one only Disperkim plans.
        let houses = try await api.database.withAdmin { c in
            try await c.query(
                """
                SELECT k.kk::text, (SELECT p.nik::text FROM padu.household_members m JOIN padu.persons p ON p.id = m.person_id
                                     WHERE m.household_id = h.id AND m.valid_to IS NULL ORDER BY p.id LIMIT 1)
                  FROM padu.households h JOIN padu.household_kk k ON k.household_id = h.id AND k.valid_to IS NULL
                 WHERE h.decile <= 4 ORDER BY h.id LIMIT 2
                """
            ).decode((String, String).self)
        }
        let (shared, sharedMember, alone) = (houses[0].0, houses[0].1, houses[1].0)

        // Baznas plans the house for Q2 and submits.
        let baznasPlan = try await api.post(
            "/api/v1/plans", as: baznas,
            [
                "program_id": renovation, "fiscal_year": 2019, "period": "2019-Q2",
                "recipients": [["kk": shared, "planned_value_idr": 20_000_000]],
            ])
        #expect(baznasPlan.status == 201, "\(baznasPlan.text)")
        let baznasPlanID = try baznasPlan.decode(Plan.self).id
        #expect(try baznasPlan.decode(Plan.self).recipients?.first?.flags == [])
        #expect(try await api.request("POST", "/api/v1/plans/\(baznasPlanID)/submit", token: baznas).status == 200)

        // Disperkim's plan: the shared house shows Baznas' plan and is flagged; the other is clean.
        let created = try await api.post(
            "/api/v1/plans", as: disperkim,
            [
                "program_id": rtlh, "fiscal_year": 2019, "period": "2019-Q3",
                "recipients": [
                    ["kk": shared, "planned_value_idr": 35_000_000], ["kk": alone, "planned_value_idr": 35_000_000],
                ],
            ])
        #expect(created.status == 201, "\(created.text)")
        let plan = try created.decode(Plan.self)
        let lines = try #require(plan.recipients)
        let baznasLine = OtherPlan(
            agency: "Baznas", program: "Bedah Rumah Tidak Layak Huni (Rutilahu)", aidCategory: "housing",
            status: "submitted", period: "2019-Q2")
        #expect(lines[0].otherPlans == [baznasLine])
        #expect(lines[0].flags == [.sameCategoryPlanned])
        #expect(lines[1].otherPlans == [])
        #expect(lines[1].flags == [])
        // Nothing of Baznas' amount or recipients' names: read the raw JSON, which a typed model would skip.
        guard case .array(let raw)? = try created.jsonValue()["recipients"],
            case .array(let others)? = raw.first?["other_plans"]
        else {
            Issue.record("no other_plans: \(created.text)")
            return
        }
        #expect(
            others.map { Set(($0.object ?? [:]).keys) }
                == [Set(["agency", "program", "aid_category", "status", "period"])])
        #expect(!created.text.contains("20000000"))
        #expect(try await api.request("POST", "/api/v1/plans/\(plan.id)/submit", token: disperkim).status == 200)

        // Toddler food is another category: Dinkes sees the plans, and no SAME_CATEGORY flag.
        let food = try await api.post(
            "/api/v1/coordination/check", as: dinkes,
            ["program_id": feeding, "fiscal_year": 2019, "recipients": [["nik": sharedMember]]])
        #expect(food.status == 200, "\(food.text)")
        let seen = try #require(try food.decode(CheckResult.self).recipients.first)
        #expect(seen.otherPlans.map(\.agency).sorted() == ["Baznas", "Disperkim"])
        #expect(seen.flags.allSatisfy { $0 != .sameCategoryPlanned && $0 != .sameCategoryReceived })
        #expect(!food.text.contains("20000000") && !food.text.contains("35000000"))

        // The coordinator sees names of programme, agency, village and head of household.
        let pending = try await api.get("/api/v1/plans/\(plan.id)", as: dinsos)
        #expect(pending.status == 200, "\(pending.text)")
        let pendingLines = try #require(try pending.decode(Plan.self).recipients)
        #expect(pendingLines.allSatisfy { $0.program == "Rehabilitasi Rumah Tidak Layak Huni" })
        #expect(pendingLines.allSatisfy { $0.agency == "Disperkim" })
        #expect(pendingLines.allSatisfy { $0.village != nil && $0.headOfHousehold != nil })
        // The agency sees the village, not yet the head's name.
        let own = try #require(
            try await api.get("/api/v1/plans/\(plan.id)", as: disperkim).decode(Plan.self).recipients)
        #expect(own.allSatisfy { $0.village != nil && $0.headOfHousehold == nil })

        // Baznas' plan now meets Disperkim's (the live check): approving it needs the flag acknowledged.
        let unacknowledged = try await api.post(
            "/api/v1/plans/\(baznasPlanID)/decision", as: dinsos, ["decision": "approve", "reason": "sesuai DTKS"])
        #expect(unacknowledged.status == 422, "\(unacknowledged.text)")
        #expect(unacknowledged.errorFields == ["lines[0]"])
        #expect(unacknowledged.errorDetails.first?.problem.contains("SAME_CATEGORY_PLANNED") == true)
        let badAcknowledgement = try await api.post(
            "/api/v1/plans/\(baznasPlanID)/decision", as: dinsos,
            [
                "decision": "approve",
                "acknowledged": [
                    ["line_no": 7, "flags": ["SAME_CATEGORY_PLANNED"]], ["kk": shared, "flags": ["NOPE"]],
                ],
            ])
        #expect(badAcknowledgement.status == 422)
        #expect(badAcknowledgement.errorFields == ["acknowledged[0]", "acknowledged[1].flags[0]"])
        let approved = try await api.post(
            "/api/v1/plans/\(baznasPlanID)/decision", as: dinsos,
            [
                "decision": "approve", "reason": "Baznas Q2, Disperkim diminta mundur",
                "acknowledged": [["kk": shared, "flags": ["SAME_CATEGORY_PLANNED"]]],
            ])
        #expect(approved.status == 200, "\(approved.text)")
        let approvedLine = try #require(try approved.decode(Plan.self).recipients?.first)
        #expect(approvedLine.status == .approved)
        #expect(approvedLine.acknowledgedFlags == [.sameCategoryPlanned])

        // Disperkim's shared line: Dinsos must acknowledge it or reject it; it rejects it with a reason.
        let withoutAcknowledgement = try await api.post(
            "/api/v1/plans/\(plan.id)/decision", as: dinsos, ["decision": "approve"])
        #expect(withoutAcknowledgement.status == 422)
        #expect(withoutAcknowledgement.errorFields == ["lines[0]"])
        let reason = "rumah ini direnovasi Baznas pada 2019-Q2"
        let decided = try await api.post(
            "/api/v1/plans/\(plan.id)/decision", as: dinsos,
            ["decision": "approve", "rejected_recipients": [["kk": shared, "reason": reason]]])
        #expect(decided.status == 200, "\(decided.text)")
        let decidedLines = try #require(try decided.decode(Plan.self).recipients)
        #expect(decidedLines.map(\.status) == [.rejected, .approved])

        // A delivery to the rejected house is refused, quoting the coordinator; the other goes through.
        let refused = try await api.post(
            "/api/v1/programs/\(rtlh)/deliveries", as: disperkim,
            [
                "deliveries": [
                    ["kk": shared, "delivered_on": "2019-08-01", "value_idr": 35_000_000],
                    ["kk": alone, "delivered_on": "2019-08-01", "value_idr": 35_000_000],
                ]
            ])
        #expect(refused.status == 422, "\(refused.text)")
        #expect(refused.errorFields == ["deliveries[0].kk"])
        #expect(refused.errorDetails.first?.problem.contains(reason) == true)
        let delivered = try await api.post(
            "/api/v1/programs/\(rtlh)/deliveries", as: disperkim,
            ["deliveries": [["kk": alone, "delivered_on": "2019-08-01", "value_idr": 35_000_000]]])
        #expect(delivered.status == 201, "\(delivered.text)")

        // Dinkes' check now: Baznas approved, Disperkim's rejected line gone.
        let after = try await api.post(
            "/api/v1/coordination/check", as: dinkes,
            ["program_id": feeding, "fiscal_year": 2019, "recipients": [["nik": sharedMember]]])
        let plans = try #require(try after.decode(CheckResult.self).recipients.first).otherPlans
        #expect(
            plans == [
                OtherPlan(
                    agency: "Baznas", program: "Bedah Rumah Tidak Layak Huni (Rutilahu)", aidCategory: "housing",
                    status: "approved", period: "2019-Q2")
            ])
        // The approved owner now sees the head of household on its line.
        let baznasView = try #require(
            try await api.get("/api/v1/plans/\(baznasPlanID)", as: baznas).decode(Plan.self).recipients?.first)
        #expect(baznasView.headOfHousehold != nil)
    }
}
