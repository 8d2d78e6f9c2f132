import Foundation
import PQ
import PaduAPI
import PaduStore
import PaduTestSupport
import Testing

/// What the regent's office sees, checked against independent SQL over the same data.
@Suite("Executive summary")
struct SummaryTests {
    static func seeded(_ label: String) async throws -> (TestAPI, String) {
        let api = try await TestAPI.start(label, households: 400)
        try await api.database.withAdmin { c in
            _ = try await DemoActivity(logger: TestDatabases.logger).seed(on: c, deliveries: 4_000, programmes: 12)
        }
        let admin = try await api.login("admin")
        let refreshed = try await api.request("POST", "/api/v1/summary/refresh", token: admin)
        #expect(refreshed.status == 200, "\(refreshed.text)")
        return (api, try await api.login("bupati"))
    }

    @Test("summary figures equal a direct computation over the seeded data")
    func figuresMatchDirectSQL() async throws {
        let (api, bupati) = try await Self.seeded("sum_direct")
        defer { api.stop() }
        let result = try await api.get("/api/v1/summary?year=2019", as: bupati)
        #expect(result.status == 200, "\(result.text)")
        let summary = try result.decode(Summary.self)
        let totals = summary.totals
        let targeting = summary.targeting
        let overlap = summary.overlap.householdsByProgramCount

        // Independently: each delivery's household is its own, or its person's current one.
        let direct = try await api.database.withAdmin { c in
            try #require(
                try await c.query(
                    """
                    WITH d AS (
                        SELECT d.*, coalesce(d.household_id, m.household_id) AS hh FROM padu.deliveries d
                          LEFT JOIN padu.household_members m ON m.person_id = d.person_id AND m.valid_to IS NULL
                         WHERE d.fiscal_year = 2019
                    ), per_household AS (
                        SELECT hh, count(DISTINCT program_id) AS programmes FROM d WHERE hh IS NOT NULL GROUP BY hh
                    )
                    SELECT (SELECT count(*) FROM d),
                           (SELECT count(DISTINCT hh) FROM d),
                           (SELECT count(DISTINCT nik) FROM d WHERE nik IS NOT NULL),
                           (SELECT count(DISTINCT hh) FROM d JOIN padu.households h ON h.id = d.hh WHERE h.decile <= 4),
                           (SELECT count(DISTINCT nik) FROM d WHERE hh IS NULL),
                           (SELECT count(*) FROM per_household WHERE programmes = 1),
                           (SELECT count(*) FROM per_household WHERE programmes >= 4),
                           (SELECT sum(allocated_idr) FROM padu.budget_allocations WHERE fiscal_year = 2019),
                           (SELECT sum(amount_idr) FROM padu.realizations WHERE fiscal_year = 2019)
                    """
                ).first((Int, Int, Int, Int, Int, Int, Int, Int64, Int64).self))
        }
        #expect(totals.deliveries == direct.0)
        #expect(totals.householdsReached == direct.1)
        #expect(totals.personsReached == direct.2)
        #expect(targeting.decile1To4 == direct.3)
        #expect(targeting.outsideRegistry == direct.4)
        #expect(overlap["1"] == direct.5)
        #expect(overlap["4+"] == direct.6)
        #expect(totals.allocatedIDR == direct.7)
        #expect(totals.realizedIDR == direct.8)
        let rate = try #require(totals.realizationRate)
        #expect(abs(rate - Double(direct.8) / Double(direct.7)) < 0.0001)
        #expect(summary.asOf != nil)
    }

    @Test("the CSV carries the same figures as the JSON, one row per agency")
    func csvMatchesJSON() async throws {
        let (api, bupati) = try await Self.seeded("sum_csv")
        defer { api.stop() }
        let json = try await api.get("/api/v1/summary?year=2019", as: bupati)
        let csv = try await api.get("/api/v1/summary?year=2019", as: bupati, headers: [("Accept", "text/csv")])
        #expect(csv.status == 200)
        #expect(csv.header("Content-Type")?.hasPrefix("text/csv") == true)
        let lines = csv.text.split(separator: "\r\n").map(String.init)
        let agencies = try json.decode(Summary.self).byAgency
        #expect(lines.count == agencies.count + 1)
        #expect(lines[0].hasPrefix("year,scope,agency_id,agency_code,agency,allocated_idr,realized_idr"))
        for agency in agencies {
            let row = try #require(lines.first { $0.contains(",\(agency.agencyCode),") })
            #expect(row.contains(",\(agency.allocatedIDR),\(agency.realizedIDR),"))
            #expect(row.hasSuffix(",\(agency.personsReached),\(agency.householdsReached),\(agency.deliveries)"))
        }
        let regions = try await api.get("/api/v1/summary/regions?year=2019&level=district", as: bupati)
        let regionsCSV = try await api.get(
            "/api/v1/summary/regions?year=2019&level=district", as: bupati, headers: [("Accept", "text/csv")])
        let items = try regions.decode(RegionsSummary.self).items
        #expect(regionsCSV.text.split(separator: "\r\n").count == items.count + 1)
        #expect(items.count == 15)
    }

    @Test("the executive reads aggregates only: no NIK, name or address anywhere, and no registry access")
    func noPersonalData() async throws {
        let (api, bupati) = try await Self.seeded("sum_private")
        defer { api.stop() }
        let (nik, name) = try await api.database.withAdmin { c in
            try #require(
                try await c.query("SELECT nik::text, name FROM padu.persons ORDER BY id LIMIT 1").first(
                    (String, String).self))
        }
        for path in ["/api/v1/summary?year=2019", "/api/v1/summary/regions?year=2019&level=village"] {
            let result = try await api.get(path, as: bupati)
            #expect(result.status == 200)
            #expect(result.text.range(of: #"\d{16}"#, options: .regularExpression) == nil)
            #expect(!result.text.contains(name))
        }
        #expect(try await api.get("/api/v1/registry/persons/\(nik)", as: bupati).status == 403)
        #expect(try await api.get("/api/v1/plans", as: bupati).status == 403)
        let agency = try await api.login("baznas")
        #expect(try await api.get("/api/v1/summary?year=2019", as: agency).status == 403)
    }

    @Test("a scope of 16.06.01 sees only Sekayu, and small cells are suppressed with their row kept")
    func scopeAndSuppression() async throws {
        let (api, _) = try await Self.seeded("sum_scope")
        defer { api.stop() }
        let sekayu = try await api.login("sekayu")
        let districts = try await api.get("/api/v1/summary/regions?year=2019&level=district", as: sekayu)
        let items = try districts.decode(RegionsSummary.self).items
        #expect(items.map(\.regionCode) == ["16.06.01"])
        #expect(items.first?.region == "Sekayu")
        let villages = try await api.get("/api/v1/summary/regions?year=2019&level=village", as: sekayu)
        let villageItems = try villages.decode(RegionsSummary.self).items
        #expect(!villageItems.isEmpty)
        #expect(villageItems.allSatisfy { $0.regionCode.hasPrefix("16.06.01.") })
        // With 400 households over 242 villages, many villages hold fewer than 5: null, row kept.
        let suppressed = villageItems.filter { $0.registryHouseholds == nil }
        #expect(!suppressed.isEmpty)
        for row in villageItems {
            if let reached = row.householdsReached { #expect(reached >= 5) }
            if let registry = row.registryHouseholds { #expect(registry >= 5) }
        }
        let summary = try await api.get("/api/v1/summary?year=2019", as: sekayu).decode(Summary.self)
        #expect(summary.scope == "16.06.01")
        let whole = try await api.get("/api/v1/summary?year=2019", as: try await api.login("bupati"))
            .decode(Summary.self)
        let part = summary.totals.householdsReached
        let all = whole.totals.householdsReached
        #expect(part < all)
    }

    @Test("the dashboard signs in with a form and draws the summary in Bahasa Indonesia")
    func dashboard() async throws {
        let (api, _) = try await Self.seeded("sum_dash")
        defer { api.stop() }
        let login = try await api.get("/", as: nil)
        #expect(login.status == 200)
        #expect(login.text.contains("Nama pengguna"))
        let form = Array("username=bupati&password=\(TestAPI.password)".utf8)
        let signed = try await api.request(
            "POST", "/login", body: form, contentType: "application/x-www-form-urlencoded")
        #expect(signed.status == 303)
        let cookie = try #require(signed.header("Set-Cookie"))
        #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
        let session = String(cookie.split(separator: ";")[0])
        let page = try await api.get("/?year=2019", as: nil, headers: [("Cookie", session)])
        #expect(page.status == 200)
        #expect(page.text.contains("Dinas Sosial Kabupaten Musi Banyuasin"))
        #expect(page.text.contains("Realisasi anggaran per OPD"))
        #expect(page.text.contains("<svg"))
        #expect(!page.text.contains("<script"))
        // The cookie does not open the JSON API.
        let api1 = try await api.get("/api/v1/me", as: nil, headers: [("Cookie", session)])
        #expect(api1.status == 401)
        let wrong = try await api.request(
            "POST", "/login", body: Array("username=bupati&password=nope".utf8),
            contentType: "application/x-www-form-urlencoded")
        #expect(wrong.status == 401)
        #expect(wrong.text.contains("Nama pengguna atau kata sandi salah"))
    }
}
