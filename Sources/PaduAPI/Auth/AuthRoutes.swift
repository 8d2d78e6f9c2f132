import Foundation
import Hummingbird
import PQ
import PaduStore

/// The account as the API shows it.
struct AccountBody: Codable, Sendable {
    var id: Int64
    var username: String
    var role: String
    var agencyID: Int64?
    var scope: String
    var active: Bool?
}

struct LoginRequest: Decodable {
    var username: String
    var password: String
}

struct LoginResponse: Encodable {
    var token: String
    var expiresAt: Date
    var account: AccountBody
}

/// Sign-in: the same answer, in about the same time, for a wrong password and an unknown
/// user; failures counted per username and per client address across all instances.
struct AuthService {
    let services: APIServices

    func login(username rawUsername: String, password: String, address: String?) async throws -> LoginResponse {
        let username = rawUsername.lowercased()
        // No account's name holds NUL, which the database cannot even compare: a wrong login.
        if username.utf8.contains(0) {
            throw APIError(.unauthorized, code: "unauthenticated", message: "wrong username or password")
        }
        let keys = ["u:" + username] + (address.map { ["a:" + $0] } ?? [])
        let configuration = services.configuration
        let window = configuration.loginWindow.components.seconds
        let (failures, candidate) = try await services.db.client.withTransaction(readOnly: true) { connection in
            let results = try await connection.pipeline([
                "SELECT key, failures, extract(epoch FROM oldest)::float8 FROM padu.login_failures_recent(\(keys), make_interval(secs => \(Double(window))))",
                "SELECT account_id, password_hash, active FROM padu.login_candidate(\(username))",
            ])
            return (
                try results[0].decode((String, Int, Double).self),
                try results[1].first((Int64, String, Bool).self)
            )
        }
        for (key, count, oldest) in failures {
            let limit = key.hasPrefix("u:") ? configuration.maxFailuresPerUsername : configuration.maxFailuresPerAddress
            if count >= limit {
                let retry = max(1, Int(oldest + Double(window) - Date().timeIntervalSince1970))
                throw APIError.rateLimited(retryAfter: retry)
            }
        }
        let matches = try await services.hasher.verify(password, against: candidate?.1)
        guard let (accountID, _, active) = candidate, matches, active else {
            try await services.db.client.withTransaction { connection in
                try await connection.query("SELECT padu.login_failed(\(keys))")
            }
            throw APIError(.unauthorized, code: "unauthenticated", message: "wrong username or password")
        }
        let token = Tokens.generate()
        let lifetime = Double(configuration.tokenLifetime.components.seconds)
        let account = try await services.db.client.withTransaction { connection in
            let results = try await connection.pipeline([
                "SELECT padu.login_succeeded(\(accountID), \(PQBytes(Tokens.hash(token))), make_interval(secs => \(lifetime)), \(keys[0]))",
                "SELECT account_id, username, role, agency_id, scope FROM padu.authenticate(\(PQBytes(Tokens.hash(token))))",
            ])
            return (
                try results[0].first(Date.self)!,
                try results[1].first((Int64, String, String, Int64?, String).self)!
            )
        }
        let (expires, (id, name, role, agency, scope)) = account
        return LoginResponse(
            token: token, expiresAt: expires,
            account: AccountBody(id: id, username: name, role: role, agencyID: agency, scope: scope, active: nil))
    }
}

extension APIRoutes {
    func addAuthRoutes(to router: RouteRegistrar) {
        let auth = AuthService(services: services)
        router.post("/api/v1/auth/login") { request, context -> JSONResponse<LoginResponse> in
            var request = request
            let (body, _) = try await request.decodeJSON(LoginRequest.self, context: context, limit: 16 * 1024)
            guard !body.username.isEmpty, !body.password.isEmpty, body.username.count <= 64, body.password.count <= 200
            else {
                throw APIError(.unauthorized, code: "unauthenticated", message: "wrong username or password")
            }
            return JSONResponse(
                try await auth.login(username: body.username, password: body.password, address: context.clientAddress))
        }
        router.post("/api/v1/auth/logout") { request, context -> Response in
            guard let token = Tokens.bearer(request) else { throw APIError.unauthenticated() }
            try await services.session(request, context, readOnly: false) { _, connection in
                try await connection.query("SELECT padu.logout(\(PQBytes(Tokens.hash(token))))")
            }
            return Response(status: .noContent)
        }
        router.get("/api/v1/me") { request, context -> JSONResponse<AccountBody> in
            try await services.session(request, context, readOnly: true) { caller, _ in
                JSONResponse(
                    AccountBody(
                        id: caller.accountID, username: caller.username, role: caller.role.rawValue,
                        agencyID: caller.agencyID, scope: caller.scope, active: true))
            }
        }
    }
}
