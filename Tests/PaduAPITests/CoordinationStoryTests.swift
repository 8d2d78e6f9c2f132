import Foundation
import PQ
import PaduAPI
import PaduCore
import PaduStore
import PaduTestSupport
import Testing

/// The rule of Muba's Klaster 1 meeting, end to end over HTTP: plan, check, decide, deliver.
@Suite("Coordinate before giving aid")
struct CoordinationStoryTests {
    @Test("Baznas plans 7 renovations, Dinsos approves 6 and rejects the decile-9 household, deliveries follow")
    func wholeStory() async throws {
        let api = try await TestAPI.start("story", households: 300)
        defer { api.stop() }
        let baznas = try await api.login("baznas")
        let dinsos = try await api.login("dinsos")
        let dinkes = try await api.login("dinkes")
        let renovation = api.programs["BEDAH-RUMAH"]!

        // Six poor households and one in decile 9, by their current KK, with one member's NIK each.
        let (poor, rich) = try await api.database.withAdmin { c in
            let poor = try await c.query(
                """
                SELECT k.kk::text, (SELECT p.nik::text FROM padu.household_members m JOIN padu.persons p ON p.id = m.person_id
                                     WHERE m.household_id = h.id ORDER BY p.id LIMIT 1)
                  FROM padu.households h JOIN padu.household_kk k ON k.household_id = h.id AND k.valid_to IS NULL
                 WHERE h.decile <= 4 ORDER BY h.id LIMIT 6
                """
            ).decode((String, String).self)
            let rich = try await c.query(
                """
                SELECT k.kk::text FROM padu.households h JOIN padu.household_kk k ON k.household_id = h.id
                 WHERE h.decile = 9 ORDER BY h.id LIMIT 1
                """
            ).first(String.self)!
            return (poor, rich)
        }
        let recipients = (poor.map(\.0) + [rich]).map {
            ["kk": $0, "planned_value_idr": 20_000_000, "planned_quantity": 1] as [String: Any]
        }

        // The plan: every recipient checked; the decile-9 household flagged.
        let created = try await api.post(
            "/api/v1/plans", as: baznas,
            ["program_id": renovation, "fiscal_year": 2019, "period": "2019-Q2", "recipients": recipients])
        #expect(created.status == 201, "\(created.text)")
        let plan = try created.decode(Plan.self)
        let planID = plan.id
        #expect(plan.status == .draft)
        let checks = try #require(plan.recipients)
        #expect(checks.count == 7)
        #expect(checks[6].kk == rich)
        #expect(checks[6].flags.contains(.decileAbove4))
        #expect(checks[0].inRegistry == true)
        #expect(checks[0].flags.isEmpty)

        // Others cannot read it; Baznas submits; an agency cannot decide, Dinsos can.
        #expect(try await api.get("/api/v1/plans/\(planID)", as: dinkes).status == 404)
        #expect(try await api.get("/api/v1/plans/\(planID)", as: dinsos).status == 404)  // still a draft
        let submitted = try await api.request("POST", "/api/v1/plans/\(planID)/submit", token: baznas)
        #expect(try submitted.decode(Plan.self).status == .submitted)
        let outsider = try await api.post(
            "/api/v1/plans/\(planID)/decision", as: dinkes, ["decision": "approve"])
        #expect(outsider.status == 403)
        let decided = try await api.post(
            "/api/v1/plans/\(planID)/decision", as: dinsos,
            [
                "decision": "approve", "reason": "sesuai DTKS",
                "rejected_recipients": [["kk": rich, "reason": "desil 9: bukan sasaran"]],
            ])
        #expect(decided.status == 200, "\(decided.text)")
        let decision = try decided.decode(Plan.self)
        #expect(decision.status == .approved)
        #expect(decision.approvedCount == 6)
        let lines = try #require(decision.recipients)
        #expect(lines[6].status == .rejected)
        #expect(lines[6].rejectionReason == "desil 9: bukan sasaran")

        // Deliveries: the six go through; the rejected seventh is refused with its row named.
        let six = poor.map {
            ["kk": $0.0, "delivered_on": "2019-06-20", "quantity": 1, "value_idr": 20_000_000] as [String: Any]
        }
        let refused = try await api.post(
            "/api/v1/programs/\(renovation)/deliveries", as: baznas,
            ["deliveries": six + [["kk": rich, "delivered_on": "2019-06-20", "quantity": 1, "value_idr": 20_000_000]]])
        #expect(refused.status == 422)
        #expect(refused.errorFields == ["deliveries[6].kk"])
        let delivered = try await api.post("/api/v1/programs/\(renovation)/deliveries", as: baznas, ["deliveries": six])
        #expect(delivered.status == 201, "\(delivered.text)")
        #expect(try delivered.decode(Recorded.self).recorded == 6)

        // Dinkes checks two members of those households and sees Baznas' aid, without amounts.
        let feeding = api.programs["PMT-BALITA"]!
        let check = try await api.post(
            "/api/v1/coordination/check", as: dinkes,
            ["program_id": feeding, "fiscal_year": 2019, "recipients": [["nik": poor[0].1], ["nik": poor[1].1]]])
        #expect(check.status == 200, "\(check.text)")
        let seen = try check.decode(CheckResult.self).recipients
        #expect(seen.count == 2)
        for recipient in seen {
            let aid = try #require(recipient.otherAid.first)
            #expect(aid.agency == "Baznas")
            #expect(aid.program == "Bedah Rumah Tidak Layak Huni (Rutilahu)")
            #expect(aid.deliveries == 1)
            #expect(aid.lastDeliveredOn == "2019-06-20")
            #expect(aid.aidCategory == "housing")
            // A house renovation and toddler food (health) are not the same aid: no flag.
            #expect(recipient.flags.isEmpty)
        }
        // No amounts and no names: keys the typed model would silently skip, so read raw.
        guard case .array(let raw)? = try check.jsonValue()["recipients"] else {
            Issue.record("no recipients array: \(check.text)")
            return
        }
        for recipient in raw {
            guard case .array(let aids)? = recipient["other_aid"] else {
                Issue.record("no other_aid array")
                continue
            }
            #expect(aids.allSatisfy { $0["value_idr"] == nil })
            #expect(recipient["name"] == nil)
        }

        // The database itself refuses a delivery inserted directly, without an approved line.
        let direct = await #expect(throws: PQError.self) {
            try await api.database.withAdmin { c in
                try await c.withTransaction { c in
                    try await c.query("SET LOCAL ROLE padu_owner")
                    try await c.query(
                        """
                        INSERT INTO padu.deliveries (program_id, agency_id, kk, delivered_on)
                        SELECT id, agency_id, \(rich), '2019-07-01' FROM padu.programs WHERE id = \(Int64(renovation))
                        """)
                }
            }
        }
        #expect(direct?.sqlState == "PD002")
    }

    @Test("a check flags invalid identifiers, duplicates in the list and people outside the registry")
    func checkFlags() async throws {
        let api = try await TestAPI.start("check_flags")
        defer { api.stop() }
        let dinkes = try await api.login("dinkes")
        let nik = try await api.database.withAdmin { c in
            try await c.query("SELECT nik::text FROM padu.persons LIMIT 1").first(String.self)!
        }
        let result = try await api.post(
            "/api/v1/coordination/check", as: dinkes,
            [
                "program_id": api.programs["PMT-BALITA"]!, "fiscal_year": 2019,
                "recipients": [
                    ["nik": nik], ["nik": nik], ["nik": "1606013202900001"], ["nik": "1606011505909999"],
                    ["nik": "9906011505900001"], ["kk": "160601150519000X"],
                ],
            ])
        #expect(result.status == 200, "\(result.text)")
        let checks = try result.decode(CheckResult.self).recipients
        let flags = checks.map { Set($0.flags) }
        #expect(flags[0].contains(.duplicateInPlan) && flags[1].contains(.duplicateInPlan))
        #expect(flags[2] == [.invalidID])  // 32 February
        #expect(flags[3] == [.notInRegistry])  // valid, but nobody has it
        #expect(flags[4] == [.invalidID])  // district 99.06.01 does not exist
        #expect(flags[5] == [.invalidID])
        #expect(checks[5].kk == "160601150519000X")
        #expect(checks[0].inRegistry == true)
    }
}
