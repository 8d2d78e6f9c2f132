import Foundation
import Hummingbird
import PaduCore
import PaduStore

/// The coordination rule: the check, distribution plans, and the coordinator's decision.
struct CoordinationController: Sendable {
    let services: APIServices

    func register(on router: RouteRegistrar) {
        router.post("/api/v1/coordination/check", use: check)
        router.post("/api/v1/plans", use: createPlan)
        router.get("/api/v1/plans", use: plans)
        router.get("/api/v1/plans/:id", use: plan)
        router.post("/api/v1/plans/:id/submit", use: submit)
        router.post("/api/v1/plans/:id/decision", use: decide)
    }

    @Sendable func check(_ request: Request, context: PaduRequestContext) async throws -> JSONResponse<CheckResponse> {
        var request = request
        // Read-write: the check counts against the account's hourly allowance and large ones are audited.
        return try await services.transaction(request, context, readOnly: false, roles: .agencies) { transaction in
            let (list, _) = try await RecipientList.read(&request, context: context, needsPeriod: false)
            guard let target = try await transaction.plans.programTarget(list.programID) else {
                throw APIError.notFound("programme")
            }
            let checks = try await transaction.plans.check(
                programID: list.programID, fiscalYear: list.fiscalYear, recipients: list.recipients, target: target)
            return JSONResponse(CheckResponse(recipients: checks))
        }
    }

    @Sendable func createPlan(_ request: Request, context: PaduRequestContext) async throws -> RawResponse {
        var request = request
        return try await services.transaction(request, context, readOnly: false, roles: .agencies) { transaction in
            let (list, bytes) = try await RecipientList.read(&request, context: context, needsPeriod: true)
            guard let period = list.period else { throw APIError.validation(field: "period", problem: "is required") }
            // Only the owner plans: a coordinator may check another agency's programme, not plan for it.
            let program = try await transaction.ownProgramme(list.programID)
            return try await services.idempotent(request, body: bytes, in: transaction) {
                let plan = try await transaction.plans.create(
                    programID: program.id, target: program.target, fiscalYear: list.fiscalYear, period: period,
                    recipients: list.recipients)
                return try encodeJSON(plan, status: .created)
            }
        }
    }

    @Sendable func plans(_ request: Request, context: PaduRequestContext) async throws -> JSONResponse<Page<Plan>> {
        let paging = try Paging(request)
        var problems = Problems()
        let status = problems.choice(request.uri.queryParameters.get("status"), "status", as: PlanStatus.self)
        try problems.throwIfAny()
        return try await services.transaction(request, context, readOnly: true, roles: .agencies) { transaction in
            JSONResponse(
                paging.page(try await transaction.plans.list(after: paging.after, limit: paging.limit, status: status)))
        }
    }

    @Sendable func plan(_ request: Request, context: PaduRequestContext) async throws -> JSONResponse<Plan> {
        let id = try context.parameters.id("id")
        return try await services.transaction(request, context, readOnly: true, roles: .agencies) { transaction in
            guard let plan = try await transaction.plans.find(id) else { throw APIError.notFound("plan") }
            return JSONResponse(plan)
        }
    }

    @Sendable func submit(_ request: Request, context: PaduRequestContext) async throws -> JSONResponse<Plan> {
        let id = try context.parameters.id("id")
        return try await services.transaction(request, context, readOnly: false, roles: .agencies) { transaction in
            guard let plan = try await transaction.plans.header(id), plan.agencyID == transaction.caller.agencyID
            else { throw APIError.notFound("plan") }
            guard plan.status.allows(.submitted) else {
                throw APIError.conflict("the plan is \(plan.status), not a draft")
            }
            _ = try await transaction.plans.submit(id)
            return JSONResponse(try await transaction.findPlan(id))
        }
    }

    @Sendable func decide(_ request: Request, context: PaduRequestContext) async throws -> JSONResponse<Plan> {
        let id = try context.parameters.id("id")
        var request = request
        return try await services.transaction(request, context, readOnly: false, roles: [.coordinator]) {
            transaction in
            let (body, _) = try await request.decodeJSON(CoordinationRequest.Decision.self, context: context)
            var problems = Problems()
            let decision = problems.choice(
                problems.require(body.decision, "decision"), "decision", as: PlanDecision.self)
            if decision == .reject && (body.reason ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
                problems.add("reason", "is required to reject a plan")
            }
            if let reason = body.reason, reason.count > 2000 {
                problems.add("reason", "must be at most 2000 characters")
            }
            guard let decision, problems.isEmpty else { throw problems.failure }
            guard let plan = try await transaction.plans.header(id) else { throw APIError.notFound("plan") }
            guard try await transaction.plans.decides(id) else {
                throw APIError.forbidden("only the coordinator of the programme's cluster decides its plans")
            }
            guard plan.status.allows(decision.outcome) else {
                throw APIError.conflict("the plan is \(plan.status), not submitted")
            }
            let lines = try await transaction.plans.lineNumbers(id)
            var rejections: [LineRejection] = []
            for (index, item) in (body.rejectedRecipients ?? []).enumerated() {
                guard let line = item.lineNo ?? item.identifier.flatMap({ lines[$0] }), lines.values.contains(line)
                else {
                    problems.add("rejected_recipients[\(index)]", "is not a recipient of this plan")
                    continue
                }
                rejections.append(LineRejection(lineNo: line, reason: item.reason ?? ""))
            }
            try problems.throwIfAny()
            try await transaction.plans.decide(id, decision, reason: body.reason, rejecting: rejections)
            return JSONResponse(try await transaction.findPlan(id))
        }
    }
}

extension PaduTransaction {
    /// A plan with its lines, or 404.
    func findPlan(_ id: Int64) async throws -> Plan {
        guard let plan = try await plans.find(id) else { throw APIError.notFound("plan") }
        return plan
    }
}
