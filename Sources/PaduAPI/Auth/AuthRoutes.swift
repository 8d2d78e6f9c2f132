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
/// user; attempts counted per username and client address, and per address, across all
/// instances, claimed before the password is checked.
struct AuthService {
    let services: APIServices

    func login(username rawUsername: String, password: String, address: String?) async throws -> LoginResponse {
        let username = rawUsername.lowercased()
        let usernameKey = "u:" + username
        let configuration = services.configuration
        let window = configuration.loginWindow.components.seconds
        // Claims an attempt slot (per username and address, and per address) and commits it
        // before the password is checked: parallel guesses queue on the counter's row, and
        // failures from one address do not lock the user out from others.
        let (claim, candidate) = try await services.db.client.withTransaction { connection in
            let results = try await connection.pipeline([
                """
                SELECT allowed, retry_after_seconds FROM padu.login_attempt(\(username), \(address),
                    make_interval(secs => \(Double(window))), \(Int32(clamping: configuration.maxFailuresPerUsername)),
                    \(Int32(clamping: configuration.maxFailuresPerAddress)))
                """,
                "SELECT account_id, password_hash, active FROM padu.login_candidate(\(username))",
            ])
            return (
                try results[0].first((Bool, Int32).self)!,
                try results[1].first((Int64, String, Bool).self)
            )
        }
        if !claim.0 { throw APIError.rateLimited(retryAfter: Int(claim.1)) }
        let matches = try await services.hasher.verify(password, against: candidate?.1)
        guard let (accountID, _, active) = candidate, matches, active else {
            throw APIError(.unauthorized, code: "unauthenticated", message: "wrong username or password")
        }
        let token = Tokens.generate()
        let lifetime = Double(configuration.tokenLifetime.components.seconds)
        let account = try await services.db.client.withTransaction { connection in
            let results = try await connection.pipeline([
                "SELECT padu.login_succeeded(\(accountID), \(PQBytes(Tokens.hash(token))), make_interval(secs => \(lifetime)), \(usernameKey))",
                "SELECT padu.login_attempt_succeeded(\(username), \(address))",
                "SELECT account_id, username, role, agency_id, scope FROM padu.authenticate(\(PQBytes(Tokens.hash(token))))",
            ])
            return (
                try results[0].first(Date.self)!,
                try results[2].first((Int64, String, String, Int64?, String).self)!
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
