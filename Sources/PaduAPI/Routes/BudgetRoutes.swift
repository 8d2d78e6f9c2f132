import Foundation
import Hummingbird
import PQ
import PaduCore
import PaduStore

struct BudgetRequest: Decodable {
    struct Line: Decodable {
        var fundingSource: String?
        var allocatedIDR: Int64?
    }
    var allocations: [Line]?
}

struct RealizationRequest: Decodable {
    var fiscalYear: Int?
    var month: Int?
    var amountIDR: Int64?
    var outputQuantity: Int64?
    var fundingSource: String?
    var overBudgetReason: String?
}

let fundingSources = ["APBD_KAB", "APBD_PROV", "APBN", "DAK", "DANA_DESA", "BAZNAS", "CSR", "OTHER"]

extension APIRoutes {
    func addBudgetRoutes(to router: RouteRegistrar) {
        let services = self.services
        router.put("/api/v1/programs/:id/budgets/:year") { request, context -> JSONResponse<YearBudget> in
            let id = try context.parameters.id("id")
            let year = try fiscalYear(context.parameters.get("year"))
            var request = request
            let (body, _) = try await request.decodeJSON(BudgetRequest.self, context: context)
            var problems = Problems()
            let lines = problems.require(body.allocations, "allocations") ?? []
            var seen = Set<String>()
            for (index, line) in lines.enumerated() {
                let field = "allocations[\(index)]"
                if let source = problems.require(line.fundingSource, field + ".funding_source") {
                    problems.oneOf(source, fundingSources, field + ".funding_source")
                    if !seen.insert(source).inserted { problems.add(field + ".funding_source", "appears twice") }
                }
                problems.money(problems.require(line.allocatedIDR, field + ".allocated_idr"), field + ".allocated_idr")
            }
            try problems.throwIfAny()
            let allocations = lines.map {
                BudgetAllocation(fundingSource: $0.fundingSource!, allocatedIDR: $0.allocatedIDR!)
            }
            return try await services.session(request, context, readOnly: false, roles: .agencies) {
                caller, connection in
                try await requireWorkableProgramme(id, caller, on: connection)
                return JSONResponse(
                    try await BudgetStore.replace(programID: id, year: year, allocations: allocations, on: connection))
            }
        }
        router.get("/api/v1/programs/:id/budgets/:year") { request, context -> JSONResponse<YearBudget> in
            let id = try context.parameters.id("id")
            let year = try fiscalYear(context.parameters.get("year"))
            return try await services.session(request, context, readOnly: true, roles: .agenciesAndAdmin) {
                caller, connection in
                try await requireWorkableProgramme(id, caller, on: connection)
                return JSONResponse(try await BudgetStore.budget(programID: id, year: year, on: connection))
            }
        }
        router.post("/api/v1/programs/:id/realizations") { request, context -> RawResponse in
            let id = try context.parameters.id("id")
            var request = request
            let (body, bytes) = try await request.decodeJSON(RealizationRequest.self, context: context)
            var problems = Problems()
            let year = problems.require(body.fiscalYear, "fiscal_year")
            problems.range(year, 2000...2100, "fiscal_year")
            let month = problems.require(body.month, "month")
            problems.range(month, 1...12, "month")
            problems.money(problems.require(body.amountIDR, "amount_idr"), "amount_idr")
            if let output = body.outputQuantity, output < 0 { problems.add("output_quantity", "must not be negative") }
            problems.oneOf(body.fundingSource, fundingSources, "funding_source")
            if body.overBudgetReason != nil { problems.text(body.overBudgetReason, "over_budget_reason", max: 1000) }
            try problems.throwIfAny()
            return try await services.session(request, context, readOnly: false, roles: .agencies) {
                caller, connection in
                try await requireWorkableProgramme(id, caller, on: connection)
                return try await services.idempotent(request, body: bytes, on: connection) {
                    var source = body.fundingSource
                    if source == nil {
                        let sources = try await BudgetStore.sources(programID: id, year: year!, on: connection)
                        guard sources.count == 1 else {
                            throw APIError.validation(
                                field: "funding_source",
                                problem: "is required: the programme has \(sources.count) funding sources for \(year!)")
                        }
                        source = sources[0]
                    }
                    let realization = try await BudgetStore.addRealization(
                        programID: id, year: year!, month: month!, source: source!, amount: body.amountIDR!,
                        output: body.outputQuantity, reason: body.overBudgetReason, on: connection)
                    return try encodeJSON(realization, status: .created)
                }
            }
        }
        router.get("/api/v1/programs/:id/realizations") { request, context -> JSONResponse<Page<Realization>> in
            let id = try context.parameters.id("id")
            let year = try request.uri.queryParameters.get("year").map { try fiscalYear($0) }
            return try await services.session(request, context, readOnly: true, roles: .agenciesAndAdmin) {
                caller, connection in
                try await requireWorkableProgramme(id, caller, on: connection)
                return JSONResponse(
                    Page(
                        items: try await BudgetStore.realizations(programID: id, year: year, on: connection),
                        nextCursor: nil))
            }
        }
    }
}

/// A fiscal year from a path or query: 2000 to 2100.
func fiscalYear(_ text: String?) throws -> Int {
    guard let text, let year = Int(text), (2000...2100).contains(year) else {
        throw APIError.validation(field: "year", problem: "must be a year from 2000 to 2100")
    }
    return year
}
