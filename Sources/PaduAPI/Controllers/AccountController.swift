import Foundation
import Hummingbird
import PaduCore
import PaduStore

/// `/api/v1/accounts`: the admin's accounts.
struct AccountController: Sendable {
    let services: APIServices

    struct Body: Decodable {
        var username: String?
        var password: String?
        var role: String?
        var agencyID: Int64?
        var scope: String?
        var active: Bool?
    }

    func register(on router: RouteRegistrar) {
        router.post("/api/v1/accounts", use: create)
        router.patch("/api/v1/accounts/:id", use: update)
        router.get("/api/v1/accounts", use: list)
        router.get("/api/v1/accounts/:id", use: show)
    }

    /// A new account's fields, validated (the JSON API and the admin's page).
    static func validateNew(_ body: Body) throws -> (String, String, Role, RegionCode) {
        var problems = Problems()
        let username = problems.require(body.username, "username")
        if let username, username.range(of: #"^[a-z0-9][a-z0-9._-]{2,63}$"#, options: .regularExpression) == nil {
            problems.add("username", "must be 3-64 lowercase letters, digits, '.', '_' or '-'")
        }
        let password = problems.require(body.password, "password")
        if let password, password.count < PasswordHasher.minimumLength {
            problems.add("password", "must have at least \(PasswordHasher.minimumLength) characters")
        }
        let role = problems.choice(problems.require(body.role, "role"), "role", as: Role.self)
        if let role, role == .agency || role == .coordinator, body.agencyID == nil {
            problems.add("agency_id", "is required for an \(role.rawValue) account")
        }
        let scope = problems.check("scope", problems.require(body.scope, "scope")) { try RegionCode($0) }
        guard let username, let password, let role, let scope, problems.isEmpty else { throw problems.failure }
        return (username, password, role, scope)
    }

    @Sendable func create(_ request: Request, context: PaduRequestContext) async throws -> RawResponse {
        var request = request
        return try await services.transaction(request, context, readOnly: false, roles: [.admin]) { transaction in
            let (body, bytes) = try await request.decodeJSON(Body.self, context: context)
            let (username, password, role, scope) = try Self.validateNew(body)
            return try await services.idempotent(request, body: bytes, in: transaction) {
                let hash = try await services.hasher.hash(password)
                let account = try await transaction.accounts.create(
                    NewAccount(
                        username: username, passwordHash: hash, role: role, agencyID: body.agencyID, scope: scope))
                return try encodeJSON(account, status: .created)
            }
        }
    }

    @Sendable func update(_ request: Request, context: PaduRequestContext) async throws -> JSONResponse<Account> {
        let id = try context.parameters.id("id")
        var request = request
        return try await services.transaction(request, context, readOnly: false, roles: [.admin]) { transaction in
            let (body, _) = try await request.decodeJSON(Body.self, context: context)
            var problems = Problems()
            if body.username != nil { problems.add("username", "cannot change") }
            if body.agencyID != nil { problems.add("agency_id", "cannot change; create another account") }
            let role = problems.choice(body.role, "role", as: Role.self)
            let scope = problems.check("scope", body.scope) { try RegionCode($0) }
            if let password = body.password, password.count < PasswordHasher.minimumLength {
                problems.add("password", "must have at least \(PasswordHasher.minimumLength) characters")
            }
            try problems.throwIfAny()
            var hash: String?
            if let password = body.password { hash = try await services.hasher.hash(password) }
            let changes = AccountChanges(active: body.active, passwordHash: hash, role: role, scope: scope)
            guard let account = try await transaction.accounts.update(id, changes) else {
                throw APIError.notFound("account")
            }
            return JSONResponse(account)
        }
    }

    @Sendable func list(_ request: Request, context: PaduRequestContext) async throws -> JSONResponse<Page<Account>> {
        let paging = try Paging(request)
        return try await services.transaction(request, context, readOnly: true, roles: [.admin]) { transaction in
            JSONResponse(paging.page(try await transaction.accounts.list(after: paging.after, limit: paging.limit)))
        }
    }

    @Sendable func show(_ request: Request, context: PaduRequestContext) async throws -> JSONResponse<Account> {
        let id = try context.parameters.id("id")
        return try await services.transaction(request, context, readOnly: true, roles: [.admin]) { transaction in
            guard let account = try await transaction.accounts.find(id) else { throw APIError.notFound("account") }
            return JSONResponse(account)
        }
    }
}
