import Foundation
import Hummingbird
import PaduCore
import PaduStore

/// Quarterly progress reports and the reporting periods the admin opens and closes.
struct ReportController: Sendable {
    let services: APIServices

    struct ReportBody: Decodable {
        var targetQuantity: Int64?
        var achievedQuantity: Int64?
        var narrative: String?
        var status: String?

        func content() throws -> ReportContent {
            var problems = Problems()
            let status = problems.choice(status ?? ReportStatus.draft.rawValue, "status", as: ReportStatus.self)
            problems.count(targetQuantity, "target_quantity")
            problems.count(achievedQuantity, "achieved_quantity")
            if let narrative, narrative.count > 10_000 { problems.add("narrative", "must be at most 10000 characters") }
            guard let status, problems.isEmpty else { throw problems.failure }
            return ReportContent(
                target: targetQuantity, achieved: achievedQuantity, narrative: narrative, status: status)
        }
    }

    struct PeriodBody: Decodable {
        var status: String?
    }

    func register(on router: RouteRegistrar) {
        router.put("/api/v1/programs/:id/reports/:period", use: putReport)
        router.get("/api/v1/reports", use: reports)
        router.get("/api/v1/periods", use: periods)
        router.put("/api/v1/periods/:period", use: setPeriod)
    }

    @Sendable func putReport(_ request: Request, context: PaduRequestContext) async throws -> RawResponse {
        let id = try context.parameters.id("id")
        let period = try quarter(context.parameters.get("period"))
        var request = request
        return try await services.transaction(request, context, readOnly: false, roles: .agencies) { transaction in
            let (body, _) = try await request.decodeJSON(ReportBody.self, context: context)
            let content = try body.content()
            _ = try await transaction.workableProgramme(id)
            let (report, created) = try await transaction.reports.put(programID: id, period: period, content)
            return try encodeJSON(report, status: created ? .created : .ok)
        }
    }

    @Sendable func reports(_ request: Request, context: PaduRequestContext) async throws
        -> JSONResponse<ReportListing>
    {
        let period = try quarter(request.uri.queryParameters.get("period"))
        return try await services.transaction(request, context, readOnly: true) { transaction in
            let role = transaction.caller.role
            return JSONResponse(
                try await transaction.reports.list(
                    period: period, withMissing: [.executive, .admin].contains(role), coordinated: role == .coordinator)
            )
        }
    }

    @Sendable func periods(_ request: Request, context: PaduRequestContext) async throws
        -> JSONResponse<Page<ReportingPeriod>>
    {
        try await services.transaction(request, context, readOnly: true) { transaction in
            JSONResponse(Page(items: try await transaction.reports.periods(), nextCursor: nil))
        }
    }

    @Sendable func setPeriod(_ request: Request, context: PaduRequestContext) async throws
        -> JSONResponse<ReportingPeriod>
    {
        let period = try quarter(context.parameters.get("period"))
        var request = request
        return try await services.transaction(request, context, readOnly: false, roles: [.admin]) { transaction in
            let (body, _) = try await request.decodeJSON(PeriodBody.self, context: context)
            var problems = Problems()
            guard let status = problems.choice(problems.require(body.status, "status"), "status", as: PeriodStatus.self)
            else { throw problems.failure }
            return JSONResponse(try await transaction.reports.setPeriod(period, status))
        }
    }
}
