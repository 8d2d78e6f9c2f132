import Foundation
import Hummingbird
import PaduCore
import PaduStore

/// `/api/v1/programs/{id}/deliveries`: all-or-nothing batches against approved plan lines.
struct DeliveryController: Sendable {
    let services: APIServices

    func register(on router: RouteRegistrar) {
        router.post("/api/v1/programs/:id/deliveries", use: record)
        router.get("/api/v1/programs/:id/deliveries", use: list)
        router.post("/api/v1/programs/:id/deliveries/:delivery_id/reversal", use: reverse)
    }

    /// `{"reason"}` of a reversal: required, 1 to 1000 characters.
    struct ReversalBody: Decodable {
        var reason: String?

        func validated() throws -> String {
            var problems = Problems()
            let reason = problems.text(problems.require(reason, "reason"), "reason", max: 1000)
            guard let reason, problems.isEmpty else { throw problems.failure }
            return reason
        }
    }

    /// Reverses one of the programme's deliveries: it stays listed, and stops counting.
    @Sendable func reverse(_ request: Request, context: PaduRequestContext) async throws -> RawResponse {
        let id = try context.parameters.id("id")
        let deliveryID = try context.parameters.id("delivery_id")
        var request = request
        return try await services.transaction(request, context, readOnly: false, roles: .agencies) { transaction in
            let (body, bytes) = try await request.decodeJSON(ReversalBody.self, context: context)
            let reason = try body.validated()
            _ = try await transaction.ownProgramme(id)
            return try await services.idempotent(request, body: bytes, in: transaction) {
                do {
                    guard
                        let reversal = try await transaction.deliveries.reverse(
                            programID: id, deliveryID: deliveryID, reason: reason)
                    else { throw APIError.notFound("delivery") }
                    return try encodeJSON(reversal, status: .created)
                } catch DatabaseError.duplicate {
                    throw APIError.conflict("this delivery is already reversed")
                }
            }
        }
    }

    /// The rows, validated; every problem named with its row.
    static func rows(_ body: CoordinationRequest.Deliveries) throws -> [DeliveryInput] {
        var problems = Problems()
        let items = problems.require(body.deliveries, "deliveries") ?? []
        if body.deliveries != nil && items.isEmpty { problems.add("deliveries", "must not be empty") }
        var rows: [DeliveryInput] = []
        for (index, item) in items.enumerated() {
            let field = "deliveries[\(index)]"
            var recipient: RecipientID?
            switch (item.nik, item.kk) {
            case (nil, nil): problems.add(field + ".nik", "give a nik or a kk")
            case (.some, .some): problems.add(field + ".kk", "give a nik or a kk, not both")
            case (let nik?, nil): recipient = problems.check(field + ".nik", nik) { .nik(try NIK($0)) }
            case (nil, let kk?): recipient = problems.check(field + ".kk", kk) { .kk(try KK($0)) }
            }
            var date = problems.check(
                field + ".delivered_on", problems.require(item.deliveredOn, field + ".delivered_on")
            ) { try CalendarDate(validating: $0) }
            if let day = date, !FiscalYear.validYears.contains(day.year) {
                problems.add(
                    field + ".delivered_on",
                    "must be a date from \(FiscalYear.validYears.lowerBound) to \(FiscalYear.validYears.upperBound)")
                date = nil
            }
            let quantity = problems.count(item.quantity, field + ".quantity")
            let value = problems.money(item.valueIDR, field + ".value_idr")
            if let recipient, let date, item.quantity == nil || quantity != nil, item.valueIDR == nil || value != nil {
                rows.append(
                    DeliveryInput(
                        recipient: recipient, deliveredOn: date, quantity: quantity ?? 1, valueIDR: value ?? .zero))
            }
        }
        guard problems.isEmpty, rows.count == items.count else { throw problems.failure }
        return rows
    }

    @Sendable func record(_ request: Request, context: PaduRequestContext) async throws -> RawResponse {
        let id = try context.parameters.id("id")
        var request = request
        return try await services.transaction(request, context, readOnly: false, roles: .agencies) { transaction in
            let (body, bytes) = try await request.decodeJSON(CoordinationRequest.Deliveries.self, context: context)
            let rows = try Self.rows(body)
            let program = try await transaction.ownProgramme(id)
            return try await services.idempotent(request, body: bytes, in: transaction) {
                do {
                    let recorded = try await transaction.deliveries.record(
                        programID: id, coordinated: program.requiresCoordination, rows)
                    return try encodeJSON(RecordedResponse(recorded: recorded), status: .created)
                } catch DeliveryError.noApprovedLine(let positions) {
                    throw APIError.validation(
                        positions.map { index in
                            APIError.Detail(
                                field: "deliveries[\(index)].\(rows[index].recipient.kind.rawValue)",
                                problem:
                                    "has no approved plan line of this programme for \(rows[index].deliveredOn.year)")
                        }, message: "every recipient needs an approved plan line; nothing was recorded")
                }
            }
        }
    }

    @Sendable func list(_ request: Request, context: PaduRequestContext) async throws -> JSONResponse<Page<Delivery>> {
        let id = try context.parameters.id("id")
        let paging = try Paging(request)
        let year = try request.uri.queryParameters.get("year").map { try fiscalYear($0) }
        return try await services.transaction(request, context, readOnly: true, roles: .agencies) { transaction in
            _ = try await transaction.workableProgramme(id)
            return JSONResponse(
                paging.page(
                    try await transaction.deliveries.list(
                        programID: id, year: year, after: paging.after, limit: paging.limit)))
        }
    }
}
