import Foundation
import PQ
import PaduAPI
import PaduCore
import PaduStore
import PaduTestSupport
import Testing

/// A province in one deployment (0090): Musi Banyuasin and a second regency of South Sumatra,
/// each with its own agencies and Klaster 1 coordinator, over HTTP.
@Suite("A province in one deployment")
struct ProvinceTests {
    /// The demo over two regencies, with accounts of the second regency and of the province.
    struct Province {
        var api: TestAPI
        var other: String  // the second regency's code, e.g. "16.01"
        var suffix: String  // its agency-code suffix, e.g. "1601"
    }

    static func start(_ label: String) async throws -> Province {
        let api = try await TestAPI.start(label, households: 200, regencies: 2)
        let hash = try await PasswordHasher(cost: 4).hash(TestAPI.password)
        let other = try await api.database.withAdmin { connection in
            let other = try #require(
                try await connection.query(
                    "SELECT regency_code::text FROM padu.agencies WHERE code LIKE 'DINSOS-%' ORDER BY code LIMIT 1"
                ).first(String.self))
            let suffix = other.replacingOccurrences(of: ".", with: "")
            for (name, role, agency, scope) in [
                ("bupati.lain", "executive", nil, other), ("gubernur", "executive", nil, "16"),
                ("admin.prov", "admin", nil, "16"),
                ("dinsos.lain", "coordinator", "DINSOS-\(suffix)", other),
                ("baznas.lain", "agency", "BAZNAS-\(suffix)", other),
            ] as [(String, String, String?, String)] {
                try await AccountAdmin.createAccount(
                    on: connection, username: name, passwordHash: hash, role: role, agencyCode: agency, scope: scope)
            }
            return other
        }
        return Province(api: api, other: other, suffix: other.replacingOccurrences(of: ".", with: ""))
    }

    /// The second regency's Baznas: a programme with a 2019 budget and realisation, a plan for
    /// three of its regency's households decided by its own Dinsos, and their deliveries.
    /// Returns the programme and plan ids. Muba's coordinator cannot see or decide the plan.
    static func otherRegencyAid(_ p: Province) async throws -> (program: Int64, plan: Int64) {
        let api = p.api
        let baznas = try await api.login("baznas.lain")
        let created = try await api.post(
            "/api/v1/programs", as: baznas,
            [
                "code": "BEDAH-RUMAH", "name": "Bedah Rumah", "cluster_id": 1, "aid_kind": "in_kind",
                "aid_category": "housing", "target": "household", "unit": "rumah",
            ])
        #expect(created.status == 201, "\(created.text)")
        let program = try created.decode(Program.self).id
        let budget = try await api.put(
            "/api/v1/programs/\(program)/budgets/2019", as: baznas,
            ["allocations": [["funding_source": "BAZNAS", "allocated_idr": 90_000_000]]])
        #expect(budget.status == 200, "\(budget.text)")
        let realised = try await api.post(
            "/api/v1/programs/\(program)/realizations", as: baznas,
            [
                "fiscal_year": 2019, "month": 6, "amount_idr": 60_000_000, "funding_source": "BAZNAS",
                "output_quantity": 3,
            ])
        #expect(realised.status == 201, "\(realised.text)")

        let kks = try await api.database.withAdmin { c in
            try await c.query(
                """
                SELECT k.kk::text FROM padu.households h JOIN padu.household_kk k ON k.household_id = h.id AND k.valid_to IS NULL
                 WHERE starts_with(h.region_code, \(p.other + ".")) AND h.decile <= 4 ORDER BY h.id LIMIT 3
                """
            ).decode(String.self)
        }
        #expect(kks.count == 3)
        let plan = try await api.post(
            "/api/v1/plans", as: baznas,
            [
                "program_id": program, "fiscal_year": 2019, "period": "2019-Q2",
                "recipients": kks.map { ["kk": $0, "planned_value_idr": 20_000_000, "planned_quantity": 1] },
            ])
        #expect(plan.status == 201, "\(plan.text)")
        let planID = try plan.decode(Plan.self).id
        let submitted = try await api.request("POST", "/api/v1/plans/\(planID)/submit", token: baznas)
        #expect(submitted.status == 200, "\(submitted.text)")

        // Muba's Dinsos coordinates Klaster 1 in Muba only: the plan and programme are not there for it.
        let muba = try await api.login("dinsos")
        #expect(try await api.get("/api/v1/plans/\(planID)", as: muba).status == 404)
        #expect(try await api.get("/api/v1/programs/\(program)", as: muba).status == 404)
        let refused = try await api.post("/api/v1/plans/\(planID)/decision", as: muba, ["decision": "approve"])
        #expect([403, 404].contains(refused.status), "\(refused.text)")
        #expect(try await api.get("/api/v1/plans/\(planID)", as: baznas).decode(Plan.self).status == .submitted)

        // Its own Dinsos decides.
        let dinsos = try await api.login("dinsos.lain")
        let decided = try await api.post("/api/v1/plans/\(planID)/decision", as: dinsos, ["decision": "approve"])
        #expect(decided.status == 200, "\(decided.text)")
        let delivered = try await api.post(
            "/api/v1/programs/\(program)/deliveries", as: baznas,
            [
                "deliveries": kks.map {
                    ["kk": $0, "delivered_on": "2019-06-20", "quantity": 1, "value_idr": 20_000_000]
                }
            ])
        #expect(delivered.status == 201, "\(delivered.text)")
        return (program, planID)
    }

    @Test("regency and province executives: each regency alone, the province rolls up and equals their sum")
    func summaries() async throws {
        let p = try await Self.start("prov_summary")
        defer { p.api.stop() }
        let api = p.api
        _ = try await Self.otherRegencyAid(p)
        let admin = try await api.login("admin.prov")
        let refreshed = try await api.request("POST", "/api/v1/summary/refresh", token: admin)
        #expect(refreshed.status == 200, "\(refreshed.text)")

        let muba = try await api.get("/api/v1/summary?year=2019", as: try await api.login("bupati")).decode(
            Summary.self)
        let other = try await api.get("/api/v1/summary?year=2019", as: try await api.login("bupati.lain"))
            .decode(Summary.self)
        let province = try await api.get("/api/v1/summary?year=2019", as: try await api.login("gubernur"))
            .decode(Summary.self)

        // Each regency sees its own agencies only.
        #expect(muba.scope == "16.06")
        #expect(muba.byAgency.allSatisfy { !$0.agencyCode.contains("-\(p.suffix)") })
        #expect(muba.byAgency.contains { $0.agencyCode == "DINSOS" })
        #expect(other.scope == p.other)
        #expect(!other.byAgency.isEmpty)
        #expect(other.byAgency.allSatisfy { $0.agencyCode.hasSuffix("-\(p.suffix)") })
        #expect(other.totals.allocatedIDR == 90_000_000)
        #expect(other.totals.realizedIDR == 60_000_000)
        #expect(other.totals.deliveries == 3)
        #expect(other.totals.householdsReached == 3)
        #expect(muba.totals.allocatedIDR > 0)
        #expect(muba.byRegency.isEmpty && other.byRegency.isEmpty)

        // The province: one entry per regency, each equal to that regency's own view, summing to the total.
        #expect(province.scope == "16")
        #expect(province.byRegency.map(\.regencyCode) == [p.other, "16.06"].sorted())
        for (regency, view) in [(p.other, other), ("16.06", muba)] {
            let entry = try #require(province.byRegency.first { $0.regencyCode == regency })
            #expect(entry.allocatedIDR == view.totals.allocatedIDR, "\(regency)")
            #expect(entry.realizedIDR == view.totals.realizedIDR, "\(regency)")
            #expect(entry.deliveries == view.totals.deliveries, "\(regency)")
            #expect(entry.householdsReached == view.totals.householdsReached, "\(regency)")
            #expect(entry.personsReached == view.totals.personsReached, "\(regency)")
        }
        #expect(province.totals.allocatedIDR == province.byRegency.map(\.allocatedIDR).reduce(0, +))
        #expect(province.totals.realizedIDR == province.byRegency.map(\.realizedIDR).reduce(0, +))
        #expect(province.totals.deliveries == province.byRegency.map(\.deliveries).reduce(0, +))
        #expect(province.totals.householdsReached == province.byRegency.map(\.householdsReached).reduce(0, +))
        #expect(province.totals.allocatedIDR == muba.totals.allocatedIDR + other.totals.allocatedIDR)
        #expect(province.byAgency.count == muba.byAgency.count + other.byAgency.count)
        let registry = try await api.scalar("SELECT count(*) FROM padu.households")
        #expect(Int64(province.byRegency.map(\.registryHouseholds).reduce(0, +)) == registry)

        // Exports and the regions view follow the same scope.
        let csv = try await api.get(
            "/api/v1/summary?year=2019", as: try await api.login("bupati.lain"), headers: [("Accept", "text/csv")])
        #expect(csv.status == 200)
        #expect(!csv.text.contains("Musi Banyuasin"), "\(csv.text)")
        #expect(csv.text.contains("-\(p.suffix)") || csv.text.contains("Baznas"), "\(csv.text)")
        let districts = try await api.get(
            "/api/v1/summary/regions?year=2019&level=district", as: try await api.login("bupati.lain"))
        #expect(districts.status == 200, "\(districts.text)")
        let items = try districts.decode(RegionsSummary.self).items
        #expect(!items.isEmpty)
        #expect(items.allSatisfy { $0.regionCode.hasPrefix(p.other + ".") })

        // The dashboard (the executive's home page) too: the other regency's, none of Muba's districts.
        let home = try await HTTPClient.request(
            port: api.port, "GET", "/", headers: [("Cookie", "padu_session=\(try await api.login("bupati.lain"))")],
            body: nil)
        #expect(home.status == 200)
        let regencyName = try #require(
            try await api.text("SELECT name FROM padu.regions WHERE code = \(p.other)"))
        #expect(home.text.contains(regencyName), "\(home.text.prefix(2000))")
        #expect(!home.text.contains("Musi Banyuasin") && !home.text.contains("Sekayu"))
        let mubaHome = try await HTTPClient.request(
            port: api.port, "GET", "/", headers: [("Cookie", "padu_session=\(try await api.login("bupati"))")],
            body: nil)
        #expect(mubaHome.text.contains("Musi Banyuasin") && !mubaHome.text.contains(regencyName))
    }

    @Test("agencies and coordinators of one regency never see another's plans, programmes, reports or registry")
    func crossRegencyAccess() async throws {
        let p = try await Self.start("prov_access")
        defer { p.api.stop() }
        let api = p.api
        let (program, plan) = try await Self.otherRegencyAid(p)
        let mubaBaznas = try await api.login("baznas")
        let mubaDinsos = try await api.login("dinsos")
        let otherDinsos = try await api.login("dinsos.lain")
        let otherBaznas = try await api.login("baznas.lain")

        // Muba's agency and coordinator: the other regency's programme, plan and deliveries are not found.
        for token in [mubaBaznas, mubaDinsos] {
            #expect(try await api.get("/api/v1/programs/\(program)", as: token).status == 404)
            #expect(try await api.get("/api/v1/plans/\(plan)", as: token).status == 404)
            #expect(try await api.get("/api/v1/programs/\(program)/deliveries?year=2019", as: token).status == 404)
        }
        let mubaPlans = try await api.get("/api/v1/plans", as: mubaDinsos)
        #expect(mubaPlans.status == 200)
        #expect(!mubaPlans.text.contains("\"id\":\(plan),"), "\(mubaPlans.text)")

        // The other regency's coordinator: Muba's programmes and submitted plans are not found, its
        // report list names only its own regency's agencies.
        let mubaProgram = api.programs["BSTBK"]!
        #expect(try await api.get("/api/v1/programs/\(mubaProgram)", as: otherDinsos).status == 404)
        let mubaPlan = try await api.scalar(
            """
            SELECT coalesce(min(p.id), 0) FROM padu.distribution_plans p JOIN padu.agencies a ON a.id = p.agency_id
             WHERE a.regency_code = '16.06' AND p.status <> 'draft'
            """)
        if mubaPlan > 0 {
            #expect(try await api.get("/api/v1/plans/\(mubaPlan)", as: otherDinsos).status == 404)
        }
        let reports = try await api.get("/api/v1/reports?period=2019-Q2", as: otherDinsos)
        #expect(reports.status == 200, "\(reports.text)")
        #expect(!reports.text.contains("Musi Banyuasin"), "\(reports.text)")
        let check = try await api.post(
            "/api/v1/coordination/check", as: otherDinsos,
            ["program_id": mubaProgram, "fiscal_year": 2019, "recipients": [["kk": "1606010101190001"]]])
        #expect(check.status == 404, "\(check.text)")

        // The registry: each coordinator reads its own regency's people, not the other's.
        let (mubaNIK, otherNIK) = try await api.database.withAdmin { c in
            let muba = try await c.query(
                "SELECT nik::text FROM padu.persons WHERE starts_with(region_code, '16.06.') ORDER BY id LIMIT 1"
            ).first(String.self)
            let other = try await c.query(
                "SELECT nik::text FROM padu.persons WHERE starts_with(region_code, \(p.other + ".")) ORDER BY id LIMIT 1"
            ).first(String.self)
            return (try #require(muba), try #require(other))
        }
        #expect(try await api.get("/api/v1/registry/persons/\(otherNIK)", as: otherDinsos).status == 200)
        #expect(try await api.get("/api/v1/registry/persons/\(mubaNIK)", as: otherDinsos).status == 404)
        #expect(try await api.get("/api/v1/registry/persons/\(mubaNIK)", as: mubaDinsos).status == 200)
        #expect(try await api.get("/api/v1/registry/persons/\(otherNIK)", as: mubaDinsos).status == 404)
        // An agency views a household only through its own approved lines and deliveries: not Muba's Baznas.
        let delivered = try await api.text(
            """
            SELECT k.kk::text FROM padu.deliveries d JOIN padu.household_kk k ON k.household_id = d.household_id
             WHERE d.program_id = \(program) AND k.valid_to IS NULL LIMIT 1
            """)
        let kk = try #require(delivered)
        #expect(try await api.get("/api/v1/registry/households/\(kk)", as: otherBaznas).status == 200)
        #expect(try await api.get("/api/v1/registry/households/\(kk)", as: mubaBaznas).status == 404)
        #expect(try await api.get("/api/v1/registry/households/\(kk)", as: otherDinsos).status == 200)
        #expect(try await api.get("/api/v1/registry/households/\(kk)", as: mubaDinsos).status == 404)

        // GET /clusters: each regency's Klaster 1 names its own coordinator and members.
        for (token, code) in [(otherDinsos, "DINSOS-\(p.suffix)"), (mubaDinsos, "DINSOS")] {
            let listed = try await api.get("/api/v1/clusters", as: token)
            guard case .array(let items)? = try listed.jsonValue()["items"], let first = items.first else {
                Issue.record("no clusters: \(listed.text)")
                continue
            }
            let coordinator = try #require(api.agencies[code])
            #expect(first["coordinator_agency_id"] == .number(Double(coordinator)), "\(code)")
            guard case .array(let members)? = first["members"] else {
                Issue.record("no members: \(listed.text)")
                continue
            }
            #expect(members.count == 13, "\(code): one regency's members only")
        }
    }

    @Test(
        "account scopes stay in the deployment and an agency's account in its regency: 422; outside an admin's scope: 403"
    )
    func accountScopes() async throws {
        let p = try await Self.start("prov_accounts")
        defer { p.api.stop() }
        let api = p.api
        let province = try await api.login("admin.prov")
        let muba = try await api.login("admin")
        let outside = try await api.scalar(
            """
            SELECT count(*) FROM padu.regions g WHERE g.code = '16.02'
               AND NOT EXISTS (SELECT 1 FROM padu.agencies a WHERE a.regency_code = g.code)
            """)
        #expect(outside == 1, "16.02 is a regency of South Sumatra this deployment does not serve")
        func account(_ name: String, _ role: String, _ scope: String, agency: Int64? = nil) -> [String: Any] {
            var body: [String: Any] = ["username": name, "password": "rahasia-sekali-1", "role": role, "scope": scope]
            if let agency { body["agency_id"] = agency }
            return body
        }
        let notServed = try await api.post(
            "/api/v1/accounts", as: province, account("oku.bupati", "executive", "16.02"))
        #expect(notServed.status == 422, "\(notServed.text)")
        #expect(notServed.errorFields == ["scope"])
        let village = try await api.post(
            "/api/v1/accounts", as: province, account("oku.desa", "executive", "16.02.01"))
        #expect(village.status == 422, "\(village.text)")
        let otherBaznas = try await api.scalar("SELECT id FROM padu.agencies WHERE code = \("BAZNAS-" + p.suffix)")
        let wrongRegency = try await api.post(
            "/api/v1/accounts", as: province, account("baznas.salah", "agency", "16.06", agency: otherBaznas))
        #expect(wrongRegency.status == 422, "\(wrongRegency.text)")
        #expect(wrongRegency.errorFields == ["scope"])
        let tooWide = try await api.post(
            "/api/v1/accounts", as: province, account("baznas.luas", "coordinator", "16", agency: otherBaznas))
        #expect(tooWide.status == 422, "\(tooWide.text)")

        // Within the deployment: accepted, at regency and province level.
        let regency = try await api.post("/api/v1/accounts", as: province, account("bupati.dua", "executive", p.other))
        #expect(regency.status == 201, "\(regency.text)")
        let whole = try await api.post("/api/v1/accounts", as: province, account("gubernur.dua", "executive", "16"))
        #expect(whole.status == 201, "\(whole.text)")
        let agency = try await api.post(
            "/api/v1/accounts", as: province, account("baznas.dua", "agency", p.other, agency: otherBaznas))
        #expect(agency.status == 201, "\(agency.text)")

        // Agencies: each admin adds them within its own scope (0092); the province admin anywhere in it.
        let agencyBody: [String: Any] = [
            "code": "DINSOS-BARU", "name": "Dinas Sosial Baru", "kind": "dinas", "region_code": p.other,
        ]
        let mubaAgency = try await api.post("/api/v1/agencies", as: muba, agencyBody)
        #expect(mubaAgency.status == 403, "\(mubaAgency.text)")
        let provinceAgency = try await api.post("/api/v1/agencies", as: province, agencyBody)
        #expect(provinceAgency.status == 201, "\(provinceAgency.text)")

        // Muba's admin cannot reach into the other regency (row-level security), nor move an account there.
        let beyond = try await api.post("/api/v1/accounts", as: muba, account("bupati.tiga", "executive", p.other))
        #expect(beyond.status == 403, "\(beyond.text)")
        let bupati = try await api.accountID("bupati")
        let moved = try await api.patch("/api/v1/accounts/\(bupati)", as: province, ["scope": "16.02"])
        #expect(moved.status == 422, "\(moved.text)")
    }

    @Test("the single-regency demo is unchanged: Muba's agencies, one Klaster 1 coordinator")
    func singleRegencyDefault() async throws {
        let api = try await TestAPI.start("prov_default", households: 40)
        defer { api.stop() }
        let counts = try await api.database.withAdmin { c in
            try #require(
                try await c.query(
                    """
                    SELECT (SELECT count(DISTINCT regency_code) FROM padu.agencies),
                           (SELECT count(*) FROM padu.cluster_coordinators),
                           (SELECT count(*) FROM padu.cluster_coordinators k JOIN padu.clusters c ON c.id = k.cluster_id
                             WHERE k.agency_id = c.coordinator_agency_id AND k.regency_code = '16.06')
                    """
                ).first((Int, Int, Int).self))
        }
        #expect(counts.0 == 1)
        #expect(counts.1 == 1)
        #expect(counts.2 == 1)
        let summary = try await api.get("/api/v1/summary?year=2019", as: try await api.login("bupati")).decode(
            Summary.self)
        #expect(summary.byRegency.isEmpty)
    }
}
