import Foundation
import PQ
import PaduAPI
import PaduCore
import PaduStore
import PaduTestSupport
import Testing

/// /summary v1.1: fresh within 5 seconds of a commit, optional year, period, kecamatan/desa.
@Suite("Summary v1.1 over HTTP", .serialized)
struct SummaryFreshnessTests {
    /// Polls /summary until `condition` holds; the seconds it took, or nil after `limit`.
    static func secondsUntil(
        _ api: TestAPI, _ token: String, limit: Double = 5, _ condition: (Summary) -> Bool
    ) async throws -> Double? {
        let started = Date()
        while Date().timeIntervalSince(started) < limit {
            let summary = try await api.get("/api/v1/summary?year=2019", as: token).decode(Summary.self)
            if condition(summary) { return Date().timeIntervalSince(started) }
            try await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }

    @Test("a delivery committed through the API is in /summary within 5 s, and its reversal leaves it within 5 s")
    func freshWithinFiveSeconds() async throws {
        let api = try await TestAPI.start("summary_fresh", households: 120)
        defer { api.stop() }
        let baznas = try await api.login("baznas")
        let dinsos = try await api.login("dinsos")
        let bupati = try await api.login("bupati")
        let renovation = api.programs["BEDAH-RUMAH"]!
        let kk = try #require(
            try await api.text(
                """
                SELECT k.kk::text FROM padu.households h JOIN padu.household_kk k ON k.household_id = h.id
                 WHERE h.decile <= 4 AND k.valid_to IS NULL ORDER BY h.id DESC LIMIT 1
                """))
        let plan = try await api.post(
            "/api/v1/plans", as: baznas,
            [
                "program_id": renovation, "fiscal_year": 2019, "period": "2019-Q3",
                "recipients": [["kk": kk, "planned_quantity": 1]],
            ]
        ).decode(Plan.self)
        #expect(try await api.request("POST", "/api/v1/plans/\(plan.id)/submit", token: baznas).status == 200)
        #expect(
            try await api.post("/api/v1/plans/\(plan.id)/decision", as: dinsos, ["decision": "approve"]).status == 200)

        // Wait until the refresher has computed the summary once, then take the baseline.
        let ready = try await Self.secondsUntil(api, bupati, limit: 30) { $0.asOf != nil }
        try #require(ready != nil, "the refresher computes the summary at start")
        let before = try await api.get("/api/v1/summary?year=2019", as: bupati).decode(Summary.self)
        let baseline = before.byAgency.first { $0.agencyCode == "BAZNAS" }?.deliveries ?? 0

        let delivered = try await api.post(
            "/api/v1/programs/\(renovation)/deliveries", as: baznas,
            ["deliveries": [["kk": kk, "delivered_on": "2019-08-01", "value_idr": 20_000_000]]])
        #expect(delivered.status == 201, "\(delivered.text)")
        let shown = try await Self.secondsUntil(api, bupati) {
            $0.byAgency.first { $0.agencyCode == "BAZNAS" }?.deliveries == baseline + 1
        }
        #expect(shown != nil, "the delivery was not in /summary within 5 s")
        print("delivery visible in /summary after \(shown ?? -1) s")

        let id = try #require(
            try await api.get("/api/v1/programs/\(renovation)/deliveries", as: baznas).page(of: Delivery.self).items
                .last?.id)
        let reversed = try await api.post(
            "/api/v1/programs/\(renovation)/deliveries/\(id)/reversal", as: baznas, ["reason": "salah rumah"])
        #expect(reversed.status == 201)
        let gone = try await Self.secondsUntil(api, bupati) {
            $0.byAgency.first { $0.agencyCode == "BAZNAS" }?.deliveries == baseline
        }
        #expect(gone != nil, "the reversal was not in /summary within 5 s")
    }

    @Test("year is optional, period picks the reporting quarter, level takes kecamatan and desa")
    func parameters() async throws {
        let api = try await TestAPI.start("summary_v11", households: 60)
        defer { api.stop() }
        let bupati = try await api.login("bupati")
        let latest = try await api.get("/api/v1/summary", as: bupati)
        #expect(latest.status == 200, "\(latest.text)")
        let summary = try latest.decode(Summary.self)
        let newest = try await api.scalar(
            """
            SELECT greatest((SELECT max(fiscal_year) FROM padu.budget_allocations),
                            (SELECT max(fiscal_year) FROM padu.realizations WHERE NOT reversed),
                            (SELECT max(fiscal_year) FROM padu.deliveries))
            """)
        #expect(Int64(summary.year) == newest)
        let raw = try latest.jsonValue()
        #expect(raw["coordination"]?["rejected_by_flag"] != nil)
        guard case .array(let agencies)? = raw["by_agency"] else {
            Issue.record("no by_agency array")
            return
        }
        #expect(!agencies.isEmpty && agencies.allSatisfy { $0["outputs"] != nil })

        let q3 = try await api.get("/api/v1/summary?period=2019-Q3", as: bupati)
        #expect(q3.status == 200)
        #expect(try q3.decode(Summary.self).reporting.period == "2019-Q3")
        #expect(try q3.decode(Summary.self).year == 2019)
        let mismatch = try await api.get("/api/v1/summary?year=2018&period=2019-Q3", as: bupati)
        #expect(mismatch.status == 422)
        #expect(mismatch.errorFields == ["period"])
        #expect(try await api.get("/api/v1/summary?period=2019-Q5", as: bupati).status == 422)

        for (level, length) in [("kecamatan", 8), ("desa", 13), ("district", 8), ("village", 13)] {
            let regions = try await api.get("/api/v1/summary/regions?year=2019&level=\(level)", as: bupati)
            #expect(regions.status == 200, "\(level): \(regions.text)")
            let items = try regions.decode(RegionsSummary.self).items
            #expect(!items.isEmpty && items.allSatisfy { $0.regionCode.count == length }, "\(level)")
        }
        #expect(try await api.get("/api/v1/summary/regions", as: bupati).status == 200)
        let bad = try await api.get("/api/v1/summary/regions?level=provinsi", as: bupati)
        #expect(bad.status == 422)
        #expect(bad.errorFields == ["level"])
    }
}
