import Foundation
import Hummingbird
import PQ
import PaduCore
import PaduStore

struct ReportRequest: Decodable {
    var targetQuantity: Int64?
    var achievedQuantity: Int64?
    var narrative: String?
    var status: String?
}

struct PeriodRequest: Decodable {
    var status: String?
}

/// `2019-Q2`, validated.
func quarter(_ text: String?, field: String = "period") throws -> Quarter {
    var problems = Problems()
    let quarter = problems.check(field, problems.require(text, field)) { try Quarter($0) }
    try problems.throwIfAny()
    return quarter!
}

extension APIRoutes {
    func addReportRoutes(to router: RouteRegistrar) {
        let services = self.services
        router.put("/api/v1/programs/:id/reports/:period") { request, context -> RawResponse in
            let id = try context.parameters.id("id")
            let period = try quarter(context.parameters.get("period"))
            var request = request
            let (body, _) = try await request.decodeJSON(ReportRequest.self, context: context)
            var problems = Problems()
            let status = body.status ?? "draft"
            problems.oneOf(status, ["draft", "submitted"], "status")
            if let value = body.targetQuantity, value < 0 { problems.add("target_quantity", "must not be negative") }
            if let value = body.achievedQuantity, value < 0 {
                problems.add("achieved_quantity", "must not be negative")
            }
            if let narrative = body.narrative, narrative.count > 10_000 {
                problems.add("narrative", "must be at most 10000 characters")
            }
            try problems.throwIfAny()
            return try await services.session(request, context, readOnly: false, roles: .agencies) {
                caller, connection in
                try await requireWorkableProgramme(id, caller, on: connection)
                let (report, created) = try await ReportStore.put(
                    programID: id, period: period.description, target: body.targetQuantity,
                    achieved: body.achievedQuantity, narrative: body.narrative, status: status, on: connection)
                return try encodeJSON(report, status: created ? .created : .ok)
            }
        }
        router.get("/api/v1/reports") { request, context -> JSONResponse<ReportListing> in
            let period = try quarter(request.uri.queryParameters.get("period"))
            return try await services.session(request, context, readOnly: true) { caller, connection in
                let overview = caller.role == .executive || caller.role == .admin
                return JSONResponse(
                    try await ReportStore.list(period: period.description, withMissing: overview, on: connection))
            }
        }
        router.get("/api/v1/periods") { request, context -> JSONResponse<Page<ReportingPeriod>> in
            try await services.session(request, context, readOnly: true) { _, connection in
                JSONResponse(Page(items: try await ReportStore.periods(on: connection), nextCursor: nil))
            }
        }
        router.put("/api/v1/periods/:period") { request, context -> JSONResponse<ReportingPeriod> in
            let period = try quarter(context.parameters.get("period"))
            var request = request
            let (body, _) = try await request.decodeJSON(PeriodRequest.self, context: context)
            var problems = Problems()
            problems.oneOf(problems.require(body.status, "status"), ["open", "closed"], "status")
            try problems.throwIfAny()
            return try await services.session(request, context, readOnly: false, roles: [.admin]) { _, connection in
                JSONResponse(
                    try await ReportStore.setPeriod(period.description, closed: body.status == "closed", on: connection)
                )
            }
        }
    }
}
