import Foundation
import PQ

/// A programme's progress report for a quarter.
public struct ProgressReport: Codable, Sendable, Equatable {
    public var programID: Int64
    public var agencyID: Int64
    public var period: String
    public var targetQuantity: Int64?
    public var achievedQuantity: Int64?
    public var narrative: String?
    public var status: String
    public var submittedAt: Date?
    public var updatedAt: Date
}

/// The reports of a period with the agencies that have not submitted.
public struct ReportListing: Codable, Sendable {
    public var period: String
    public var items: [ProgressReport]
    /// Agencies in scope with programmes but no submitted report for the period (executive, admin).
    public var missing: [String]?
}

public struct ReportingPeriod: Codable, Sendable, Equatable {
    public var period: String
    public var status: String
    public var closedAt: Date?
}

/// Quarterly progress reports and reporting periods.
public enum ReportStore {
    static let columns: PQFragment = """
        program_id, agency_id, period, target_quantity, achieved_quantity, narrative, status, submitted_at, updated_at
        """

    /// Creates or replaces the report; a submitted report of a closed period is refused by the database.
    public static func put(
        programID: Int64, period: String, target: Int64?, achieved: Int64?, narrative: String?, status: String,
        on connection: PQConnection
    ) async throws -> (ProgressReport, created: Bool) {
        let results = try await connection.pipeline([
            "SELECT padu.ensure_period(\(period))",
            """
            INSERT INTO padu.progress_reports (program_id, period, target_quantity, achieved_quantity, narrative, status,
                                               submitted_at)
            VALUES (\(programID), \(period), \(target), \(achieved), \(narrative), \(status),
                    CASE WHEN \(status) = 'submitted' THEN now() END)
            ON CONFLICT (program_id, period) DO UPDATE SET
                target_quantity = EXCLUDED.target_quantity, achieved_quantity = EXCLUDED.achieved_quantity,
                narrative = EXCLUDED.narrative, status = EXCLUDED.status,
                submitted_at = CASE WHEN EXCLUDED.status = 'submitted'
                                    THEN coalesce(progress_reports.submitted_at, now()) END
            RETURNING \(columns), (xmax = 0) AS created
            """,
        ])
        let row = results[1][0]
        return (try row.decode(as: ProgressReport.self), try row.decode(Bool.self, column: "created"))
    }

    /// Reports of the period visible to the caller; with `withMissing`, the agencies in the
    /// caller's scope that have programmes and no submitted report.
    public static func list(period: String, withMissing: Bool, on connection: PQConnection) async throws
        -> ReportListing
    {
        let reports = try await connection.query(
            "SELECT \(columns) FROM padu.progress_reports WHERE period = \(period) ORDER BY agency_id, program_id"
        ).decode(as: ProgressReport.self)
        var missing: [String]?
        if withMissing {
            missing = try await connection.query(
                """
                SELECT a.name FROM padu.agencies a
                 WHERE a.id = ANY (padu.agencies_in_scope())
                   AND EXISTS (SELECT 1 FROM padu.programs p WHERE p.agency_id = a.id)
                   AND NOT EXISTS (SELECT 1 FROM padu.progress_reports r
                                    WHERE r.agency_id = a.id AND r.period = \(period) AND r.status = 'submitted')
                 ORDER BY a.name
                """
            ).decode(String.self)
        }
        return ReportListing(period: period, items: reports, missing: missing)
    }

    public static func periods(on connection: PQConnection) async throws -> [ReportingPeriod] {
        try await connection.query("SELECT period, status, closed_at FROM padu.reporting_periods ORDER BY period")
            .decode(as: ReportingPeriod.self)
    }

    public static func setPeriod(_ period: String, closed: Bool, on connection: PQConnection) async throws
        -> ReportingPeriod
    {
        try await connection.query(
            """
            INSERT INTO padu.reporting_periods (period, status, closed_at)
            VALUES (\(period), \(closed ? "closed" : "open"), CASE WHEN \(closed) THEN now() END)
            ON CONFLICT (period) DO UPDATE SET status = EXCLUDED.status, closed_at = EXCLUDED.closed_at
            RETURNING period, status, closed_at
            """
        )[0].decode(as: ReportingPeriod.self)
    }
}
