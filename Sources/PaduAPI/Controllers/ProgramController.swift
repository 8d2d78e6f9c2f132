import Foundation
import Hummingbird
import PaduCore
import PaduStore

/// `/api/v1/programs`: an agency's programmes; the admin may only switch coordination.
struct ProgramController: Sendable {
    let services: APIServices

    /// A programme as the agency sends it; on create every field is required.
    struct Body: Decodable {
        var code: String?
        var name: String?
        var clusterID: Int?
        var aidKind: String?
        var aidCategory: String?
        var target: String?
        var unit: String?
        var requiresCoordination: Bool?

        func changes() throws -> ProgramChanges {
            var problems = Problems()
            if let code, code.range(of: #"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$"#, options: .regularExpression) == nil {
                problems.add("code", "must be 1-40 letters, digits, '.', '_' or '-', starting with a letter or digit")
            }
            let changes = ProgramChanges(
                code: code, name: problems.text(name, "name", max: 200),
                clusterID: problems.range(clusterID, PovertyCluster.ids, "cluster_id"),
                aidKind: problems.choice(aidKind, "aid_kind"),
                aidCategory: problems.choice(aidCategory, "aid_category"), target: problems.choice(target, "target"),
                unit: problems.text(unit, "unit", max: 60))
            try problems.throwIfAny()
            return changes
        }

        func newProgram() throws -> NewProgram {
            var problems = Problems()
            for (value, field) in [
                (code as Any?, "code"), (name, "name"), (clusterID, "cluster_id"), (aidKind, "aid_kind"),
                (aidCategory, "aid_category"), (target, "target"), (unit, "unit"),
            ] where value == nil {
                problems.add(field, "is required")
            }
            let changes: ProgramChanges
            do {
                changes = try self.changes()
            } catch let error as ValidationError {
                throw (problems.error?.merging(error)) ?? error
            }
            guard let code = changes.code, let name = changes.name, let clusterID = changes.clusterID,
                let aidKind = changes.aidKind, let aidCategory = changes.aidCategory, let target = changes.target,
                let unit = changes.unit,
                problems.isEmpty
            else { throw problems.failure }
            return NewProgram(
                code: code, name: name, clusterID: clusterID, aidKind: aidKind, aidCategory: aidCategory,
                target: target,
                unit: unit)
        }
    }

    func register(on router: RouteRegistrar) {
        router.post("/api/v1/programs", use: create)
        router.get("/api/v1/programs", use: list)
        router.get("/api/v1/programs/:id", use: show)
        router.patch("/api/v1/programs/:id", use: update)
    }

    @Sendable func create(_ request: Request, context: PaduRequestContext) async throws -> RawResponse {
        var request = request
        return try await services.transaction(request, context, readOnly: false, roles: .agencies) { transaction in
            let (body, bytes) = try await request.decodeJSON(Body.self, context: context)
            if body.requiresCoordination == false {
                throw APIError.forbidden("only an admin may exempt a programme from coordination")
            }
            let program = try body.newProgram()
            return try await services.idempotent(request, body: bytes, in: transaction) {
                try encodeJSON(try await transaction.programs.create(program), status: .created)
            }
        }
    }

    @Sendable func list(_ request: Request, context: PaduRequestContext) async throws -> JSONResponse<Page<Program>> {
        let paging = try Paging(request)
        return try await services.transaction(request, context, readOnly: true, roles: .agenciesAndAdmin) {
            transaction in
            JSONResponse(paging.page(try await transaction.programs.list(after: paging.after, limit: paging.limit)))
        }
    }

    @Sendable func show(_ request: Request, context: PaduRequestContext) async throws -> JSONResponse<Program> {
        let id = try context.parameters.id("id")
        return try await services.transaction(request, context, readOnly: true, roles: .agenciesAndAdmin) {
            transaction in
            guard let program = try await transaction.programs.find(id) else { throw APIError.notFound("programme") }
            return JSONResponse(program)
        }
    }

    @Sendable func update(_ request: Request, context: PaduRequestContext) async throws -> JSONResponse<Program> {
        let id = try context.parameters.id("id")
        var request = request
        return try await services.transaction(request, context, readOnly: false, roles: .agenciesAndAdmin) {
            transaction in
            let (body, _) = try await request.decodeJSON(Body.self, context: context)
            let changes = try body.changes()
            let program: Program?
            if transaction.caller.role == .admin {
                // The admin may only switch coordination, and that is audited.
                guard let value = body.requiresCoordination, changes.isEmpty else {
                    throw APIError.forbidden("an admin may only change requires_coordination")
                }
                program = try await transaction.programs.setRequiresCoordination(id, value)
            } else {
                if body.requiresCoordination != nil {
                    throw APIError.forbidden("only an admin may change requires_coordination")
                }
                program = try await transaction.programs.update(id, changes)
            }
            guard let program else { throw APIError.notFound("programme") }
            return JSONResponse(program)
        }
    }
}

extension PaduTransaction {
    /// The programme, or 404, unless the caller may work with its budgets, reports and
    /// deliveries: another agency's programme is not found, not forbidden.
    func workableProgramme(_ id: Int64) async throws -> Program {
        guard let program = try await programs.workable(id, by: caller) else { throw APIError.notFound("programme") }
        return program
    }

    /// The caller's own programme, or 404: only the owner plans and delivers.
    func ownProgramme(_ id: Int64) async throws -> Program {
        guard let program = try await programs.owned(id, by: caller) else { throw APIError.notFound("programme") }
        return program
    }
}

extension Parameters {
    /// A positive integer id from the path; anything else is a 404, as for an unknown id.
    func id(_ name: String) throws -> Int64 {
        guard let text = get(name), let value = Int64(text), value > 0 else { throw APIError.notFound() }
        return value
    }
}

extension Paging {
    /// A page of rows whose ids are the cursor.
    func page<Item: Encodable & Identified>(_ rows: [Item]) -> Page<Item> { page(rows, id: \.id) }
}

/// A record with a numeric id, for paging.
protocol Identified { var id: Int64 { get } }
extension Program: Identified {}
extension Plan: Identified {}
extension Delivery: Identified {}
extension Account: Identified {}
