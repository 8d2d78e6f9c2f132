import Foundation
import PQ
import PaduCore

/// What the dashboard's second edition and the meeting pack read beyond the summary, for the
/// caller's scope: the database functions of migration 0075 (aggregates only, small cells null).
public struct DashboardStore: Sendable {
    let connection: PQConnection

    /// Per agency: realised and households reached in `year` and the year before.
    public func yearOverYear(year: FiscalYear) async throws -> [AgencyYearOverYear] {
        try await connection.query(
            """
            SELECT agency_id, agency_code, agency, realized_idr, realized_previous_idr, households_reached,
                   households_previous
              FROM padu.dashboard_year_over_year(\(Int32(year.year)))
            """
        ).decode(as: AgencyYearOverYear.self)
    }

    /// Pairs of agencies that served the same households in `year`, most shared first.
    public func agencyPairs(year: FiscalYear) async throws -> [AgencyPair] {
        try await connection.query(
            """
            SELECT agency_a_code, agency_a, agency_b_code, agency_b, households
              FROM padu.dashboard_agency_pairs(\(Int32(year.year)))
            """
        ).decode(as: AgencyPair.self)
    }

    /// Decile 1-2 registry households not reached in `year`: per kecamatan of the scope, or per
    /// desa of `district` (a kecamatan code, `16.06.01`); most not reached first.
    public func poorestNotReached(year: FiscalYear, district: RegionCode?) async throws -> [PoorestNotReached] {
        try await connection.query(
            """
            SELECT region_code, region, registry_households, not_reached
              FROM padu.dashboard_poorest_not_reached(\(Int32(year.year)), \(district?.description))
            """
        ).decode(as: PoorestNotReached.self)
    }

    /// Reporting completeness of `period` for each agency with programmes.
    public func reporting(period: Quarter) async throws -> [ReportingStatus] {
        try await connection.query(
            """
            SELECT agency_id, agency_code, agency, programmes, submitted, drafts, last_submitted_at
              FROM padu.dashboard_reporting(\(period.description))
            """
        ).decode(as: ReportingStatus.self)
    }

    /// The meeting pack of `period`.
    public func meetingPack(period: Quarter) async throws -> MeetingPack {
        let json =
            try await connection.query("SELECT padu.rakor(\(period.description))::text").first(String.self) ?? "{}"
        return try JSONCoding.decoder.decode(MeetingPack.self, from: Data(json.utf8))
    }

    /// Quarters that have a report or lie in `year`, newest first (for the quarter picker).
    public func quarters(year: FiscalYear) async throws -> [Quarter] {
        try await connection.query(
            """
            SELECT period FROM padu.reporting_periods
             WHERE starts_with(period, \(String(year.year)))
             ORDER BY period DESC
            """
        ).decode(String.self).compactMap { try? Quarter($0) }
    }

    /// The quarter whose reports a year's page counts: the latest of `year` with a submitted
    /// report; without one, the current quarter (in Jakarta) for the current year, else the fourth.
    public func reportingQuarter(year: FiscalYear, now: Date = Date()) async throws -> Quarter {
        let latest =
            try await connection.query(
                """
                SELECT max(period) FROM padu.progress_reports
                 WHERE starts_with(period, \(String(year.year))) AND status = 'submitted'
                """
            ).first(String?.self) ?? nil
        if let latest, let quarter = try? Quarter(latest) { return quarter }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 7 * 3600) ?? .gmt
        let today = calendar.dateComponents([.year, .month], from: now)
        let number = today.year == year.year ? ((today.month ?? 12) - 1) / 3 + 1 : 4
        return year.quarters[number - 1]
    }
}
