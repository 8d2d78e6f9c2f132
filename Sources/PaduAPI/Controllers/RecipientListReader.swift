import Foundation
import Hummingbird
import PaduCore
import PaduStore

/// A recipient list for the check or a plan, validated: from JSON, or from CSV or an XLSX
/// workbook (`nik,kk,name,planned_value_idr,planned_quantity`, with programme, year and period
/// in the query string). A malformed NIK or KK is not an error: the check flags it `INVALID_ID`.
struct RecipientList {
    var programID: Int64
    var fiscalYear: FiscalYear
    var period: Quarter?
    var recipients: [RecipientInput]

    /// The most recipients one request may carry.
    static let limit = 50_000

    /// Reads the body (call it inside the request's transaction, after authentication).
    static func read(_ request: inout Request, context: PaduRequestContext, needsPeriod: Bool) async throws -> (
        RecipientList, [UInt8]
    ) {
        let format = try request.bodyFormat(allowCSV: true)
        let bytes = try await request.bodyBytes(limit: context.maxUploadSize)
        let query = request.uri.queryParameters
        return (try parse(bytes, format: format, needsPeriod: needsPeriod) { query.get($0) }, bytes)
    }

    /// Reads a list from bytes of a known format; for a table (CSV), `parameter` gives
    /// `program_id`, `fiscal_year` and `period` (the query string, or a page's form fields).
    static func parse(
        _ bytes: [UInt8], format: BodyFormat, needsPeriod: Bool, parameter: (String) -> String?
    ) throws -> RecipientList {
        var body: CoordinationRequest.RecipientList
        var fieldOf: (Int, String) -> String = { "recipients[\($0)].\($1)" }
        switch format {
        case .json:
            // The plain shape directly; anything else through JSONDecoder, which explains errors.
            body = try RecipientListJSON.read(bytes) ?? decodeJSONBytes(CoordinationRequest.RecipientList.self, bytes)
        case .csv, .xlsx:
            let (parsed, lines) = try fromTable(format.table(bytes, maxRows: limit), parameter: parameter)
            body = parsed
            fieldOf = { "row \(lines[$0]), \($1)" }
        }
        return try validate(body, fieldOf: fieldOf, needsPeriod: needsPeriod)
    }

    private static func fromTable(_ table: CSV.Table, parameter: (String) -> String?) throws -> (
        CoordinationRequest.RecipientList, [Int]
    ) {
        var body = CoordinationRequest.RecipientList(
            programID: parameter("program_id").flatMap { Int64($0) },
            fiscalYear: parameter("fiscal_year").flatMap { Int($0) },
            period: parameter("period"), recipients: [])
        let header = table.header ?? []
        guard header.contains("nik") || header.contains("kk") else {
            throw APIError.validation(field: "header", problem: "needs a nik or kk column")
        }
        var problems = Problems()
        var recipients: [CoordinationRequest.Recipient] = []
        for record in table.records {
            var whole: [String: Int64] = [:]
            for column in ["planned_value_idr", "planned_quantity"] {
                guard let cell = record.cell(column) else { continue }
                if let value = Int64(cell) {
                    whole[column] = value
                } else {
                    problems.add("row \(record.line), \(column)", "must be a whole number")
                }
            }
            recipients.append(
                CoordinationRequest.Recipient(
                    nik: record.cell("nik"), kk: record.cell("kk"), name: record.cell("name"),
                    plannedValueIDR: whole["planned_value_idr"], plannedQuantity: whole["planned_quantity"]))
        }
        try problems.throwIfAny()
        body.recipients = recipients
        return (body, table.records.map(\.line))
    }

    private static func validate(
        _ body: CoordinationRequest.RecipientList, fieldOf: (Int, String) -> String, needsPeriod: Bool
    ) throws -> RecipientList {
        var problems = Problems()
        let programID = problems.require(body.programID, "program_id")
        let year = problems.fiscalYear(problems.require(body.fiscalYear, "fiscal_year"), "fiscal_year")
        var period: Quarter?
        if needsPeriod {
            period = problems.check("period", problems.require(body.period, "period")) { try Quarter($0) }
            if let period, let year, period.year != year.year {
                problems.add("period", "must be a quarter of fiscal_year \(year)")
            }
        }
        let recipients = problems.require(body.recipients, "recipients") ?? []
        if body.recipients != nil && recipients.isEmpty { problems.add("recipients", "must not be empty") }
        if recipients.count > limit { problems.add("recipients", "at most \(limit) in one request") }
        var inputs: [RecipientInput] = []
        inputs.reserveCapacity(recipients.count)
        for (index, recipient) in recipients.enumerated() {
            // A field's name is spelled out only for a value that was sent (10,000 recipients).
            let value = recipient.plannedValueIDR.flatMap { problems.money($0, fieldOf(index, "planned_value_idr")) }
            if let quantity = recipient.plannedQuantity { problems.count(quantity, fieldOf(index, "planned_quantity")) }
            let name = recipient.name.flatMap { problems.text($0, fieldOf(index, "name"), max: 200) }
            switch (recipient.nik, recipient.kk) {
            case (nil, nil): problems.add(fieldOf(index, "nik"), "give a nik or a kk")
            case (.some, .some): problems.add(fieldOf(index, "kk"), "give a nik or a kk, not both")
            case (let nik?, nil):
                inputs.append(
                    RecipientInput(
                        RecipientID(.nik, nik), plannedValueIDR: value, plannedQuantity: recipient.plannedQuantity,
                        name: name))
            case (nil, let kk?):
                inputs.append(
                    RecipientInput(
                        RecipientID(.kk, kk), plannedValueIDR: value, plannedQuantity: recipient.plannedQuantity,
                        name: name))
            }
        }
        guard let programID, let year, problems.isEmpty, !needsPeriod || period != nil else { throw problems.failure }
        return RecipientList(programID: programID, fiscalYear: year, period: period, recipients: inputs)
    }
}
