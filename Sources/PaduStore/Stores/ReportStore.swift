import Foundation
import PQ
import PaduCore

/// A programme's progress report for a quarter.
public struct ProgressReport: Codable, Sendable, Equatable {
    public var programID: Int64
    public var agencyID: Int64
    public var period: Quarter
    public var targetQuantity: Int64?
    public var achievedQuantity: Int64?
    public var narrative: String?
    public var status: ReportStatus
    public var submittedAt: Date?
    public var updatedAt: Date
}

/// A report as the agency writes it, validated.
public struct ReportContent: Sendable {
    public var target: Int64?
    public var achieved: Int64?
    public var narrative: String?
    public var status: ReportStatus

    public init(target: Int64?, achieved: Int64?, narrative: String?, status: ReportStatus) {
        self.target = target
        self.achieved = achieved
        self.narrative = narrative
        self.status = status
    }
}

/// The reports of a period with the agencies that have not submitted.
public struct ReportListing: Codable, Sendable {
    public var period: Quarter
    public var items: [ProgressReport]
    /// Agencies in scope with programmes but no submitted report for the period (executive, admin);
    /// for a coordinator, the agencies of `missingPrograms`.
    public var missing: [String]?
    /// A coordinator's: the programmes of the clusters it coordinates with no submitted report.
    public var missingPrograms: [MissingProgram]?
}

/// A programme of a coordinated cluster whose report for the period has not been submitted.
public struct MissingProgram: Codable, Sendable, Equatable {
    public var programID: Int64
    public var code: String
    public var program: String
    public var agency: String
}

public struct ReportingPeriod: Codable, Sendable, Equatable {
    public var period: Quarter
    public var status: PeriodStatus
    public var closedAt: Date?
}

/// Quarterly progress reports and reporting periods.
public struct ReportStore: Sendable {
    let connection: PQConnection

    static let columns: PQFragment = """
        program_id, agency_id, period, target_quantity, achieved_quantity, narrative, status, submitted_at, updated_at
        """

    /// Creates or replaces the report; a submitted report of a closed period is refused by the
    /// database (`DatabaseRule.closedPeriodReportFrozen`).
    public func put(programID: Int64, period: Quarter, _ report: ReportContent) async throws
        -> (ProgressReport, created: Bool)
    {
        let period = period.description
        let status = report.status.rawValue
        let results = try await connection.pipeline([
            "SELECT padu.ensure_period(\(period))",
            """
            INSERT INTO padu.progress_reports (program_id, period, target_quantity, achieved_quantity, narrative, status,
                                               submitted_at)
            VALUES (\(programID), \(period), \(report.target), \(report.achieved), \(report.narrative), \(status),
                    CASE WHEN \(status) = 'submitted' THEN now() END)
            ON CONFLICT (program_id, period) DO UPDATE SET
                target_quantity = EXCLUDED.target_quantity, achieved_quantity = EXCLUDED.achieved_quantity,
                narrative = EXCLUDED.narrative, status = EXCLUDED.status,
                submitted_at = CASE WHEN EXCLUDED.status = 'submitted'
                                    THEN coalesce(progress_reports.submitted_at, now()) END
            RETURNING \(Self.columns), (xmax = 0) AS created
            """,
        ])
        let row = results[1][0]
        return (try row.decode(as: ProgressReport.self), try row.decode(Bool.self, column: "created"))
    }

    /// Reports of the period visible to the caller (a coordinator's include those of its
    /// clusters' programmes: row-level security, 0041); with `withMissing`, the agencies in the
    /// caller's scope that have programmes and no submitted report; with `coordinated`, the
    /// programmes of the clusters the caller coordinates that have no submitted report.
    public func list(period: Quarter, withMissing: Bool, coordinated: Bool = false) async throws -> ReportListing {
        let text = period.description
        let reports = try await connection.query(
            "SELECT \(Self.columns) FROM padu.progress_reports WHERE period = \(text) ORDER BY agency_id, program_id"
        ).decode(as: ProgressReport.self)
        var missing: [String]?
        if withMissing {
            missing = try await connection.query(
                """
                SELECT a.name FROM padu.agencies a
                 WHERE a.id = ANY (padu.agencies_in_scope())
                   AND EXISTS (SELECT 1 FROM padu.programs p WHERE p.agency_id = a.id)
                   AND NOT EXISTS (SELECT 1 FROM padu.progress_reports r
                                    WHERE r.agency_id = a.id AND r.period = \(text) AND r.status = 'submitted')
                 ORDER BY a.name
                """
            ).decode(String.self)
        }
        var missingPrograms: [MissingProgram]?
        if coordinated {
            let programs = try await connection.query(
                """
                SELECT p.id AS program_id, p.code, p.name AS program, a.name AS agency
                  FROM padu.programs p JOIN padu.agencies a ON a.id = p.agency_id
                 WHERE p.cluster_id = ANY (padu.coordinated_clusters()) AND p.agency_id = ANY (padu.regency_agencies())
                   AND NOT EXISTS (SELECT 1 FROM padu.progress_reports r
                                    WHERE r.program_id = p.id AND r.period = \(text) AND r.status = 'submitted')
                 ORDER BY a.name, p.name, p.id
                """
            ).decode(as: MissingProgram.self)
            missingPrograms = programs
            var agencies: [String] = []
            for program in programs where agencies.last != program.agency { agencies.append(program.agency) }
            missing = agencies
        }
        return ReportListing(period: period, items: reports, missing: missing, missingPrograms: missingPrograms)
    }

    public func periods() async throws -> [ReportingPeriod] {
        try await connection.query("SELECT period, status, closed_at FROM padu.reporting_periods ORDER BY period")
            .decode(as: ReportingPeriod.self)
    }

    public func setPeriod(_ period: Quarter, _ status: PeriodStatus) async throws -> ReportingPeriod {
        let closed = status == .closed
        return try await connection.query(
            """
            INSERT INTO padu.reporting_periods (period, status, closed_at)
            VALUES (\(period.description), \(status.rawValue), CASE WHEN \(closed) THEN now() END)
            ON CONFLICT (period) DO UPDATE SET status = EXCLUDED.status, closed_at = EXCLUDED.closed_at
            RETURNING period, status, closed_at
            """
        )[0].decode(as: ReportingPeriod.self)
    }
}
