import Foundation
import PQ

/// One budget line: a programme's allocation (pagu) for a year from a funding source.
public struct BudgetAllocation: Codable, Sendable, Equatable {
    public var fundingSource: String
    public var allocatedIDR: Int64

    public init(fundingSource: String, allocatedIDR: Int64) {
        self.fundingSource = fundingSource
        self.allocatedIDR = allocatedIDR
    }
}

/// A programme's budget for a year.
public struct YearBudget: Codable, Sendable, Equatable {
    public var programID: Int64
    public var fiscalYear: Int
    public var allocations: [BudgetAllocation]
    public var allocatedIDR: Int64
}

/// A month's realised spending and output.
public struct Realization: Codable, Sendable, Equatable {
    public var id: Int64
    public var programID: Int64
    public var fiscalYear: Int
    public var month: Int
    public var fundingSource: String
    public var amountIDR: Int64
    public var outputQuantity: Int64?
    public var overBudgetReason: String?
    public var createdAt: Date
}

/// Budgets (pagu) and realisation (realisasi) of programmes.
public enum BudgetStore {
    /// Replaces the year's allocations of a programme the caller owns.
    public static func replace(
        programID: Int64, year: Int, allocations: [BudgetAllocation], on connection: PQConnection
    ) async throws -> YearBudget {
        let sources = allocations.map(\.fundingSource)
        let amounts = allocations.map(\.allocatedIDR)
        try await connection.pipeline([
            // Sources kept are updated in place, so the database sees a lowered budget as lowered
            // (below what is realised it needs a reason, migration 0018).
            """
            DELETE FROM padu.budget_allocations
             WHERE program_id = \(programID) AND fiscal_year = \(Int16(year)) AND funding_source <> ALL (\(sources)::text[])
            """,
            """
            INSERT INTO padu.budget_allocations (program_id, fiscal_year, funding_source, allocated_idr)
            SELECT \(programID), \(Int16(year)), s, a FROM unnest(\(sources)::text[], \(amounts)::int8[]) AS x(s, a)
            ON CONFLICT (program_id, fiscal_year, funding_source) DO UPDATE
                SET allocated_idr = EXCLUDED.allocated_idr, below_realised_reason = EXCLUDED.below_realised_reason
            """,
        ])
        return try await budget(programID: programID, year: year, on: connection)
    }

    public static func budget(programID: Int64, year: Int, on connection: PQConnection) async throws -> YearBudget {
        let rows = try await connection.query(
            """
            SELECT funding_source, allocated_idr FROM padu.budget_allocations
             WHERE program_id = \(programID) AND fiscal_year = \(Int16(year)) ORDER BY funding_source
            """
        ).decode(as: BudgetAllocation.self)
        return YearBudget(
            programID: programID, fiscalYear: year, allocations: rows,
            allocatedIDR: rows.reduce(0) { $0 + $1.allocatedIDR })
    }

    /// Funding sources with an allocation for the year.
    public static func sources(programID: Int64, year: Int, on connection: PQConnection) async throws -> [String] {
        try await connection.query(
            """
            SELECT funding_source FROM padu.budget_allocations
             WHERE program_id = \(programID) AND fiscal_year = \(Int16(year)) ORDER BY funding_source
            """
        ).decode(String.self)
    }

    static let realizationColumns: PQFragment = """
        id, program_id, fiscal_year::int4 AS fiscal_year, month::int4 AS month, funding_source, amount_idr,
        output_quantity, over_budget_reason, created_at
        """

    public static func addRealization(
        programID: Int64, year: Int, month: Int, source: String, amount: Int64, output: Int64?, reason: String?,
        on connection: PQConnection
    ) async throws -> Realization {
        try await connection.query(
            """
            INSERT INTO padu.realizations (program_id, fiscal_year, month, funding_source, amount_idr, output_quantity,
                                           over_budget_reason)
            VALUES (\(programID), \(Int16(year)), \(Int16(month)), \(source), \(amount), \(output), \(reason))
            RETURNING \(realizationColumns)
            """
        )[0].decode(as: Realization.self)
    }

    public static func realizations(programID: Int64, year: Int?, on connection: PQConnection) async throws
        -> [Realization]
    {
        try await connection.query(
            """
            SELECT \(realizationColumns) FROM padu.realizations
             WHERE program_id = \(programID) AND (\(year.map(Int16.init)) IS NULL OR fiscal_year = \(year.map(Int16.init)))
             ORDER BY fiscal_year, month, funding_source
            """
        ).decode(as: Realization.self)
    }
}
