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
            var problems = Problems()
            let year = problems.fiscalYear(problems.require(body.fiscalYear, "fiscal_year"), "fiscal_year")
            let month = problems.require(body.month, "month").flatMap { value in
                problems.check("month") { try Month(value) }
            }
            let amount = problems.money(problems.require(body.amountIDR, "amount_idr"), "amount_idr")
            problems.count(body.outputQuantity, "output_quantity")
            let chosenSource = problems.choice(body.fundingSource, "funding_source", as: FundingSource.self)
            if body.overBudgetReason != nil { problems.text(body.overBudgetReason, "over_budget_reason", max: 1000) }
            guard let year, let month, let amount, problems.isEmpty else { throw problems.failure }
            _ = try await transaction.workableProgramme(id)
            return try await services.idempotent(request, body: bytes, in: transaction) {
                let source: FundingSource
                if let chosenSource {
                    source = chosenSource
                } else {
                    let sources = try await transaction.budgets.sources(programID: id, year: year)
                    guard sources.count == 1 else {
                        throw APIError.validation(
                            field: "funding_source",
                            problem: "is required: the programme has \(sources.count) funding sources for \(year)")
                    }
                    source = sources[0]
                }
                let realization = try await transaction.budgets.addRealization(
                    programID: id,
                    NewRealization(
                        year: year, month: month, source: source, amount: amount, output: body.outputQuantity,
                        overBudgetReason: body.overBudgetReason))
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
                } catch DatabaseError.duplicate {
                    throw APIError.conflict("this realization is already reversed")
                }
            }
        }
    }
}
