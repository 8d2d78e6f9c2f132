import Foundation
import Hummingbird
import PQ
import PaduCore
import PaduStore

struct AccountRequest: Decodable {
    var username: String?
    var password: String?
    var role: String?
    var agencyID: Int64?
    var scope: String?
    var active: Bool?
}

extension APIRoutes {
    func addAccountRoutes(to router: RouteRegistrar) {
        let services = self.services
        router.post("/api/v1/accounts") { request, context -> RawResponse in
            var request = request
            let (body, bytes) = try await request.decodeJSON(AccountRequest.self, context: context)
            var problems = Problems()
            if let username = problems.require(body.username, "username"),
                username.range(of: #"^[a-z0-9][a-z0-9._-]{2,63}$"#, options: .regularExpression) == nil
            {
                problems.add("username", "must be 3-64 lowercase letters, digits, '.', '_' or '-'")
            }
            if let password = problems.require(body.password, "password"), password.count < PasswordHasher.minimumLength
            {
                problems.add("password", "must have at least \(PasswordHasher.minimumLength) characters")
            }
            let role = problems.require(body.role, "role")
            problems.oneOf(role, Role.allCases.map(\.rawValue), "role")
            if (role == "agency" || role == "coordinator") && body.agencyID == nil {
                problems.add("agency_id", "is required for an \(role!) account")
            }
            let scope = problems.check("scope", problems.require(body.scope, "scope")) { try RegionCode($0) }
            try problems.throwIfAny()
            return try await services.session(request, context, readOnly: false, roles: [.admin]) { _, connection in
                try await services.idempotent(request, body: bytes, on: connection) {
                    let hash = try await services.hasher.hash(body.password!)
                    let account = try await AccountStore.create(
                        username: body.username!, passwordHash: hash, role: role!, agencyID: body.agencyID,
                        scope: scope!.value, on: connection)
                    return try encodeJSON(account, status: .created)
                }
            }
        }
        router.patch("/api/v1/accounts/:id") { request, context -> JSONResponse<Account> in
            let id = try context.parameters.id("id")
            var request = request
            let (body, _) = try await request.decodeJSON(AccountRequest.self, context: context)
            var problems = Problems()
            if body.username != nil { problems.add("username", "cannot change") }
            if body.agencyID != nil { problems.add("agency_id", "cannot change; create another account") }
            problems.oneOf(body.role, Role.allCases.map(\.rawValue), "role")
            let scope = problems.check("scope", body.scope) { try RegionCode($0) }
            if let password = body.password, password.count < PasswordHasher.minimumLength {
                problems.add("password", "must have at least \(PasswordHasher.minimumLength) characters")
            }
            try problems.throwIfAny()
            // Only an admin may make the server spend a bcrypt hash (the role first, then the work).
            _ = try await services.authenticate(request, context, roles: [.admin])
            let hash = try await body.password.asyncMap { try await services.hasher.hash($0) }
            return try await services.session(request, context, readOnly: false, roles: [.admin]) { _, connection in
                guard
                    let account = try await AccountStore.update(
                        id, active: body.active, passwordHash: hash, role: body.role, scope: scope?.value,
                        on: connection)
                else { throw APIError.notFound("account") }
                return JSONResponse(account)
            }
        }
        router.get("/api/v1/accounts") { request, context -> JSONResponse<Page<Account>> in
            let paging = try Paging(request)
            return try await services.session(request, context, readOnly: true, roles: [.admin]) { _, connection in
                JSONResponse(
                    paging.page(
                        try await AccountStore.list(after: paging.after, limit: paging.limit, on: connection), id: \.id)
                )
            }
        }
        router.get("/api/v1/accounts/:id") { request, context -> JSONResponse<Account> in
            let id = try context.parameters.id("id")
            return try await services.session(request, context, readOnly: true, roles: [.admin]) { _, connection in
                guard let account = try await AccountStore.find(id, on: connection) else {
                    throw APIError.notFound("account")
                }
                return JSONResponse(account)
            }
        }
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
