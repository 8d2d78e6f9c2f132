import Foundation
import PQ
import PaduCore
import PaduStore
import PaduTestSupport
import Testing

@Suite("SessionStore")
struct SessionStoreTests {
    static let window = Duration.seconds(15 * 60)

    static func token() -> [UInt8] { (0..<32).map { _ in UInt8.random(in: 0...255) } }

    func claim(_ f: Fixture, _ username: String, from address: String?, maxPerPair: Int = 5) async throws -> (
        allowed: Bool, retryAfter: Int, candidate: SessionStore.Candidate?
    ) {
        try await f.db.signIn { sessions in
            try await sessions.claimAttempt(
                username: username, address: address, window: Self.window, maxPerPair: maxPerPair, maxPerAddress: 30)
        }
    }

    @Test(
        "sign-in claims an attempt and finds the candidate; attempts count per username and address; a session opens, authenticates and closes"
    )
    func signInLifecycle() async throws {
        let f = try await Fixture.shared("store_sessions")
        let first = try await claim(f, "baznas", from: "192.0.2.10")
        #expect(first.allowed)
        #expect(first.candidate?.accountID == f.accounts["baznas"])
        #expect(first.candidate?.passwordHash == Fixture.bcryptShaped)
        #expect(first.candidate?.active == true)

        for _ in 0..<4 { #expect(try await claim(f, "baznas", from: "192.0.2.10").allowed) }
        let sixth = try await claim(f, "baznas", from: "192.0.2.10")
        #expect(!sixth.allowed)
        #expect(sixth.retryAfter > 0 && sixth.retryAfter <= 15 * 60)
        // Guesses from one address do not lock the user out from another.
        #expect(try await claim(f, "baznas", from: "192.0.2.11").allowed)

        let token = Self.token()
        let (expires, account) = try await f.db.signIn { sessions in
            try await sessions.open(
                accountID: f.accounts["baznas"]!, tokenHash: token, lifetime: .seconds(3600), username: "baznas",
                address: "192.0.2.10")
        }
        #expect(abs(expires.timeIntervalSinceNow - 3600) < 60)
        #expect(account.id == f.accounts["baznas"])
        #expect(account.username == "baznas")
        #expect(account.role == .agency)
        #expect(account.agencyID == f.agencies["BAZNAS"])
        #expect(account.scope == "16.06")

        // Success clears its pair's attempts.
        #expect(try await claim(f, "baznas", from: "192.0.2.10").allowed)

        let caller = try await f.db.transaction(tokenHash: token, requestID: "t-1", readOnly: true) { tx in tx.caller }
        #expect(caller == f.caller("baznas"))
        try await f.db.transaction(tokenHash: token, requestID: "t-2", readOnly: false) { tx in
            try await tx.sessions.close(tokenHash: token)
        }
        await #expect(throws: AccessError.unauthenticated) {
            try await f.db.transaction(tokenHash: token, requestID: "t-3", readOnly: true) { _ in }
        }
    }

    @Test("an unknown username has no candidate, and its attempts are counted all the same")
    func unknownUser() async throws {
        let f = try await Fixture.shared("store_sessions")
        let first = try await claim(f, "nobody", from: "192.0.2.20", maxPerPair: 1)
        #expect(first.allowed)
        #expect(first.candidate == nil)
        #expect(!(try await claim(f, "nobody", from: "192.0.2.20", maxPerPair: 1).allowed))
    }

    @Test("a session opens only its role's operations, and ends when the admin deactivates the account")
    func rolesAndDeactivation() async throws {
        let f = try await Fixture.shared("store_sessions")
        let token = Self.token()
        _ = try await f.db.signIn { sessions in
            try await sessions.open(
                accountID: f.accounts["dinkes"]!, tokenHash: token, lifetime: .seconds(600), username: "dinkes",
                address: nil)
        }
        await #expect(throws: AccessError.forbidden) {
            try await f.db.transaction(tokenHash: token, requestID: "r", readOnly: true, roles: [.coordinator]) { _ in }
        }
        let role = try await f.db.transaction(tokenHash: token, requestID: "r", readOnly: true, roles: [.agency]) {
            tx in tx.caller.role
        }
        #expect(role == .agency)
        _ = try await f.tx("admin") { tx in
            try await tx.accounts.update(f.accounts["dinkes"]!, AccountChanges(active: false))
        }
        await #expect(throws: AccessError.unauthenticated) {
            try await f.db.transaction(tokenHash: token, requestID: "r", readOnly: true) { _ in }
        }
        #expect(try await claim(f, "dinkes", from: nil).candidate?.active == false)
    }

    @Test("one account cannot end another's session")
    func closeOnlyOwn() async throws {
        let f = try await Fixture.shared("store_sessions")
        let token = Self.token()
        _ = try await f.db.signIn { sessions in
            try await sessions.open(
                accountID: f.accounts["bupati"]!, tokenHash: token, lifetime: .seconds(600), username: "bupati",
                address: nil)
        }
        try await f.tx("admin") { tx in try await tx.sessions.close(tokenHash: token) }
        let caller = try await f.db.transaction(tokenHash: token, requestID: "x", readOnly: true) { tx in tx.caller }
        #expect(caller == f.caller("bupati"))
    }

    @Test("an unknown or expired token authenticates nobody")
    func unknownToken() async throws {
        let f = try await Fixture.shared("store_sessions")
        await #expect(throws: AccessError.unauthenticated) {
            try await f.db.transaction(tokenHash: Self.token(), requestID: "x", readOnly: true) { _ in }
        }
        let token = Self.token()
        _ = try await f.db.signIn { sessions in
            try await sessions.open(
                accountID: f.accounts["dinsos"]!, tokenHash: token, lifetime: .seconds(600), username: "dinsos",
                address: nil)
        }
        try await f.database.withAdmin { c in
            try await c.query(
                "UPDATE padu.sessions SET created_at = now() - interval '2 hours', expires_at = now() - interval '1 hour' WHERE token_hash = \(PQBytes(token))"
            )
        }
        await #expect(throws: AccessError.unauthenticated) {
            try await f.db.transaction(tokenHash: token, requestID: "x", readOnly: true) { _ in }
        }
    }
}
