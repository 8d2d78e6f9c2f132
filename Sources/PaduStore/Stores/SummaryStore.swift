import Foundation
import PQ
import PaduCore

/// The executive aggregates, read from the precomputed summary tables for the caller's scope.
public struct SummaryStore: Sendable {
    let connection: PQConnection

    /// The summary of `year` (nil: the latest year with data in the caller's scope). Its
    /// `reporting` counts `period` (nil: the latest quarter of the year with a submitted report,
    /// else the current quarter this year and the fourth in other years; `padu.summary`).
    public func summary(year: FiscalYear? = nil, period: Quarter? = nil) async throws -> Summary {
        let json =
            try await connection.query(
                """
                SELECT (s || jsonb_build_object('by_regency', padu.summary_by_regency((s->>'year')::int)))::text
                  FROM padu.summary(\(year.map { Int32($0.year) }), \(period?.description)) AS s
                """
            ).first(String.self) ?? "{}"
        return try JSONCoding.decoder.decode(Summary.self, from: Data(json.utf8))
    }

    /// The latest year with deliveries, budgets or realisations in the caller's scope.
    public func latestYear() async throws -> FiscalYear {
        let year = try await connection.query("SELECT padu.summary_latest_year()").first(Int.self) ?? 2019
        return try FiscalYear(year)
    }

    /// Districts or villages of the caller's scope, and when the figures were computed: one round trip.
    public func regions(year: FiscalYear, level: RegionCode.Level) async throws
        -> (items: [RegionSummary], asOf: Date?)
    {
        let depth: Int32 = level == .village ? 4 : 3
        let results = try await connection.pipeline([
            """
            SELECT region_code, region, registry_households, households_reached, decile_1_4_households_reached,
                   value_delivered_idr
              FROM padu.summary_regions(\(Int32(year.year)), \(depth))
            """,
            "SELECT as_of FROM padu.summary_state",
        ])
        let items = try results[0].decode((String, String, Int?, Int?, Int?, Int64?).self).map {
            RegionSummary(
                regionCode: $0.0, region: $0.1, registryHouseholds: $0.2, householdsReached: $0.3,
                decile1To4HouseholdsReached: $0.4, valueDeliveredIDR: $0.5)
        }
        return (items, try results[1].first(Date?.self) ?? nil)
    }

    /// When the figures were computed; nil before the first refresh.
    public func asOf() async throws -> Date? {
        try await connection.query("SELECT as_of FROM padu.summary_state").first(Date?.self) ?? nil
    }

    /// Recomputes the summary tables now; returns the milliseconds it took.
    public func refresh() async throws -> Int64 {
        try await connection.query("SELECT padu.refresh_summary()").first(Int64.self) ?? 0
    }

    /// Recomputes if anything changed since the last refresh; nil when nothing did.
    public func refreshIfChanged() async throws -> Int64? {
        try await connection.query("SELECT padu.refresh_summary_if_changed()").first(Int64?.self) ?? nil
    }

    /// Rebuilds the dashboard's precomputed tables (0075) if the summary moved on since and they
    /// are older than `minimumAge`; the milliseconds it took, or nil when nothing was done.
    public func refreshDashboardIfStale(minimumAge: Duration) async throws -> Int64? {
        try await connection.query(
            "SELECT padu.refresh_dashboard_if_stale(\(Int32(clamping: minimumAge.components.seconds)))"
        ).first(Int64?.self) ?? nil
    }

    /// Fiscal years with budgets or deliveries, newest first (for the dashboard's selector).
    public func years() async throws -> [FiscalYear] {
        try await connection.query(
            """
            SELECT DISTINCT fiscal_year::int4 FROM padu.summary_location
            UNION SELECT DISTINCT fiscal_year::int4 FROM padu.budget_allocations ORDER BY 1 DESC
            """
        ).decode(Int.self).compactMap { try? FiscalYear($0) }
    }
}
