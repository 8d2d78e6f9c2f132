import Foundation
import PQ
import PaduCore

/// One budget line: a programme's allocation (pagu) for a year from a funding source.
public struct BudgetAllocation: Codable, Sendable, Equatable {
    public var fundingSource: FundingSource
    public var allocatedIDR: Rupiah

    public init(fundingSource: FundingSource, allocatedIDR: Rupiah) {
        self.fundingSource = fundingSource
        self.allocatedIDR = allocatedIDR
    }
}

/// A programme's budget for a year.
public struct YearBudget: Codable, Sendable, Equatable {
    public var programID: Int64
    public var fiscalYear: FiscalYear
    public var allocations: [BudgetAllocation]
    public var allocatedIDR: Rupiah
}

/// A month's realised spending and output.
public struct Realization: Codable, Sendable, Equatable {
    public var id: Int64
    public var programID: Int64
    public var fiscalYear: FiscalYear
    public var month: Month
    public var fundingSource: FundingSource
    public var amountIDR: Rupiah
    public var outputQuantity: Int64?
    public var overBudgetReason: String?
    public var createdAt: Date
    /// A reversed realisation stays listed; totals, budget rules and the summary no longer count it.
    public var reversed: Bool
    public var reversalReason: String?
}

/// A correction: the realisation it reverses, why, and when.
public struct RealizationReversal: Codable, Sendable, Equatable {
    public var realizationID: Int64
    public var reason: String
    public var reversedAt: Date
}

/// A month's realisation as an agency reports it, validated.
public struct NewRealization: Sendable {
    public var year: FiscalYear
    public var month: Month
    public var source: FundingSource
    public var amount: Rupiah
    public var output: Int64?
    public var overBudgetReason: String?

    public init(
        year: FiscalYear, month: Month, source: FundingSource, amount: Rupiah, output: Int64?,
        overBudgetReason: String?
    ) {
        self.year = year
        self.month = month
        self.source = source
        self.amount = amount
        self.output = output
        self.overBudgetReason = overBudgetReason
    }
}

/// Budgets (pagu) and realisation (realisasi) of programmes.
public struct BudgetStore: Sendable {
    let connection: PQConnection

    /// Replaces the year's allocations of a programme the caller owns. Sources kept are
    /// updated in place, so the database sees a lowered budget as lowered: below what is
    /// realised it needs `belowRealisedReason` (`DatabaseRule.overBudgetNeedsReason`, 0018).
    public func replace(
        programID: Int64, year: FiscalYear, allocations: [BudgetAllocation], belowRealisedReason: String? = nil
    ) async throws -> YearBudget {
        let sources = allocations.map(\.fundingSource.rawValue)
        let amounts = allocations.map(\.allocatedIDR.amount)
        try await connection.pipeline([
            """
            DELETE FROM padu.budget_allocations
             WHERE program_id = \(programID) AND fiscal_year = \(year.int16) AND funding_source <> ALL (\(sources)::text[])
            """,
            """
            INSERT INTO padu.budget_allocations (program_id, fiscal_year, funding_source, allocated_idr,
                                                 below_realised_reason)
            SELECT \(programID), \(year.int16), s, a, \(belowRealisedReason)
              FROM unnest(\(sources)::text[], \(amounts)::int8[]) AS x(s, a)
            ON CONFLICT (program_id, fiscal_year, funding_source) DO UPDATE
                SET allocated_idr = EXCLUDED.allocated_idr, below_realised_reason = EXCLUDED.below_realised_reason
            """,
        ])
        return try await budget(programID: programID, year: year)
    }

    public func budget(programID: Int64, year: FiscalYear) async throws -> YearBudget {
        let rows = try await connection.query(
            """
            SELECT funding_source, allocated_idr FROM padu.budget_allocations
             WHERE program_id = \(programID) AND fiscal_year = \(year.int16) ORDER BY funding_source
            """
        ).decode(as: BudgetAllocation.self)
        return YearBudget(
            programID: programID, fiscalYear: year, allocations: rows,
            allocatedIDR: rows.map(\.allocatedIDR).sum())
    }

