import Foundation
import PQ
import PaduAPI
import PaduStore
import PaduTestSupport
import Testing

/// The household view (`GET /registry/households/{kk}`) and the coordinator's reports
/// (`GET /reports`), over HTTP.
@Suite("Household view and the coordinator's reports over HTTP", .serialized)
struct HouseholdViewAPITests {
    /// Poor households with at least two members: KK and two members' NIKs.
    static func families(_ api: TestAPI, _ count: Int) async throws -> [(kk: String, nik: [String])] {
        try await api.database.withAdmin { c in
            try await c.query(
                """
                SELECT k.kk::text, array_agg(p.nik::text ORDER BY p.id)
                  FROM padu.households h JOIN padu.household_kk k ON k.household_id = h.id AND k.valid_to IS NULL
                  JOIN padu.household_members m ON m.household_id = h.id AND m.valid_to IS NULL
                  JOIN padu.persons p ON p.id = m.person_id
                 WHERE h.decile <= 4
                 GROUP BY h.id, k.kk HAVING count(*) >= 2 ORDER BY h.id LIMIT \(Int32(count))
                """
            ).decode((String, [String]).self).map { (kk: $0.0, nik: $0.1) }
        }
    }

    /// Creates and submits a plan of one recipient (`["kk": ...]` or `["nik": ...]`); approves it as Dinsos when asked.
    static func plan(
        _ api: TestAPI, _ token: String, program: String, recipient: [String: Any], approveAs coordinator: String?
    ) async throws {
        var line = recipient
        line["planned_quantity"] = 1
        line["planned_value_idr"] = 20_000_000
        let created = try await api.post(
            "/api/v1/plans", as: token,
            ["program_id": api.programs[program]!, "fiscal_year": 2019, "period": "2019-Q2", "recipients": [line]])
        #expect(created.status == 201, "\(created.text)")
        let id = try created.decode(Plan.self).id
        let submitted = try await api.request("POST", "/api/v1/plans/\(id)/submit", token: token)
        #expect(submitted.status == 200, "\(submitted.text)")
        if let coordinator {
            let decided = try await api.post("/api/v1/plans/\(id)/decision", as: coordinator, ["decision": "approve"])
            #expect(decided.status == 200, "\(decided.text)")
        }
    }

