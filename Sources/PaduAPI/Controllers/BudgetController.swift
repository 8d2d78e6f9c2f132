import Foundation
import Hummingbird
import PaduCore
import PaduStore

/// `/api/v1/programs/{id}/budgets` and `/realizations`: pagu per year and source, monthly realisation.
struct BudgetController: Sendable {
    let services: APIServices

    struct BudgetBody: Decodable {
        struct Line: Decodable {
            var fundingSource: String?
            var allocatedIDR: Int64?
        }
        var allocations: [Line]?
        /// Why the budget goes below what is already realised (only then required).
        var belowRealisedReason: String?

        /// The allocations and the reason, every problem named in one answer.
        func validated() throws -> (allocations: [BudgetAllocation], belowRealisedReason: String?) {
            var problems = Problems()
            var seen = Set<FundingSource>()
            var result: [BudgetAllocation] = []
            for (index, line) in (problems.require(allocations, "allocations") ?? []).enumerated() {
                let field = "allocations[\(index)]"
                let source = problems.choice(
                    problems.require(line.fundingSource, field + ".funding_source"), field + ".funding_source",
                    as: FundingSource.self)
                if let source, !seen.insert(source).inserted {
                    problems.add(field + ".funding_source", "appears twice")
                }
                let amount = problems.money(
                    problems.require(line.allocatedIDR, field + ".allocated_idr"), field + ".allocated_idr")
                if let source, let amount {
                    result.append(BudgetAllocation(fundingSource: source, allocatedIDR: amount))
                }
            }
            let reason = problems.text(belowRealisedReason, "below_realised_reason", max: 1000)
            try problems.throwIfAny()
            return (result, reason)
        }
    }

    struct RealizationBody: Decodable {
        var fiscalYear: Int?
        var month: Int?
        var amountIDR: Int64?
        var outputQuantity: Int64?
        var fundingSource: String?
        var overBudgetReason: String?

        /// A realisation as the rules accept it; `source` is nil when none was named
        /// (`BudgetController.newRealization` then takes the year's only one).
        struct Valid: Sendable {
            var year: FiscalYear
            var month: Month
            var amount: Rupiah
            var output: Int64?
            var source: FundingSource?
            var overBudgetReason: String?
        }

        /// The values, every problem named in one answer.
        func validated() throws -> Valid {
            var problems = Problems()
            let year = problems.fiscalYear(problems.require(fiscalYear, "fiscal_year"), "fiscal_year")
            let month = problems.require(month, "month").flatMap { value in
                problems.check("month") { try Month(value) }
            }
            let amount = problems.money(problems.require(amountIDR, "amount_idr"), "amount_idr")
            problems.count(outputQuantity, "output_quantity")
            let source = problems.choice(fundingSource, "funding_source", as: FundingSource.self)
            if overBudgetReason != nil { problems.text(overBudgetReason, "over_budget_reason", max: 1000) }
            guard let year, let month, let amount, problems.isEmpty else { throw problems.failure }
            return Valid(
                year: year, month: month, amount: amount, output: outputQuantity, source: source,
                overBudgetReason: overBudgetReason)
        }
    }

    /// The realisation to record: a funding source not named is the year's only one; with none
    /// or several, 422 on `funding_source`.
    static func newRealization(_ valid: RealizationBody.Valid, programID: Int64, in transaction: PaduTransaction)
        async throws -> NewRealization
    {
        let source: FundingSource
        if let chosen = valid.source {
            source = chosen
        } else {
            let sources = try await transaction.budgets.sources(programID: programID, year: valid.year)
            guard sources.count == 1 else {
                throw APIError.validation(
                    field: "funding_source",
                    problem: "is required: the programme has \(sources.count) funding sources for \(valid.year)")
            }
            source = sources[0]
        }
        return NewRealization(
            year: valid.year, month: valid.month, source: source, amount: valid.amount, output: valid.output,
            overBudgetReason: valid.overBudgetReason)
    }

