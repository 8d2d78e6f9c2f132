import Foundation
import PQ

/// The executive aggregates, read from the precomputed summary tables for the caller's scope.
public enum SummaryStore {
    /// The summary as JSON (snake_case keys, the API's shape).
    public static func summary(year: Int, period: String, on connection: PQConnection) async throws -> String {
        try await connection.query("SELECT padu.summary(\(Int32(year)), \(period))::text").first(String.self) ?? "{}"
    }

    public struct RegionRow: Sendable {
        public var code: String
        public var name: String
        public var registryHouseholds: Int?
        public var householdsReached: Int?
        public var decile1To4Reached: Int?
        public var valueDeliveredIDR: Int64?
    }

    /// Districts (level 3) or villages (level 4) of the caller's scope, and when the figures
    /// were computed: one round trip.
    public static func regions(year: Int, level: Int, on connection: PQConnection) async throws
        -> (rows: [RegionRow], asOf: Date?)
    {
        let results = try await connection.pipeline([
            """
            SELECT region_code, region, registry_households, households_reached, decile_1_4_households_reached,
                   value_delivered_idr
              FROM padu.summary_regions(\(Int32(year)), \(Int32(level)))
            """,
            "SELECT as_of FROM padu.summary_state",
        ])
        let rows = try results[0].decode((String, String, Int?, Int?, Int?, Int64?).self).map {
            RegionRow(
                code: $0.0, name: $0.1, registryHouseholds: $0.2, householdsReached: $0.3, decile1To4Reached: $0.4,
                valueDeliveredIDR: $0.5)
        }
        return (rows, try results[1].first(Date?.self) ?? nil)
    }

    /// When the figures were computed; nil before the first refresh.
    public static func asOf(on connection: PQConnection) async throws -> Date? {
        try await connection.query("SELECT as_of FROM padu.summary_state").first(Date?.self) ?? nil
    }

    /// Recomputes the summary tables now; returns the milliseconds it took.
    public static func refresh(on connection: PQConnection) async throws -> Int64 {
        try await connection.query("SELECT padu.refresh_summary()").first(Int64.self) ?? 0
    }

    /// Recomputes if anything changed since the last refresh; nil when nothing did.
    public static func refreshIfChanged(on connection: PQConnection) async throws -> Int64? {
        try await connection.query("SELECT padu.refresh_summary_if_changed()").first(Int64?.self) ?? nil
    }

    /// Fiscal years with budgets or deliveries, newest first (for the dashboard's selector).
    public static func years(on connection: PQConnection) async throws -> [Int] {
        try await connection.query(
            """
            SELECT DISTINCT fiscal_year::int4 FROM padu.summary_location
            UNION SELECT DISTINCT fiscal_year::int4 FROM padu.budget_allocations ORDER BY 1 DESC
            """
        ).decode(Int.self)
    }
}