    @Test(
        "Dinsos reads a family with aid from two agencies; an agency gets 404 until its line is approved, never amounts"
    )
    func householdView() async throws {
        let api = try await TestAPI.start("household_view", households: 300)
        defer { api.stop() }
        let tokens = try await api.tokens("baznas", "dinkes", "dinsos", "bupati")
        let (baznas, dinkes, dinsos) = (tokens["baznas"]!, tokens["dinkes"]!, tokens["dinsos"]!)
        let families = try await Self.families(api, 2)
        try #require(families.count == 2)
        let family = families[0]

        // Baznas renovates the house (approved, delivered); Dinkes plans food for a member (approved).
        try await Self.plan(api, baznas, program: "BEDAH-RUMAH", recipient: ["kk": family.kk], approveAs: dinsos)
        let delivered = try await api.post(
            "/api/v1/programs/\(api.programs["BEDAH-RUMAH"]!)/deliveries", as: baznas,
            ["deliveries": [["kk": family.kk, "delivered_on": "2019-06-20", "quantity": 1, "value_idr": 20_000_000]]])
        #expect(delivered.status == 201, "\(delivered.text)")
        try await Self.plan(
            api, dinkes, program: "PMT-BALITA", recipient: ["nik": family.nik[1]], approveAs: dinsos)

        let read = try await api.get("/api/v1/registry/households/\(family.kk)", as: dinsos)
        #expect(read.status == 200, "\(read.text)")
        let view = try read.decode(RegistryHousehold.self)
        #expect(view.kk == family.kk)
        #expect(Set(view.members.map(\.nik)).isSuperset(of: family.nik))
        #expect(view.from == 2018 && view.to == 2019)
        let agencies = Set(view.aid.map(\.agency))
        #expect(agencies.count == 2)
        let renovation = try #require(view.aid.first { $0.aidCategory == "housing" })
        #expect(renovation.status == "delivered")
        #expect(renovation.quantity == 1)
        #expect(renovation.lastDeliveredOn == "2019-06-20")
        #expect(view.aid.first { $0.aidCategory == "health" }?.status == "approved")
        // The contract's fields, and no money at all.
        let object = try #require(try JSONSerialization.jsonObject(with: Data(read.body)) as? [String: Any])
        #expect(
            Set(object.keys) == [
                "kk", "region_code", "village", "decile", "registry_source", "registry_as_of", "members", "aid",
                "from", "to",
            ])
        let aidItem = try #require((object["aid"] as? [[String: Any]])?.first)
        #expect(
            Set(aidItem.keys) == [
                "agency", "program", "aid_category", "fiscal_year", "status", "quantity", "last_delivered_on",
            ])
        #expect(!read.text.contains("_idr"))
        // The read is audited: Dinsos' account, the household's id.
        let household = try await api.scalar(
            "SELECT household_id FROM padu.household_kk WHERE kk = \(family.kk) AND valid_to IS NULL")
        #expect(
            try await api.scalar(
                """
                SELECT count(*) FROM padu.audit_log WHERE action = 'read' AND entity = 'household'
                   AND entity_id = \(String(household)) AND account_id = \(try await api.accountID("dinsos"))
                """) == 1)

        // Another household Baznas never served: 404, as for one that does not exist.
        let other = families[1]
        #expect(try await api.get("/api/v1/registry/households/\(other.kk)", as: baznas).status == 404)
        #expect(try await api.get("/api/v1/registry/households/1606011505199999", as: baznas).status == 404)
        #expect(try await api.get("/api/v1/registry/households/12345", as: dinsos).status == 404)
        // Submitted is not enough; approved is.
        try await Self.plan(api, baznas, program: "BEDAH-RUMAH", recipient: ["kk": other.kk], approveAs: nil)
        #expect(try await api.get("/api/v1/registry/households/\(other.kk)", as: baznas).status == 404)
        let planID = try await api.scalar(
            "SELECT plan_id FROM padu.plan_lines WHERE kk = \(other.kk) AND program_id = \(api.programs["BEDAH-RUMAH"]!)"
        )
        let approved = try await api.post("/api/v1/plans/\(planID)/decision", as: dinsos, ["decision": "approve"])
        #expect(approved.status == 200, "\(approved.text)")
        let after = try await api.get("/api/v1/registry/households/\(other.kk)", as: baznas)
        #expect(after.status == 200, "\(after.text)")
        #expect(try after.decode(RegistryHousehold.self).aid.map(\.status) == ["approved"])
        // Baznas reads the first family too (it served it) and sees Dinkes' line without amounts.
        let seen = try await api.get("/api/v1/registry/households/\(family.kk)", as: baznas)
        #expect(seen.status == 200)
        #expect(try seen.decode(RegistryHousehold.self).aid.count == 2)
        #expect(!seen.text.contains("_idr") && !seen.text.contains("20000000"))
        // Dinkes never served the second family.
        #expect(try await api.get("/api/v1/registry/households/\(other.kk)", as: dinkes).status == 404)
        // The executive has no household view.
        #expect(try await api.get("/api/v1/registry/households/\(family.kk)", as: tokens["bupati"]!).status == 403)
    }

    @Test("from and to are validated years, from not after to (422 naming the field)")
    func householdYears() async throws {
        let api = try await TestAPI.start("household_years", households: 30)
        defer { api.stop() }
        let dinsos = try await api.login("dinsos")
        let kk = try #require(try await Self.families(api, 1).first?.kk)
        for (query, field) in [
            ("from=abc", "from"), ("to=1999", "to"), ("from=2019&to=2018", "to"), ("from=99999999999999999999", "from"),
        ] {
            let result = try await api.get("/api/v1/registry/households/\(kk)?\(query)", as: dinsos)
            #expect(result.status == 422, "\(query)")
            #expect(result.errorFields == [field], "\(query)")
        }
        let ok = try await api.get("/api/v1/registry/households/\(kk)?from=2018&to=2019", as: dinsos)
        #expect(ok.status == 200)
        let view = try ok.decode(RegistryHousehold.self)
        #expect(view.from == 2018 && view.to == 2019)
        #expect(view.aid.isEmpty)
    }

    @Test("Dinsos lists the reports of Klaster 1's programmes and who has not submitted; not other clusters'")
    func coordinatorReports() async throws {
        let api = try await TestAPI.start("coordinator_reports", households: 10)
        defer { api.stop() }
        let tokens = try await api.tokens("baznas", "dinsos", "dinkes")
        // A Baznas programme in Klaster 2, which Dinsos does not coordinate.
        let elsewhere = try await api.scalar(
            """
            INSERT INTO padu.programs (agency_id, code, name, cluster_id, aid_kind, target, unit, aid_category)
            SELECT id, 'ZAKAT-K2', 'Zakat Pemberdayaan', 2, 'cash', 'household', 'paket', 'business'
              FROM padu.agencies WHERE code = 'BAZNAS' RETURNING id
            """)
        for (program, narrative) in [(api.programs["BEDAH-RUMAH"]!, "Tujuh rumah selesai"), (elsewhere, "Klaster 2")] {
            let put = try await api.put(
                "/api/v1/programs/\(program)/reports/2019-Q2", as: tokens["baznas"]!,
                ["target_quantity": 7, "achieved_quantity": 7, "narrative": narrative, "status": "submitted"])
            #expect(put.status == 201, "\(put.text)")
        }

        let listed = try await api.get("/api/v1/reports?period=2019-Q2", as: tokens["dinsos"]!)
        #expect(listed.status == 200, "\(listed.text)")
        let listing = try listed.decode(ReportListing.self)
        #expect(listing.items.map(\.programID) == [api.programs["BEDAH-RUMAH"]!])
        #expect(listing.items.first?.narrative == "Tujuh rumah selesai")
        let missing = try #require(listing.missingPrograms)
        // Every Klaster 1 programme but Baznas' renovation; never the Klaster 2 programme.
        let klaster1 = try await api.scalar("SELECT count(*) FROM padu.programs WHERE cluster_id = 1")
        #expect(missing.count == Int(klaster1) - 1)
        #expect(!missing.contains { $0.programID == api.programs["BEDAH-RUMAH"]! || $0.programID == elsewhere })
        #expect(missing.contains { $0.code == "PMT-BALITA" })
        // The agencies behind them: Dinkes, not Baznas (whose only Klaster 1 programme reported).
        let names = try await api.database.withAdmin { c in
            try await c.query("SELECT code, name FROM padu.agencies WHERE code IN ('BAZNAS', 'DINKES')").decode(
                (String, String).self)
        }
        let name = Dictionary(uniqueKeysWithValues: names)
        #expect(listing.missing?.contains(name["DINKES"]!) == true)
        #expect(listing.missing?.contains(name["BAZNAS"]!) == false)

        // An agency still reads only its own; Dinkes sees none of Baznas'.
        let dinkes = try await api.get("/api/v1/reports?period=2019-Q2", as: tokens["dinkes"]!)
        #expect(try dinkes.decode(ReportListing.self).items.isEmpty)
        #expect(try dinkes.decode(ReportListing.self).missingPrograms == nil)
    }
}