    func register(on router: RouteRegistrar) {
        router.put("/api/v1/programs/:id/budgets/:year", use: replaceBudget)
        router.get("/api/v1/programs/:id/budgets/:year", use: budget)
        router.post("/api/v1/programs/:id/realizations", use: addRealization)
        router.get("/api/v1/programs/:id/realizations", use: realizations)
        router.post("/api/v1/programs/:id/realizations/:realization_id/reversal", use: reverseRealization)
    }

    @Sendable func replaceBudget(_ request: Request, context: PaduRequestContext) async throws
        -> JSONResponse<YearBudget>
    {
        let id = try context.parameters.id("id")
        let year = try fiscalYear(context.parameters.get("year"))
        var request = request
        return try await services.transaction(request, context, readOnly: false, roles: .agencies) { transaction in
            let (body, _) = try await request.decodeJSON(BudgetBody.self, context: context)
            let (allocations, reason) = try body.validated()
            _ = try await transaction.workableProgramme(id)
            return JSONResponse(
                try await transaction.budgets.replace(
                    programID: id, year: year, allocations: allocations, belowRealisedReason: reason))
        }
    }

    @Sendable func budget(_ request: Request, context: PaduRequestContext) async throws -> JSONResponse<YearBudget> {
        let id = try context.parameters.id("id")
        let year = try fiscalYear(context.parameters.get("year"))
        return try await services.transaction(request, context, readOnly: true, roles: .agenciesAndAdmin) {
            transaction in
            _ = try await transaction.workableProgramme(id)
            return JSONResponse(try await transaction.budgets.budget(programID: id, year: year))
        }
    }

    @Sendable func addRealization(_ request: Request, context: PaduRequestContext) async throws -> RawResponse {
        let id = try context.parameters.id("id")
        var request = request
        return try await services.transaction(request, context, readOnly: false, roles: .agencies) { transaction in
            let (body, bytes) = try await request.decodeJSON(RealizationBody.self, context: context)
            let valid = try body.validated()
            _ = try await transaction.workableProgramme(id)
            return try await services.idempotent(request, body: bytes, in: transaction) {
                let realization = try await transaction.budgets.addRealization(
                    programID: id, try await Self.newRealization(valid, programID: id, in: transaction))
                return try encodeJSON(realization, status: .created)
            }
        }
    }

    @Sendable func realizations(_ request: Request, context: PaduRequestContext) async throws
        -> JSONResponse<Page<Realization>>
    {
        let id = try context.parameters.id("id")
        let year = try request.uri.queryParameters.get("year").map { try fiscalYear($0) }
        return try await services.transaction(request, context, readOnly: true, roles: .agenciesAndAdmin) {
            transaction in
            _ = try await transaction.workableProgramme(id)
            return JSONResponse(
                Page(items: try await transaction.budgets.realizations(programID: id, year: year), nextCursor: nil))
        }
    }

    /// Reverses one of the programme's realisations: it stays listed, and stops counting; the
    /// month and source may then be recorded anew.
    @Sendable func reverseRealization(_ request: Request, context: PaduRequestContext) async throws -> RawResponse {
        let id = try context.parameters.id("id")
        let realizationID = try context.parameters.id("realization_id")
        var request = request
        return try await services.transaction(request, context, readOnly: false, roles: .agencies) { transaction in
            let (body, bytes) = try await request.decodeJSON(DeliveryController.ReversalBody.self, context: context)
            let reason = try body.validated()
            _ = try await transaction.ownProgramme(id)
            return try await services.idempotent(request, body: bytes, in: transaction) {
                do {
                    guard
                        let reversal = try await transaction.budgets.reverseRealization(
                            programID: id, realizationID: realizationID, reason: reason)
                    else { throw APIError.notFound("realization") }
                    return try encodeJSON(reversal, status: .created)
                } catch {
                    throw DeliveryController.alreadyReversed(error, "this realization is already reversed")
                }
            }
        }
    }
}
