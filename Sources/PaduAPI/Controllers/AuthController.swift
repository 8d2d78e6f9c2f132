import Foundation
import Hummingbird
import PaduStore

/// The account as the API shows it to its owner.
struct AccountBody: Codable, Sendable {
    var id: Int64
    var username: String
    var role: Role
    var agencyID: Int64?
    var scope: String
    var active: Bool?
}

/// Sign-in: the same answer, in about the same time, for a wrong password and an unknown
/// user; attempts counted per username and client address, and per address, across all
/// instances, claimed before the password is checked. The bcrypt check runs between two short
/// transactions, so it never holds a pooled connection.
struct SignIn: Sendable {
    let services: APIServices

    struct Result: Encodable {
        var token: String
        var expiresAt: Date
        var account: AccountBody
    }

    func callAsFunction(username rawUsername: String, password: String, address: String?) async throws -> Result {
        // No account's name holds NUL, which the database cannot even compare: a wrong login.
        guard !rawUsername.contains("\u{0}") else {
            throw APIError(.unauthorized, code: "unauthenticated", message: "wrong username or password")
        }
        let username = rawUsername.lowercased()
        let configuration = services.configuration
        // The attempt is claimed and committed before the password is checked: parallel
        // guesses queue on the counter's row, and failures from one address do not lock the
        // user out from others.
        let claim = try await services.db.signIn { sessions in
            try await sessions.claimAttempt(
                username: username, address: address, window: configuration.loginWindow,
                maxPerPair: configuration.maxFailuresPerUsername, maxPerAddress: configuration.maxFailuresPerAddress)
        }
        guard claim.allowed else { throw APIError.rateLimited(retryAfter: max(1, claim.retryAfter)) }
        let matches = try await services.hasher.verify(password, against: claim.candidate?.passwordHash)
        guard let candidate = claim.candidate, matches, candidate.active else {
            throw APIError(.unauthorized, code: "unauthenticated", message: "wrong username or password")
        }
        let token = Tokens.generate()
        let (expires, account) = try await services.db.signIn { sessions in
            try await sessions.open(
                accountID: candidate.accountID, tokenHash: Tokens.hash(token), lifetime: configuration.tokenLifetime,
                username: username, address: address)
        }
        return Result(
            token: token, expiresAt: expires,
            account: AccountBody(
                id: account.id, username: account.username, role: account.role, agencyID: account.agencyID,
                scope: account.scope, active: nil))
    }
}

/// `/api/v1/auth/login`, `/logout` and `/me`.
struct AuthController: Sendable {
    let services: APIServices

    struct LoginBody: Decodable {
        var username: String
        var password: String
    }

    func register(on router: RouteRegistrar) {
        router.post("/api/v1/auth/login", use: login)
        router.post("/api/v1/auth/logout", use: logout)
        router.get("/api/v1/me", use: me)
    }

    @Sendable func login(_ request: Request, context: PaduRequestContext) async throws -> JSONResponse<SignIn.Result> {
        var request = request
        let (body, _) = try await request.decodeJSON(LoginBody.self, context: context, limit: 16 * 1024)
        guard !body.username.isEmpty, !body.password.isEmpty, body.username.count <= 64, body.password.count <= 200
        else {
            throw APIError(.unauthorized, code: "unauthenticated", message: "wrong username or password")
        }
        let signIn = SignIn(services: services)
        return JSONResponse(
            try await signIn(username: body.username, password: body.password, address: context.clientAddress))
    }

    @Sendable func logout(_ request: Request, context: PaduRequestContext) async throws -> Response {
        let token = Tokens.bearer(request)
        try await services.transaction(token: token, context, readOnly: false) { transaction in
            try await transaction.sessions.close(tokenHash: Tokens.hash(token ?? ""))
        }
        return Response(status: .noContent)
    }

    @Sendable func me(_ request: Request, context: PaduRequestContext) async throws -> JSONResponse<AccountBody> {
        try await services.transaction(request, context, readOnly: true) { transaction in
            let caller = transaction.caller
            return JSONResponse(
                AccountBody(
                    id: caller.accountID, username: caller.username, role: caller.role, agencyID: caller.agencyID,
                    scope: caller.scope, active: true))
        }
    }
}
