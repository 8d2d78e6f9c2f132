import Foundation
import Hummingbird
import PaduCore
import PaduStore

/// The shared social registry: the coordinator's import and review queue, and the audited
/// person lookup.
struct RegistryController: Sendable {
    let services: APIServices

    func register(on router: RouteRegistrar) {
        router.post("/api/v1/registry/import", use: importRegistry)
        router.get("/api/v1/registry/persons/:nik", use: person)
        router.get("/api/v1/registry/households/:kk", use: household)
        router.get("/api/v1/registry/duplicates", use: duplicates)
        router.post("/api/v1/registry/duplicates/:a/:b/decision", use: decideDuplicate)
    }

    @Sendable func importRegistry(_ request: Request, context: PaduRequestContext) async throws
        -> JSONResponse<RegistryImportResult>
    {
        var request = request
        let format = try request.bodyFormat(allowCSV: true)
        // Up to 200 MB: the transaction authenticates the sender before the body is read.
        return try await services.transaction(request, context, readOnly: false, roles: [.coordinator]) {
            transaction in
            let bytes = try await request.bodyBytes(limit: services.configuration.registryImportLimit)
            let validator: RegistryImportValidator
            switch format {
            case .json:
                validator = .fromJSON(try decodeJSONBytes(RegistryImportRequest.self, bytes))
            case .csv, .xlsx:
                let query = request.uri.queryParameters
                validator = try .fromTable(
                    // A workbook: at most Excel's 1,048,576 rows, unpacking to at most 512 MB.
                    format.table(bytes, maxRows: 1_048_575, maxUnpackedBytes: 512 << 20),
                    source: query.get("source"), asOf: query.get("as_of"))
            }
            var problems = validator.problems
            guard let source = validator.source, let asOf = validator.asOf, problems.isEmpty else {
                throw problems.failure
            }
            let (regions, districts) = try await transaction.registry.referenceProblems(validator.batch)
            for index in regions {
                problems.add(
                    fieldName(validator.householdFields[index], "region_code"),
                    "is not a village code in your region scope")
            }
            for index in districts {
                problems.add(
                    fieldName(validator.personFields[index], "nik"), "its first six digits are not a real district code"
                )
            }
            try problems.throwIfAny()
            return JSONResponse(try await transaction.registry.importBatch(validator.batch, source: source, asOf: asOf))
        }
    }

    @Sendable func person(_ request: Request, context: PaduRequestContext) async throws -> JSONResponse<RegistryPerson>
    {
        guard let nik = try? NIK(context.parameters.get("nik") ?? "") else { throw APIError.notFound("person") }
        // Not read-only: the read is audited.
        return try await services.transaction(request, context, readOnly: false, roles: .agencies) { transaction in
            guard
                let person = try await transaction.registry.person(
                    nik, asCoordinator: transaction.caller.role == .coordinator)
            else { throw APIError.notFound("person") }
            return JSONResponse(person)
        }
    }

    /// The family across agencies. Like a person, a malformed KK is a household that does not
    /// exist (404); `from` and `to` are validated years (422).
    @Sendable func household(_ request: Request, context: PaduRequestContext) async throws
        -> JSONResponse<RegistryHousehold>
    {
        let query = request.uri.queryParameters
        var problems = Problems()
        let from = query.get("from").flatMap { text in problems.fiscalYear(Int(text) ?? Int.min, "from") }
        let to = query.get("to").flatMap { text in problems.fiscalYear(Int(text) ?? Int.min, "to") }
        if let from, let to, from > to { problems.add("to", "must not be before from") }
        try problems.throwIfAny()
        guard let kk = try? KK(context.parameters.get("kk") ?? "") else { throw APIError.notFound("household") }
        // Not read-only: the read is audited.
        return try await services.transaction(request, context, readOnly: false, roles: .agencies) { transaction in
            guard let household = try await transaction.registry.household(kk, from: from, to: to) else {
                throw APIError.notFound("household")
            }
            return JSONResponse(household)
        }
    }

    @Sendable func duplicates(_ request: Request, context: PaduRequestContext) async throws
        -> JSONResponse<Page<DuplicateStore.Pair>>
    {
        var problems = Problems()
        let status = problems.choice(
            request.uri.queryParameters.get("status") ?? DuplicateStatus.pending.rawValue, "status",
            as: DuplicateStatus.self)
        guard let status, problems.isEmpty else { throw problems.failure }
        let paging = try Paging(request)
        return try await services.transaction(request, context, readOnly: true, roles: [.coordinator]) {
            transaction in
            JSONResponse(
                Page(items: try await transaction.duplicates.list(status: status, limit: paging.limit), nextCursor: nil)
            )
        }
    }

    @Sendable func decideDuplicate(_ request: Request, context: PaduRequestContext) async throws -> Response {
        let a = try context.parameters.id("a")
        let b = try context.parameters.id("b")
        var request = request
        return try await services.transaction(request, context, readOnly: false, roles: [.coordinator]) {
            transaction in
            let (body, _) = try await request.decodeJSON(CoordinationRequest.DuplicateDecision.self, context: context)
            var problems = Problems()
            let decision = problems.choice(
                problems.require(body.decision, "decision"), "decision", as: DuplicateStatus.self)
            if decision == .pending { problems.add("decision", "must be one of same_person, different") }
            guard let decision, problems.isEmpty else { throw problems.failure }
            guard try await transaction.duplicates.decide(personA: a, personB: b, decision) else {
                throw APIError.notFound("possible duplicate")
            }
            return Response(status: .noContent)
        }
    }
}

/// `households[3]` + `kk` → `households[3].kk`; `row 4` + `kk` → `row 4, kk`.
private func fieldName(_ prefix: String, _ name: String) -> String {
    prefix.hasPrefix("row ") ? "\(prefix), \(name)" : "\(prefix).\(name)"
}
