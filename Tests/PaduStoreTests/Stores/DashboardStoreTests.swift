import Foundation
import PQ
import PaduCore
import PaduTestSupport
import Testing

@testable import PaduStore

/// The dashboard's second edition and the meeting pack: migration 0075's aggregates, read as the
/// roles that read them, against deliveries whose households the test chose.
@Suite("DashboardStore")
struct DashboardStoreTests {
    static let year = try! FiscalYear(2019)

    /// Households (id, village, decile) in id order, and deliveries placed directly (triggers off,
    /// as a fixture): Baznas reaches households 0-6 (its 7 houses), Dinsos 0-5 and 7-9 in 2019 and
    /// 0-2 in 2018, Dinkes 0-1. Then the summary (and with it the dashboard) is refreshed.
    static func seeded(_ label: String) async throws -> (Fixture, [(id: Int64, village: String, decile: Int)]) {
        let f = try await Fixture.shared(label)
        let households = try await f.database.withAdmin { c in
            try await c.query("SELECT id, region_code::text, decile::int4 FROM padu.households ORDER BY id")
                .decode((Int64, String, Int).self).map { (id: $0.0, village: $0.1, decile: $0.2) }
        }
        try #require(households.count >= 10)
        let plan: [(String, String, Int, [Int])] = [
            ("BAZNAS", "BEDAH-RUMAH", 2019, Array(0...6)), ("DINSOS", "BSTBK", 2019, Array(0...5) + [7, 8, 9]),
            ("DINSOS", "BSTBK", 2018, [0, 1, 2]), ("DINKES", "PMT-BALITA", 2019, [0, 1]),
        ]
        try await f.database.withAdmin { c in
            try await c.execute(script: "SET session_replication_role = replica")
            for (agency, programme, year, picks) in plan {
                for pick in picks {
                    try await c.query(
                        """
                        INSERT INTO padu.deliveries (program_id, agency_id, kk, household_id, delivered_on, value_idr)
                        SELECT \(f.programs[programme]!), \(f.agencies[agency]!), k.kk, \(households[pick].id),
                               make_date(\(Int32(year)), 6, 1), 1000000
                          FROM padu.household_kk k WHERE k.household_id = \(households[pick].id) LIMIT 1
                        """)
                }
            }
            try await c.execute(script: "RESET session_replication_role")
            try await c.query(
                """
                INSERT INTO padu.progress_reports (program_id, agency_id, period, target_quantity, achieved_quantity,
                                                   narrative, status, submitted_at)
                VALUES (\(f.programs["BEDAH-RUMAH"]!), \(f.agencies["BAZNAS"]!), '2019-Q4', 7, 7,
                        '7 rumah selesai direnovasi <bersama warga>.', 'submitted', now())
                """)
        }
        _ = try await f.tx("admin") { tx in try await tx.summary.refresh() }
        return (f, households)
    }

    @Test("year over year per agency: realised and households reached, this year and the last")
    func yearOverYear() async throws {
        let (f, _) = try await Self.seeded("store_dash_yoy")
        let rows = try await f.tx("bupati") { tx in try await tx.dashboard.yearOverYear(year: Self.year) }
        let dinsos = try #require(rows.first { $0.agencyCode == "DINSOS" })
        #expect(dinsos.realizedPreviousIDR == 332_000_000)
        #expect(dinsos.realizedIDR == 0)
        #expect(dinsos.householdsReached == 9)
        #expect(dinsos.householdsPrevious == 3)
        let baznas = try #require(rows.first { $0.agencyCode == "BAZNAS" })
        #expect(baznas.realizedIDR == 140_000_000)
        #expect(baznas.householdsReached == 7)
        #expect(baznas.householdsPrevious == 0)
        // The coordinator reads it too; an agency may not.
        let coordinator = try await f.tx("dinsos") { tx in try await tx.dashboard.yearOverYear(year: Self.year) }
        #expect(coordinator == rows)
        let refused = await databaseError {
            _ = try await f.tx("baznas") { tx in try await tx.dashboard.yearOverYear(year: Self.year) }
        }
        #expect(refused == .forbidden)
    }

