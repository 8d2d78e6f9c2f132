import Foundation
import Hummingbird
import Logging
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

    @Sendable func check(_ request: Request, context: PaduRequestContext) async throws -> RawResponse {
        var request = request
        // Read-write: the check counts against the account's hourly allowance and large ones are audited.
        return try await services.transaction(request, context, readOnly: false, roles: .agencies) { transaction in
            // The Swift side's share of a large check, at debug level (docs/benchmarks.md).
            let clock = ContinuousClock()
            let start = clock.now
            let (list, _) = try await RecipientList.read(&request, context: context, needsPeriod: false)
            let read = clock.now
            guard let target = try await transaction.plans.programTarget(list.programID) else {
                throw APIError.notFound("programme")
            }
            let checks = try await transaction.plans.check(
                programID: list.programID, fiscalYear: list.fiscalYear, recipients: list.recipients, target: target)
            let checked = clock.now
            // Encoded once, here: the bytes go out as they are.
            let response = try encodeJSON(CheckResponse(recipients: checks))
            let encoded = clock.now
            context.logger.debug(
                "check timed",
                metadata: [
                    "recipients": "\(list.recipients.count)", "read_ms": "\(milliseconds(read - start))",
                    "check_ms": "\(milliseconds(checked - read))", "encode_ms": "\(milliseconds(encoded - checked))",
                    "bytes": "\(response.bytes.count)",
                ])
            return response
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
            let acknowledgements = Self.acknowledgements(body.acknowledged ?? [], lines: lines, problems: &problems)
            try problems.throwIfAny()
            // An approval acknowledges the flags of every line it approves, as the plan shows them
            // now (stored and live); the database holds the rule, this names each line first.
            var flags: [Int: [CheckFlag]] = [:]
            if decision == .approve {
                let rejected = Set(rejections.map(\.lineNo))
                var acknowledged: [Int: [CheckFlag]] = [:]
                for item in acknowledgements { acknowledged[item.lineNo, default: []] += item.flags }
                for line in try await transaction.findPlan(id).recipients ?? [] {
                    guard let lineNo = line.lineNo, line.status == .pending, !rejected.contains(lineNo) else {
                        continue
                    }
                    if !line.flags.isEmpty { flags[lineNo] = line.flags }
                    let missing = CheckFlag.unacknowledged(line.flags, acknowledged: acknowledged[lineNo] ?? [])
                    if !missing.isEmpty {
                        problems.add(
                            "lines[\(lineNo)]",
                            "carries \(missing.map(\.rawValue).joined(separator: ", ")): acknowledge them in acknowledged, or reject the line"
                        )
                    }
                }
                try problems.throwIfAny()
            }
            try await transaction.plans.decide(
                id, decision, reason: body.reason, rejecting: rejections, acknowledging: acknowledgements, flags: flags)
            return JSONResponse(try await transaction.findPlan(id))
        }
    }
}

extension CoordinationController {
    /// The acknowledgements of a decision, each naming a line of the plan (by `line_no`, NIK or
    /// KK) and known flags; every problem named.
    static func acknowledgements(
        _ items: [CoordinationRequest.Acknowledgement], lines: [String: Int], problems: inout Problems
    ) -> [LineAcknowledgement] {
        var acknowledgements: [LineAcknowledgement] = []
        let known = Set(lines.values)
        for (index, item) in items.enumerated() {
            let field = "acknowledged[\(index)]"
            let line = item.lineNo ?? (item.nik ?? item.kk).flatMap { lines[$0] }
            guard let line, known.contains(line) else {
                problems.add(field, "is not a recipient of this plan: give its line_no, nik or kk")
                continue
            }
            guard let names = item.flags else {
                problems.add(field + ".flags", "is required")
                continue
            }
            var flags: [CheckFlag] = []
            for (position, name) in names.enumerated() {
                guard let flag = CheckFlag(rawValue: name) else {
                    problems.add(field + ".flags[\(position)]", "is not a flag of the check")
                    continue
                }
                flags.append(flag)
            }
            acknowledgements.append(LineAcknowledgement(lineNo: line, flags: flags))
        }
        return acknowledgements
    }
}

extension PaduTransaction {
    /// A plan with its lines, or 404.
    func findPlan(_ id: Int64) async throws -> Plan {
        guard let plan = try await plans.find(id) else { throw APIError.notFound("plan") }
        return plan
    }
}

/// A duration in milliseconds with one decimal, for the debug log.
private func milliseconds(_ duration: Duration) -> String {
    let (seconds, attoseconds) = duration.components
    return String(format: "%.1f", Double(seconds) * 1000 + Double(attoseconds) / 1e15)
}
