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
                } catch {
                    throw Self.alreadyReversed(error, "this delivery is already reversed")
                }
            }
        }
    }

    /// A second reversal meets the reversal's primary key: the API's 409, with its message.
    static func alreadyReversed(_ error: any Error, _ message: String) -> any Error {
        if case .duplicate? = DatabaseError.translating(error) as? DatabaseError { return APIError.conflict(message) }
        return error
    }

    /// The rows, validated; every problem named with its row (`deliveries[3]`, or for a
    /// spreadsheet `row 5`, through `fieldOf`).
    static func rows(
        _ body: CoordinationRequest.Deliveries, fieldOf: (Int, String) -> String = { "deliveries[\($0)].\($1)" }
    ) throws -> [DeliveryInput] {
        var problems = Problems()
        let items = problems.require(body.deliveries, "deliveries") ?? []
        if body.deliveries != nil && items.isEmpty { problems.add("deliveries", "must not be empty") }
        var rows: [DeliveryInput] = []
        for (index, item) in items.enumerated() {
            func field(_ name: String) -> String { fieldOf(index, name) }
            var recipient: RecipientID?
            switch (item.nik, item.kk) {
            case (nil, nil): problems.add(field("nik"), "give a nik or a kk")
            case (.some, .some): problems.add(field("kk"), "give a nik or a kk, not both")
            case (let nik?, nil): recipient = problems.check(field("nik"), nik) { .nik(try NIK($0)) }
            case (nil, let kk?): recipient = problems.check(field("kk"), kk) { .kk(try KK($0)) }
            }
            var date = problems.check(
                field("delivered_on"), problems.require(item.deliveredOn, field("delivered_on"))
            ) { try CalendarDate(validating: $0) }
            if let day = date, !FiscalYear.validYears.contains(day.year) {
                problems.add(
                    field("delivered_on"),
                    "must be a date from \(FiscalYear.validYears.lowerBound) to \(FiscalYear.validYears.upperBound)")
                date = nil
            }
            let quantity = problems.count(item.quantity, field("quantity"))
            let value = problems.money(item.valueIDR, field("value_idr"))
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
            let (body, bytes, fieldOf) = try await Self.read(&request, context: context)
            let rows = try Self.rows(body, fieldOf: fieldOf)
            let program = try await transaction.ownProgramme(id)
            return try await services.idempotent(request, body: bytes, in: transaction) {
                do {
                    let recorded = try await transaction.deliveries.record(
                        programID: id, coordinated: program.requiresCoordination, rows)
                    return try encodeJSON(RecordedResponse(recorded: recorded), status: .created)
                } catch DeliveryError.noApprovedLine(let positions, let reasons) {
                    throw APIError.validation(
                        positions.map { index in
                            let year = rows[index].deliveredOn.year
                            return APIError.Detail(
                                field: fieldOf(index, rows[index].recipient.kind.rawValue),
                                problem: reasons[index].map {
                                    "the coordinator rejected this recipient's plan line for \(year): \"\($0)\""
                                } ?? "has no approved plan line of this programme for \(year)")
                        }, message: "every recipient needs an approved plan line; nothing was recorded")
                }
            }
        }
    }

    /// The body: JSON, or CSV or an XLSX workbook with the columns
    /// `nik,kk,delivered_on,quantity,value_idr`; with how to name a row's field.
    static func read(_ request: inout Request, context: PaduRequestContext) async throws -> (
        CoordinationRequest.Deliveries, [UInt8], (Int, String) -> String
    ) {
        let format = try request.bodyFormat(allowCSV: true)
        if format == .json {
            let (body, bytes) = try await request.decodeJSON(CoordinationRequest.Deliveries.self, context: context)
            return (body, bytes, { "deliveries[\($0)].\($1)" })
        }
        let bytes = try await request.bodyBytes(limit: context.maxUploadSize)
        let table = try format.table(bytes, maxRows: RecipientList.limit)
        guard let header = table.header, header.contains("nik") || header.contains("kk") else {
            throw APIError.validation(field: "header", problem: "needs a nik or kk column")
        }
        var problems = Problems()
        var items: [CoordinationRequest.Delivery] = []
        for record in table.records {
            var whole: [String: Int64] = [:]
            for column in ["quantity", "value_idr"] {
                guard let cell = record.cell(column) else { continue }
                if let value = Int64(cell) {
                    whole[column] = value
                } else {
                    problems.add("row \(record.line), \(column)", "must be a whole number")
                }
            }
            items.append(
                CoordinationRequest.Delivery(
                    nik: record.cell("nik"), kk: record.cell("kk"), deliveredOn: record.cell("delivered_on"),
                    quantity: whole["quantity"], valueIDR: whole["value_idr"]))
        }
        try problems.throwIfAny()
        let lines = table.records.map(\.line)
        return (CoordinationRequest.Deliveries(deliveries: items), bytes, { "row \(lines[$0]), \($1)" })
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
