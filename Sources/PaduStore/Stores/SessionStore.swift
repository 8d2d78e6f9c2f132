import Foundation
import PQ

/// An account as its owner sees it after signing in.
public struct SignedInAccount: Sendable {
    public var id: Int64
    public var username: String
    public var role: Role
    public var agencyID: Int64?
    public var scope: String
}

/// Sign-in, sign-out and the failed-login counters. Before anyone is authenticated it works
/// only through the `padu.login_*` functions, which reveal nothing but what sign-in needs.
public struct SessionStore: Sendable {
    let connection: PQConnection

    /// A candidate for sign-in: the account's password hash and whether it is active.
    public struct Candidate: Sendable {
        public var accountID: Int64
        public var passwordHash: String
        public var active: Bool
    }

    /// Claims an attempt slot for `username` from `address` before the password is checked,
    /// and reads the account it names (if any): one round trip. Attempts are counted per
    /// (username, address) and per address within `window`; past `maxPerPair` or
    /// `maxPerAddress`, `allowed` is false and `retryAfter` says when to come back. Commit the
    /// claim before checking the password, so parallel guesses queue on the counters.
    public func claimAttempt(
        username: String, address: String?, window: Duration, maxPerPair: Int, maxPerAddress: Int
    ) async throws -> (allowed: Bool, retryAfter: Int, candidate: Candidate?) {
        let seconds = Double(window.components.seconds)
        let results = try await connection.pipeline([
            """
            SELECT allowed, retry_after_seconds
              FROM padu.login_attempt(\(username), \(address), make_interval(secs => \(seconds)),
                                      \(Int32(clamping: maxPerPair)), \(Int32(clamping: maxPerAddress)))
            """,
            "SELECT account_id, password_hash, active FROM padu.login_candidate(\(username))",
        ])
        guard let (allowed, retry) = try results[0].first((Bool, Int32).self) else {
            throw DatabaseError.unexpected(code: "no login attempt answer")
        }
        let candidate = try results[1].first((Int64, String, Bool).self).map {
            Candidate(accountID: $0.0, passwordHash: $0.1, active: $0.2)
        }
        return (allowed, Int(retry), candidate)
    }

    /// Opens a session for `tokenHash` lasting `lifetime`, clears the attempts of `username`
    /// from `address`, and returns when it expires with the account as the database now
    /// authenticates it.
    public func open(
        accountID: Int64, tokenHash: [UInt8], lifetime: Duration, username: String, address: String?
    ) async throws -> (expiresAt: Date, account: SignedInAccount) {
        let seconds = Double(lifetime.components.seconds)
        let results = try await connection.pipeline([
            """
            SELECT padu.login_succeeded(\(accountID), \(PQBytes(tokenHash)), make_interval(secs => \(seconds)),
                                        \("u:" + username))
            """,
            "SELECT padu.login_attempt_succeeded(\(username), \(address))",
            "SELECT account_id, username, role, agency_id, scope FROM padu.authenticate(\(PQBytes(tokenHash)))",
        ])
        guard let expires = try results[0].first(Date.self),
            let (id, name, roleName, agency, scope) = try results[2].first(
                (Int64, String, String, Int64?, String).self),
            let role = Role(rawValue: roleName)
        else { throw DatabaseError.unexpected(code: "session not opened") }
        return (expires, SignedInAccount(id: id, username: name, role: role, agencyID: agency, scope: scope))
    }

    /// Ends the session of `tokenHash`.
    public func close(tokenHash: [UInt8]) async throws {
        try await connection.query("SELECT padu.logout(\(PQBytes(tokenHash)))")
    }
}

/// What became of an `Idempotency-Key` claim.
public enum IdempotencyClaim: Sendable, Equatable {
    /// The key is new: do the work, then `complete` it.
    case claimed
    /// The same request was answered before: send this again.
    case replay(status: Int, body: [UInt8])
    /// The key was used with another request.
    case mismatch
    /// The first request with this key has not finished.
    case inProgress
}

/// `Idempotency-Key` claims, per account, in the request's own transaction: a failed attempt
/// leaves no claim.
public struct IdempotencyStore: Sendable {
    let connection: PQConnection

    /// Claims `key` for the request whose fingerprint is `fingerprint` (a digest of method,
    /// path and body).
    public func claim(key: String, fingerprint: [UInt8]) async throws -> IdempotencyClaim {
        let claimed =
            try await connection.query(
                """
                INSERT INTO padu.idempotency_keys (key, request_hash, status_code, response_body)
                VALUES (\(key), \(PQBytes(fingerprint)), 0, '\\x') ON CONFLICT DO NOTHING RETURNING 1
                """
            ).count == 1
        if claimed { return .claimed }
        let stored = try await connection.query(
            "SELECT request_hash, status_code, response_body FROM padu.idempotency_keys WHERE key = \(key)"
        ).first((PQBytes, Int16, PQBytes).self)
        guard let (hash, status, response) = stored, hash.bytes == fingerprint else { return .mismatch }
        guard status > 0 else { return .inProgress }
        return .replay(status: Int(status), body: response.bytes)
    }

    /// Stores the answer to a claimed key.
    public func complete(key: String, status: Int, body: [UInt8]) async throws {
        try await connection.query(
            """
            UPDATE padu.idempotency_keys SET status_code = \(Int16(clamping: status)),
                   response_body = \(PQBytes(body))
             WHERE key = \(key) AND account_id = padu.current_account()
            """)
    }
}
