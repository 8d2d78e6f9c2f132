import Foundation
import Hummingbird
import PQ
import PaduCore
import PaduStore

struct ProgramRequest: Decodable {
    var code: String?
    var name: String?
    var clusterID: Int?
    var aidKind: String?
    var target: String?
    var unit: String?
    var requiresCoordination: Bool?

    static let aidKinds = ["cash", "in_kind", "service", "insurance"]
    static let targets = ["person", "household"]

    /// The fields, validated; `creating` requires all of them.
    func fields(creating: Bool) throws -> ProgramFields {
        var problems = Problems()
        if creating {
            _ = problems.require(code, "code")
            _ = problems.require(name, "name")
            _ = problems.require(clusterID, "cluster_id")
            _ = problems.require(aidKind, "aid_kind")
            _ = problems.require(target, "target")
            _ = problems.require(unit, "unit")
        }
        if let code, code.range(of: #"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$"#, options: .regularExpression) == nil {
            problems.add("code", "must be 1-40 letters, digits, '.', '_' or '-', starting with a letter or digit")
        }
        problems.text(name, "name", max: 200)
        problems.text(unit, "unit", max: 60)
        problems.range(clusterID, 1...4, "cluster_id")
        problems.oneOf(aidKind, Self.aidKinds, "aid_kind")
        problems.oneOf(target, Self.targets, "target")
        try problems.throwIfAny()
        return ProgramFields(
            code: code, name: name?.trimmingCharacters(in: .whitespaces), clusterID: clusterID, aidKind: aidKind,
            target: target, unit: unit?.trimmingCharacters(in: .whitespaces))
    }
}

/// 404 unless the caller may work with the programme's budgets, reports and deliveries
/// (`ProgramStore.isWorkable`): another agency's programme is not found, not forbidden.
func requireWorkableProgramme(_ id: Int64, _ caller: Caller, on connection: PQConnection) async throws {
    guard try await ProgramStore.isWorkable(id, admin: caller.role == .admin, on: connection) else {
        throw APIError.notFound("programme")
    }
}

extension APIRoutes {
    func addProgramRoutes(to router: RouteRegistrar) {
        let services = self.services
        router.post("/api/v1/programs") { request, context -> RawResponse in
            var request = request
            let (body, bytes) = try await request.decodeJSON(ProgramRequest.self, context: context)
            return try await services.session(request, context, readOnly: false, roles: .agencies) { _, connection in
                if body.requiresCoordination == false {
                    throw APIError.forbidden("only an admin may exempt a programme from coordination")
                }
                let fields = try body.fields(creating: true)
                return try await services.idempotent(request, body: bytes, on: connection) {
                    try encodeJSON(try await ProgramStore.create(fields, on: connection), status: .created)
                }
            }
        }
        router.get("/api/v1/programs") { request, context -> JSONResponse<Page<Program>> in
            let paging = try Paging(request)
            return try await services.session(request, context, readOnly: true, roles: .agenciesAndAdmin) {
                _, connection in
                let rows = try await ProgramStore.list(after: paging.after, limit: paging.limit, on: connection)
                return JSONResponse(paging.page(rows, id: \.id))
            }
        }
        router.get("/api/v1/programs/:id") { request, context -> JSONResponse<Program> in
            let id = try context.parameters.id("id")
            return try await services.session(request, context, readOnly: true, roles: .agenciesAndAdmin) {
                _, connection in
                guard let program = try await ProgramStore.find(id, on: connection) else {
                    throw APIError.notFound("programme")
                }
                return JSONResponse(program)
            }
        }
        router.patch("/api/v1/programs/:id") { request, context -> JSONResponse<Program> in
            let id = try context.parameters.id("id")
            var request = request
            let (body, _) = try await request.decodeJSON(ProgramRequest.self, context: context)
            return try await services.session(
                request, context, readOnly: false, roles: .agenciesAndAdmin
            ) {
                caller, connection in
                let program: Program?
                if caller.role == .admin {
                    // The admin may only switch coordination, and that is audited.
                    let fields = try body.fields(creating: false)
                    guard let value = body.requiresCoordination,
                        fields.code == nil, fields.name == nil, fields.clusterID == nil, fields.aidKind == nil,
                        fields.target == nil, fields.unit == nil
                    else { throw APIError.forbidden("an admin may only change requires_coordination") }
                    program = try await ProgramStore.setRequiresCoordination(id, value, on: connection)
                } else {
                    if body.requiresCoordination != nil {
                        throw APIError.forbidden("only an admin may change requires_coordination")
                    }
                    program = try await ProgramStore.update(id, try body.fields(creating: false), on: connection)
                }
                guard let program else { throw APIError.notFound("programme") }
                return JSONResponse(program)
            }
        }
        addBudgetRoutes(to: router)
    }
}

extension Parameters {
    /// A positive integer id from the path; anything else is a 404, as for an unknown id.
    func id(_ name: String) throws -> Int64 {
        guard let text = get(name), let value = Int64(text), value > 0 else { throw APIError.notFound() }
        return value
    }
}