    @Test("agency pairs count shared households; a pair sharing fewer than 5 is suppressed")
    func pairs() async throws {
        let (f, _) = try await Self.seeded("store_dash_pairs")
        let pairs = try await f.tx("bupati") { tx in try await tx.dashboard.agencyPairs(year: Self.year) }
        let codes = { (pair: AgencyPair) in Set([pair.agencyACode, pair.agencyBCode]) }
        let baznasDinsos = try #require(pairs.first { codes($0) == ["BAZNAS", "DINSOS"] })
        #expect(baznasDinsos.households == 6)
        let withDinkes = pairs.filter { codes($0).contains("DINKES") }
        #expect(withDinkes.count == 2)
        #expect(withDinkes.allSatisfy { $0.households == nil }, "2 shared households are a small cell")
        #expect(pairs.first == baznasDinsos, "most shared first")
        #expect(
            try await f.tx("bupati") { tx in try await tx.dashboard.agencyPairs(year: try FiscalYear(2018)) }
                .isEmpty)
    }

    @Test("the poorest not reached: direct truth where shown, small cells and their complements hidden")
    func poorest() async throws {
        let (f, households) = try await Self.seeded("store_dash_poorest")
        let reached = Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map { households[$0].id })
        let (districts, villages) = try await f.tx("bupati") { tx in
            (
                try await tx.dashboard.poorestNotReached(year: Self.year, district: nil),
                try await tx.dashboard.poorestNotReached(year: Self.year, district: try RegionCode("16.06.01"))
            )
        }
        #expect(districts.count == 15 || districts.allSatisfy { $0.regionCode.count == 8 })
        #expect(villages.allSatisfy { $0.regionCode.hasPrefix("16.06.01.") })
        for level in [districts, villages] {
            for region in level {
                let poorest = households.filter { $0.decile <= 2 && $0.village.hasPrefix(region.regionCode) }
                let notReached = poorest.filter { !reached.contains($0.id) }.count
                let wasReached = poorest.count - notReached
                if let shown = region.notReached {
                    #expect(shown == notReached, "\(region.regionCode)")
                    #expect(shown >= 5)
                    #expect(!(1...4).contains(wasReached), "would reveal a small reached count")
                }
                if let registry = region.registryHouseholds {
                    #expect(registry == poorest.count && registry >= 5)
                }
            }
            // Never exactly one hidden cell among siblings.
            #expect(level.filter { $0.notReached == nil }.count != 1)
            #expect(level.filter { $0.registryHouseholds == nil }.count != 1)
            // Most not reached first.
            let shown = level.compactMap(\.notReached)
            #expect(shown == shown.sorted(by: >))
        }
        // The coordinator of Sekayu sees only Sekayu.
        let sekayu = try await f.tx("sekayu") { tx in
            try await tx.dashboard.poorestNotReached(year: Self.year, district: nil)
        }
        #expect(sekayu.map(\.regionCode) == ["16.06.01"])
    }

    @Test("reporting completeness of a quarter and the meeting pack's sections")
    func meetingPack() async throws {
        let (f, _) = try await Self.seeded("store_dash_rakor")
        let q4 = try Quarter("2019-Q4")
        let (reporting, pack, pack2018, quarter) = try await f.tx("dinsos") { tx in
            (
                try await tx.dashboard.reporting(period: q4), try await tx.dashboard.meetingPack(period: q4),
                try await tx.dashboard.meetingPack(period: try Quarter("2018-Q4")),
                try await tx.dashboard.reportingQuarter(year: Self.year)
            )
        }
        #expect(quarter == q4, "the latest quarter with a submitted report")
        let baznasStatus = try #require(reporting.first { $0.agencyCode == "BAZNAS" })
        #expect(baznasStatus.complete && baznasStatus.submitted == 1 && baznasStatus.programmes == 1)
        let dinsosStatus = try #require(reporting.first { $0.agencyCode == "DINSOS" })
        #expect(!dinsosStatus.complete && dinsosStatus.submitted == 0 && dinsosStatus.programmes == 4)

        #expect(pack.period == "2019-Q4" && pack.year == 2019 && pack.scopeName == "Kabupaten Musi Banyuasin")
        #expect(pack.agencies.map(\.agencyCode) == pack.agencies.map(\.agencyCode).sorted())
        let baznas = try #require(pack.agencies.first { $0.agencyCode == "BAZNAS" })
        #expect(baznas.allocatedIDR == 140_000_000 && baznas.realizedIDR == 140_000_000)
        #expect(baznas.householdsReached == 7)
        let house = try #require(baznas.programmes.first { $0.programCode == "BEDAH-RUMAH" })
        #expect(house.outputQuantity == 7 && house.unit == "rumah")
        #expect(house.reportStatus == "submitted" && house.narrative == "7 rumah selesai direnovasi <bersama warga>.")
        #expect(house.achievedQuantity == 7)
        // Deciles: 7 households, each shown cell at least 5, never exactly one hidden.
        #expect(baznas.byDecile.count == 10)
        let cells = baznas.byDecile + [baznas.outsideRegistry]
        #expect(cells.compactMap { $0 }.allSatisfy { $0 == 0 || $0 >= 5 })
        #expect(cells.filter { $0 == nil }.count != 1)

        // Realised up to the quarter's end only: the demo's December realisation is not in Q3.
        let q3 = try await f.tx("bupati") { tx in try await tx.dashboard.meetingPack(period: try Quarter("2019-Q3")) }
        #expect(q3.agencies.first { $0.agencyCode == "BAZNAS" }?.realizedIDR == 0)
        let dinsos2018 = try #require(pack2018.agencies.first { $0.agencyCode == "DINSOS" })
        #expect(dinsos2018.allocatedIDR == 350_000_000 && dinsos2018.realizedIDR == 332_000_000)
        #expect(dinsos2018.realizationRate.map { ($0 * 1000).rounded() } == 949)

        let refused = await databaseError {
            _ = try await f.tx("baznas") { tx in try await tx.dashboard.meetingPack(period: q4) }
        }
        #expect(refused == .forbidden)
    }

    @Test("the dashboard's tables follow every summary rebuild")
    func followsRefresh() async throws {
        let (f, households) = try await Self.seeded("store_dash_follow")
        let before = try await f.tx("bupati") { tx in try await tx.dashboard.agencyPairs(year: Self.year) }
        try await f.database.withAdmin { c in
            try await c.execute(script: "SET session_replication_role = replica")
            for pick in 2...6 {
                try await c.query(
                    """
                    INSERT INTO padu.deliveries (program_id, agency_id, kk, household_id, delivered_on)
                    SELECT \(f.programs["PMT-BALITA"]!), \(f.agencies["DINKES"]!), k.kk, \(households[pick].id),
                           '2019-08-01'
                      FROM padu.household_kk k WHERE k.household_id = \(households[pick].id) LIMIT 1
                    """)
            }
        }
        _ = try await f.tx("admin") { tx in try await tx.summary.refresh() }
        let after = try await f.tx("bupati") { tx in try await tx.dashboard.agencyPairs(year: Self.year) }
        #expect(before != after)
        let pair = after.first { Set([$0.agencyACode, $0.agencyBCode]) == ["BAZNAS", "DINKES"] }
        #expect(pair?.households == 7)
    }

    @Test(
        "a drain of the summary leaves the dashboard's tables alone; the slower refresh follows, without reversed deliveries"
    )
    func followsSlowly() async throws {
        let (f, households) = try await Self.seeded("store_dash_slowly")
        func shared() async throws -> Int? {
            let pairs: [AgencyPair] = try await f.tx("bupati") { tx in
                try await tx.dashboard.agencyPairs(year: Self.year)
            }
            return pairs.first { Set([$0.agencyACode, $0.agencyBCode]) == ["BAZNAS", "DINSOS"] }?.households
        }
        #expect(try await shared() == 6)
        let dashboardAsOf: PQQuery = "SELECT as_of::text FROM padu.dashboard_state"
        let (asOf, drained) = try await f.database.withAdmin { c -> (String?, Int64?) in
            let asOf = try await c.query(dashboardAsOf).first(String.self)
            // Baznas' delivery to household 0, which Dinsos also served, is reversed.
            try await c.query(
                """
                INSERT INTO padu.delivery_reversals (delivery_id, reason)
                SELECT id, 'dicatat ganda' FROM padu.deliveries
                 WHERE program_id = \(f.programs["BEDAH-RUMAH"]!) AND household_id = \(households[0].id)
                """)
            return (asOf, try await c.query("SELECT padu.refresh_summary_if_changed()").first(Int64?.self) ?? nil)
        }
        #expect(drained != nil, "the reversal queued its cell and the drain recomputed it")
        let (afterDrain, tooSoon, refreshed, again) = try await f.database.withAdmin {
            c -> (String?, Int64?, Int64?, Int64?) in
            (
                try await c.query(dashboardAsOf).first(String.self),
                try await c.query("SELECT padu.refresh_dashboard_if_stale(3600)").first(Int64?.self) ?? nil,
                try await c.query("SELECT padu.refresh_dashboard_if_stale(0)").first(Int64?.self) ?? nil,
                try await c.query("SELECT padu.refresh_dashboard_if_stale(0)").first(Int64?.self) ?? nil
            )
        }
        #expect(afterDrain == asOf, "a drain does not rebuild the dashboard's tables")
        #expect(tooSoon == nil, "not more often than asked")
        #expect(refreshed != nil, "the summary moved on: the dashboard follows")
        #expect(again == nil, "up to date: nothing to do")
        #expect(try await shared() == 5, "the reversed delivery counts nowhere")
    }

    @Test("the refresher waits at least four times as long as the last refresh took (0104)")
    func pacedByItsCost() async throws {
        let f = try await Fixture.shared("store_dash_paced")
        // The summary moved on a minute and a half after the dashboard's last refresh.
        func refresh(lastTook milliseconds: Int64, ago seconds: Int, minimum: Int32) async throws -> Int64? {
            try await f.database.withAdmin { c in
                try await c.query(
                    """
                    UPDATE padu.dashboard_state SET as_of = now() - make_interval(secs => \(Int32(seconds))),
                           refresh_ms = \(milliseconds)
                    """)
                try await c.query(
                    "UPDATE padu.summary_state SET as_of = now() - make_interval(secs => \(Int32(seconds - 90)))")
                return try await c.query("SELECT padu.refresh_dashboard_if_stale(\(minimum))").first(Int64?.self) ?? nil
            }
        }
        #expect(try await refresh(lastTook: 500, ago: 120, minimum: 60) != nil, "cheap: the minute applies")
        #expect(try await refresh(lastTook: 59_000, ago: 120, minimum: 60) == nil, "59 s: not before 236 s")
        #expect(try await refresh(lastTook: 59_000, ago: 240, minimum: 60) != nil, "59 s, 240 s ago: due")
        #expect(try await refresh(lastTook: 59_000, ago: 120, minimum: 0) != nil, "0 asks for it now")
    }
}
