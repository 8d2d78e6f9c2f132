import Foundation
import HTTPTypes
import Hummingbird
import PQ
import PaduCore
import PaduStore

struct RecipientBody: Decodable {
    var nik: String?
    var kk: String?
    var plannedValueIDR: Int64?
    var plannedQuantity: Int64?
}

struct CheckRequest: Decodable {
    var programID: Int64?
    var fiscalYear: Int?
    var period: String?
    var recipients: [RecipientBody]?
}

struct CheckResponse: Encodable {
    var recipients: [RecipientCheck]
}

/// A rejected recipient: its NIK or KK as a string, or `{"nik"|"kk"|"line_no", "reason"}`.
struct RejectedRecipient: Decodable {
    var identifier: String?
    var lineNo: Int?
    var reason: String?

    enum Keys: String, CodingKey { case nik, kk, lineNo, reason }

    init(from decoder: any Decoder) throws {
        if let text = try? decoder.singleValueContainer().decode(String.self) {
            identifier = text
            return
        }
        let container = try decoder.container(keyedBy: JSONCoding.Key.self)
        identifier =
            try container.decodeIfPresent(String.self, forKey: .init("nik"))
            ?? container.decodeIfPresent(String.self, forKey: .init("kk"))
        lineNo = try container.decodeIfPresent(Int.self, forKey: .init("lineNo"))
        reason = try container.decodeIfPresent(String.self, forKey: .init("reason"))
    }
}

struct DecisionRequest: Decodable {
    var decision: String?
    var reason: String?
    var rejectedRecipients: [RejectedRecipient]?
}

struct DeliveryBody: Decodable {
    var nik: String?
    var kk: String?
    var deliveredOn: String?
    var quantity: Int64?
    var valueIDR: Int64?
}

struct DeliveriesRequest: Decodable {
    var deliveries: [DeliveryBody]?
}

struct RecordedResponse: Encodable {
    var recorded: Int
}

struct DuplicateDecisionRequest: Decodable {
    var decision: String?
}

/// Reads the recipients of a check or plan from JSON or CSV (`nik,kk,planned_value_idr,planned_quantity`;
/// programme, year and period then come from the query string). A malformed NIK or KK is not
/// an error: the check flags it INVALID_ID.
struct RecipientList {
    var programID: Int64
    var fiscalYear: Int
    var period: String?
    var recipients: [RecipientInput]