    /// Every year's budget of the programme, oldest first (the programme page's table).
    public func budgets(programID: Int64) async throws -> [YearBudget] {
        let rows = try await connection.query(
            """
            SELECT fiscal_year::int4, funding_source, allocated_idr FROM padu.budget_allocations
             WHERE program_id = \(programID) ORDER BY fiscal_year, funding_source
            """
        ).decode((Int, String, Int64).self)
        var years: [YearBudget] = []
        for (year, source, amount) in rows {
            guard let source = FundingSource(rawValue: source) else { continue }
            let fiscalYear = try FiscalYear(year)
            let allocation = BudgetAllocation(fundingSource: source, allocatedIDR: Rupiah(signed: amount))
            if years.last?.fiscalYear == fiscalYear {
                years[years.count - 1].allocations.append(allocation)
                years[years.count - 1].allocatedIDR = years[years.count - 1].allocatedIDR + allocation.allocatedIDR
            } else {
                years.append(
                    YearBudget(
                        programID: programID, fiscalYear: fiscalYear, allocations: [allocation],
                        allocatedIDR: allocation.allocatedIDR))
            }
        }
        return years
    }

    /// Funding sources with an allocation for the year.
    public func sources(programID: Int64, year: FiscalYear) async throws -> [FundingSource] {
        try await connection.query(
            """
            SELECT funding_source FROM padu.budget_allocations
             WHERE program_id = \(programID) AND fiscal_year = \(year.int16) ORDER BY funding_source
            """
        ).decode(String.self).compactMap(FundingSource.init(rawValue:))
    }

    static let realizationColumns: PQFragment = """
        id, program_id, fiscal_year::int4 AS fiscal_year, month::int4 AS month, funding_source, amount_idr,
        output_quantity, over_budget_reason, created_at, reversed
        """

    public func addRealization(programID: Int64, _ realization: NewRealization) async throws -> Realization {
        try await connection.query(
            """
            INSERT INTO padu.realizations (program_id, fiscal_year, month, funding_source, amount_idr, output_quantity,
                                           over_budget_reason)
            VALUES (\(programID), \(realization.year.int16), \(Int16(realization.month.number)),
                    \(realization.source.rawValue), \(realization.amount.amount), \(realization.output),
                    \(realization.overBudgetReason))
            RETURNING \(Self.realizationColumns), NULL::text AS reversal_reason
            """
        )[0].decode(as: Realization.self)
    }

    public func realizations(programID: Int64, year: FiscalYear?) async throws -> [Realization] {
        try await connection.query(
            """
            SELECT \(Self.realizationColumns), x.reason AS reversal_reason
              FROM padu.realizations LEFT JOIN padu.realization_reversals x ON x.realization_id = id
             WHERE program_id = \(programID) AND (\(year?.int16) IS NULL OR fiscal_year = \(year?.int16))
             ORDER BY fiscal_year, month, funding_source, id
            """
        ).decode(as: Realization.self)
    }

    /// Reverses a realisation of the programme, with a reason. Nil when the caller cannot see such
    /// a realisation; a second reversal throws `DatabaseError.duplicate`. The month and source may
    /// then be recorded anew.
    public func reverseRealization(programID: Int64, realizationID: Int64, reason: String) async throws
        -> RealizationReversal?
    {
        let rows = try await connection.query(
            """
            INSERT INTO padu.realization_reversals (realization_id, reason)
            SELECT r.id, \(reason) FROM padu.realizations r WHERE r.id = \(realizationID) AND r.program_id = \(programID)
            RETURNING realization_id, reason, reversed_at
            """
        ).decode(as: RealizationReversal.self)
        guard let reversal = rows.first else { return nil }
        try await connection.query(
            """
            SELECT padu.audit('reverse', 'realization', \(String(realizationID)),
                              jsonb_build_object('reason', \(reason)::text))
            """)
        return reversal
    }
}

extension FiscalYear {
    /// As the schema stores it (`int2`); the range 2000...2100 fits.
    var int16: Int16 { Int16(year) }
}