    static func read(_ request: inout Request, context: PaduRequestContext, needsPeriod: Bool) async throws -> (
        RecipientList, [UInt8]
    ) {
        let format = try request.bodyFormat(allowCSV: true)
        let bytes = try await request.bodyBytes(limit: context.maxUploadSize)
        var body: CheckRequest
        var fieldOf: (Int, String) -> String = { "recipients[\($0)].\($1)" }
        switch format {
        case .json:
            body = try decodeJSONBytes(CheckRequest.self, bytes)
        case .csv:
            let query = request.uri.queryParameters
            body = CheckRequest(
                programID: query.get("program_id").flatMap { Int64($0) },
                fiscalYear: query.get("fiscal_year").flatMap { Int($0) },
                period: query.get("period"), recipients: [])
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw APIError.malformed("the CSV is not UTF-8 text")
            }
            let table = try CSV.Table(text)
            let header = table.header ?? []
            guard header.contains("nik") || header.contains("kk") else {
                throw APIError.validation(field: "header", problem: "needs a nik or kk column")
            }
            var problems = Problems()
            for record in table.records {
                let value = record.cell("planned_value_idr")
                let quantity = record.cell("planned_quantity")
                if value != nil && Int64(value!) == nil {
                    problems.add("row \(record.line), planned_value_idr", "must be a whole number")
                }
                if quantity != nil && Int64(quantity!) == nil {
                    problems.add("row \(record.line), planned_quantity", "must be a whole number")
                }
                body.recipients!.append(
                    RecipientBody(
                        nik: record.cell("nik"), kk: record.cell("kk"), plannedValueIDR: value.flatMap { Int64($0) },
                        plannedQuantity: quantity.flatMap { Int64($0) }))
            }
            try problems.throwIfAny()
            let lines = table.records.map(\.line)
            fieldOf = { "row \(lines[$0]), \($1)" }
        }
        var problems = Problems()
        let programID = problems.require(body.programID, "program_id")
        let year = problems.require(body.fiscalYear, "fiscal_year")
        problems.range(year, 2000...2100, "fiscal_year")
        var period: Quarter?
        if needsPeriod {
            period = problems.check("period", problems.require(body.period, "period")) { try Quarter($0) }
            if let period, let year, period.year != year {
                problems.add("period", "must be a quarter of fiscal_year \(year)")
            }
        }
        let recipients = problems.require(body.recipients, "recipients") ?? []
        if body.recipients != nil && recipients.isEmpty { problems.add("recipients", "must not be empty") }
        if recipients.count > 50_000 { problems.add("recipients", "at most 50000 in one request") }
        var inputs: [RecipientInput] = []
        inputs.reserveCapacity(recipients.count)
        for (index, recipient) in recipients.enumerated() {
            switch (recipient.nik, recipient.kk) {
            case (nil, nil): problems.add(fieldOf(index, "nik"), "give a nik or a kk")
            case (.some, .some): problems.add(fieldOf(index, "kk"), "give a nik or a kk, not both")
            case (let nik?, nil):
                inputs.append(
                    RecipientInput(
                        nik: nik, kk: nil, wellFormed: (try? NIK(nik)) != nil,
                        plannedValueIDR: recipient.plannedValueIDR, plannedQuantity: recipient.plannedQuantity))
            case (nil, let kk?):
                inputs.append(
                    RecipientInput(
                        nik: nil, kk: kk, wellFormed: (try? KK(kk)) != nil, plannedValueIDR: recipient.plannedValueIDR,
                        plannedQuantity: recipient.plannedQuantity))
            }
            problems.money(recipient.plannedValueIDR, fieldOf(index, "planned_value_idr"))
            if let quantity = recipient.plannedQuantity, quantity < 0 {
                problems.add(fieldOf(index, "planned_quantity"), "must not be negative")
            }
        }
        try problems.throwIfAny()
        return (
            RecipientList(programID: programID!, fiscalYear: year!, period: period?.description, recipients: inputs),
            bytes
        )
    }
}

extension APIRoutes {
    func addCoordinationRoutes(to router: RouteRegistrar) {
        let services = self.services
        router.post("/api/v1/coordination/check") { request, context -> JSONResponse<CheckResponse> in
            var request = request
            let (list, _) = try await RecipientList.read(&request, context: context, needsPeriod: false)
            return try await services.session(request, context, readOnly: true, roles: .agencies) { _, connection in
                guard let target = try await PlanStore.programTarget(list.programID, on: connection) else {
                    throw APIError.notFound("programme")
                }
                let checks = try await PlanStore.check(
                    programID: list.programID, fiscalYear: list.fiscalYear, recipients: list.recipients,
                    programTarget: target, on: connection)
                return JSONResponse(CheckResponse(recipients: checks))
            }
        }
        router.post("/api/v1/plans") { request, context -> RawResponse in
            var request = request
            let (list, bytes) = try await RecipientList.read(&request, context: context, needsPeriod: true)
            return try await services.session(request, context, readOnly: false, roles: .agencies) {
                caller, connection in
                // Only the owner plans: a coordinator may check another agency's programme, not plan for it.
                guard let program = try await ProgramStore.find(list.programID, on: connection),
                    program.agencyID == caller.agencyID
                else { throw APIError.notFound("programme") }
                return try await services.idempotent(request, body: bytes, on: connection) {
                    let checks = try await PlanStore.check(
                        programID: list.programID, fiscalYear: list.fiscalYear, recipients: list.recipients,
                        programTarget: program.target, on: connection)
                    let id = try await PlanStore.create(
                        programID: list.programID, fiscalYear: list.fiscalYear, period: list.period!, checks: checks,
                        on: connection)
                    // The lines are stored as checked, in order, pending a decision.
                    var plan = try await PlanStore.header(id, on: connection)!
                    plan.recipients = checks.enumerated().map { index, check in
                        var line = check
                        line.lineNo = index
                        line.status = "pending"
                        return line
                    }
                    return try encodeJSON(plan, status: .created)
                }
            }
        }
        router.get("/api/v1/plans") { request, context -> JSONResponse<Page<Plan>> in
            let paging = try Paging(request)
            let status = request.uri.queryParameters.get("status")
            var problems = Problems()
            problems.oneOf(status, ["draft", "submitted", "approved", "rejected"], "status")
            try problems.throwIfAny()
            return try await services.session(request, context, readOnly: true, roles: .agencies) { _, connection in
                let rows = try await PlanStore.list(
                    after: paging.after, limit: paging.limit, status: status, on: connection)
                return JSONResponse(paging.page(rows, id: \.id))
            }
        }
        router.get("/api/v1/plans/:id") { request, context -> JSONResponse<Plan> in
            let id = try context.parameters.id("id")
            return try await services.session(request, context, readOnly: true, roles: .agencies) { _, connection in
                guard let plan = try await PlanStore.find(id, on: connection) else { throw APIError.notFound("plan") }
                return JSONResponse(plan)
            }
        }
        router.post("/api/v1/plans/:id/submit") { request, context -> JSONResponse<Plan> in
            let id = try context.parameters.id("id")
            return try await services.session(request, context, readOnly: false, roles: .agencies) {
                caller, connection in
                guard let plan = try await PlanStore.header(id, on: connection), plan.agencyID == caller.agencyID
                else { throw APIError.notFound("plan") }
                guard plan.status == "draft" else { throw APIError.conflict("the plan is \(plan.status), not a draft") }
                _ = try await PlanStore.submit(id, on: connection)
                return JSONResponse(try await PlanStore.find(id, on: connection)!)
            }
        }
        router.post("/api/v1/plans/:id/decision") { request, context -> JSONResponse<Plan> in
            let id = try context.parameters.id("id")
            var request = request
            let (body, _) = try await request.decodeJSON(DecisionRequest.self, context: context)
            var problems = Problems()
            let decision = problems.require(body.decision, "decision")
            problems.oneOf(decision, ["approve", "reject"], "decision")
            if decision == "reject" && (body.reason ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
                problems.add("reason", "is required to reject a plan")
            }
            if let reason = body.reason, reason.count > 2000 {
                problems.add("reason", "must be at most 2000 characters")
            }
            try problems.throwIfAny()
            return try await services.session(request, context, readOnly: false, roles: [.coordinator]) {
                _, connection in
                guard let plan = try await PlanStore.header(id, on: connection) else {
                    throw APIError.notFound("plan")
                }
                guard try await PlanStore.decides(id, on: connection) else {
                    throw APIError.forbidden("only the coordinator of the programme's cluster decides its plans")
                }
                guard plan.status == "submitted" else {
                    throw APIError.conflict("the plan is \(plan.status), not submitted")
                }
                let lines = try await PlanStore.lineNumbers(id, on: connection)
                var rejected: [Int] = []
                var reasons: [String] = []
                var problems = Problems()
                for (index, item) in (body.rejectedRecipients ?? []).enumerated() {
                    let line = item.lineNo ?? item.identifier.flatMap { lines[$0] }
                    guard let line, lines.values.contains(line) else {
                        problems.add("rejected_recipients[\(index)]", "is not a recipient of this plan")
                        continue
                    }
                    rejected.append(line)
                    reasons.append(item.reason ?? "")
                }
                try problems.throwIfAny()
                try await PlanStore.decide(
                    id, approve: decision == "approve", reason: body.reason, rejectedLines: rejected,
                    lineReasons: reasons, on: connection)
                return JSONResponse(try await PlanStore.find(id, on: connection)!)
            }
        }
        router.post("/api/v1/programs/:id/deliveries") { request, context -> RawResponse in
            let id = try context.parameters.id("id")
            var request = request
            let (body, bytes) = try await request.decodeJSON(DeliveriesRequest.self, context: context)
            var problems = Problems()
            let items = problems.require(body.deliveries, "deliveries") ?? []
            if body.deliveries != nil && items.isEmpty { problems.add("deliveries", "must not be empty") }
            var rows: [DeliveryInput] = []
            for (index, item) in items.enumerated() {
                let field = "deliveries[\(index)]"
                switch (item.nik, item.kk) {
                case (nil, nil): problems.add(field + ".nik", "give a nik or a kk")
                case (.some, .some): problems.add(field + ".kk", "give a nik or a kk, not both")
                default: break
                }
                _ = problems.check(field + ".nik", item.nik) { try NIK($0) }
                _ = problems.check(field + ".kk", item.kk) { try KK($0) }
                let date = problems.check(
                    field + ".delivered_on", problems.require(item.deliveredOn, field + ".delivered_on")
                ) {
                    try CalendarDate(validating: $0)
                }
                if let date, !(2000...2100).contains(date.year) {
                    problems.add(field + ".delivered_on", "must be a date from 2000 to 2100")
                }
                if let quantity = item.quantity, quantity < 0 {
                    problems.add(field + ".quantity", "must not be negative")
                }
                problems.money(item.valueIDR, field + ".value_idr")
                rows.append(
                    DeliveryInput(
                        nik: item.nik, kk: item.kk, deliveredOn: item.deliveredOn ?? "", quantity: item.quantity ?? 1,
                        valueIDR: item.valueIDR ?? 0))
            }
            try problems.throwIfAny()
            return try await services.session(request, context, readOnly: false, roles: .agencies) {
                caller, connection in
                guard let program = try await ProgramStore.find(id, on: connection), program.agencyID == caller.agencyID
                else { throw APIError.notFound("programme") }
                return try await services.idempotent(request, body: bytes, on: connection) {
                    if program.requiresCoordination {
                        let missing = try await DeliveryStore.withoutApprovedLine(programID: id, rows, on: connection)
                        if !missing.isEmpty {
                            throw APIError.validation(
                                missing.map { index in
                                    APIError.Detail(
                                        field: "deliveries[\(index)].\(rows[index].nik != nil ? "nik" : "kk")",
                                        problem:
                                            "has no approved plan line of this programme for \(rows[index].deliveredOn.prefix(4))"
                                    )
                                }, message: "every recipient needs an approved plan line; nothing was recorded")
                        }
                    }
                    let recorded = try await DeliveryStore.record(programID: id, rows, on: connection)
                    return try encodeJSON(RecordedResponse(recorded: recorded), status: .created)
                }
            }
        }
        router.get("/api/v1/programs/:id/deliveries") { request, context -> JSONResponse<Page<Delivery>> in
            let id = try context.parameters.id("id")
            let paging = try Paging(request)
            let year = try request.uri.queryParameters.get("year").map { try fiscalYear($0) }
            return try await services.session(request, context, readOnly: true, roles: .agencies) {
                caller, connection in
                try await requireWorkableProgramme(id, caller, on: connection)
                let rows = try await DeliveryStore.list(
                    programID: id, year: year, after: paging.after, limit: paging.limit, on: connection)
                return JSONResponse(paging.page(rows, id: \.id))
            }
        }
        router.get("/api/v1/registry/duplicates") { request, context -> JSONResponse<Page<DuplicateStore.Pair>> in
            let status = request.uri.queryParameters.get("status") ?? "pending"
            var problems = Problems()
            problems.oneOf(status, ["pending", "same_person", "different"], "status")
            try problems.throwIfAny()
            let paging = try Paging(request)
            return try await services.session(request, context, readOnly: true, roles: [.coordinator]) {
                _, connection in
                JSONResponse(
                    Page(
                        items: try await DuplicateStore.list(status: status, limit: paging.limit, on: connection),
                        nextCursor: nil))
            }
        }
        router.post("/api/v1/registry/duplicates/:a/:b/decision") { request, context -> Response in
            let a = try context.parameters.id("a")
            let b = try context.parameters.id("b")
            var request = request
            let (body, _) = try await request.decodeJSON(DuplicateDecisionRequest.self, context: context)
            var problems = Problems()
            problems.oneOf(problems.require(body.decision, "decision"), ["same_person", "different"], "decision")
            try problems.throwIfAny()
            return try await services.session(request, context, readOnly: false, roles: [.coordinator]) {
                _, connection in
                guard try await DuplicateStore.decide(personA: a, personB: b, status: body.decision!, on: connection)
                else {
                    throw APIError.notFound("possible duplicate")
                }
                return Response(status: .noContent)
            }
        }
    }
}
