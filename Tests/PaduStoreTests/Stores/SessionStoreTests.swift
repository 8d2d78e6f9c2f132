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

    @Test("sign-in finds the candidate; failures count per key; a session opens, authenticates and closes")
    func signInLifecycle() async throws {
        let f = try await Fixture.shared("store_sessions")
        let keys = ["u:baznas", "a:192.0.2.10"]
        let (before, candidate) = try await f.db.signIn(readOnly: true) { sessions in
            try await sessions.prepare(username: "baznas", keys: keys, window: Self.window)
        }
        #expect(before.isEmpty)
        #expect(candidate?.accountID == f.accounts["baznas"])
        #expect(candidate?.passwordHash == Fixture.bcryptShaped)
        #expect(candidate?.active == true)

        for _ in 0..<2 { try await f.db.signIn { sessions in try await sessions.recordFailure(keys: keys) } }
        let (failed, _) = try await f.db.signIn(readOnly: true) { sessions in
            try await sessions.prepare(username: "baznas", keys: keys, window: Self.window)
        }
        #expect(
            Dictionary(uniqueKeysWithValues: failed.map { ($0.key, $0.count) }) == ["u:baznas": 2, "a:192.0.2.10": 2])
        #expect(failed.allSatisfy { $0.oldest <= Date() && $0.oldest > Date().addingTimeInterval(-60) })

        let token = Self.token()
        let (expires, account) = try await f.db.signIn { sessions in
            try await sessions.open(
                accountID: f.accounts["baznas"]!, tokenHash: token, lifetime: .seconds(3600), usernameKey: "u:baznas")
        }
        #expect(abs(expires.timeIntervalSinceNow - 3600) < 60)
        #expect(account.id == f.accounts["baznas"])
        #expect(account.username == "baznas")
        #expect(account.role == .agency)
        #expect(account.agencyID == f.agencies["BAZNAS"])
        #expect(account.scope == "16.06")

        // Success clears the username's failures, not the address's.
        let (after, _) = try await f.db.signIn(readOnly: true) { sessions in
            try await sessions.prepare(username: "baznas", keys: keys, window: Self.window)
        }
        #expect(after.map(\.key) == ["a:192.0.2.10"])

        let caller = try await f.db.transaction(tokenHash: token, requestID: "t-1", readOnly: true) { tx in tx.caller }
        #expect(caller == f.caller("baznas"))
        try await f.db.transaction(tokenHash: token, requestID: "t-2", readOnly: false) { tx in
            try await tx.sessions.close(tokenHash: token)
        }
        await #expect(throws: AccessError.unauthenticated) {
            try await f.db.transaction(tokenHash: token, requestID: "t-3", readOnly: true) { _ in }
        }
    }

    @Test("an unknown username has no candidate; a failure outside the window is not counted")
    func unknownUser() async throws {
        let f = try await Fixture.shared("store_sessions")
        try await f.db.signIn { sessions in try await sessions.recordFailure(keys: ["u:nobody"]) }
        let (failures, candidate) = try await f.db.signIn(readOnly: true) { sessions in
            try await sessions.prepare(username: "nobody", keys: ["u:nobody"], window: Self.window)
        }
        #expect(candidate == nil)
        #expect(failures.map(\.count) == [1])
        try await f.database.withAdmin { c in
            try await c.query(
                "UPDATE padu.login_failures SET failed_at = now() - interval '1 hour' WHERE key = 'u:nobody'")
        }
        let (later, _) = try await f.db.signIn(readOnly: true) { sessions in
            try await sessions.prepare(username: "nobody", keys: ["u:nobody"], window: Self.window)
        }
        #expect(later.isEmpty)
    }

    @Test("a session opens only its role's operations, and ends when the admin deactivates the account")
    func rolesAndDeactivation() async throws {
        let f = try await Fixture.shared("store_sessions")
        let token = Self.token()
        _ = try await f.db.signIn { sessions in
            try await sessions.open(
                accountID: f.accounts["dinkes"]!, tokenHash: token, lifetime: .seconds(600), usernameKey: "u:dinkes")
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
        let (_, candidate) = try await f.db.signIn(readOnly: true) { sessions in
            try await sessions.prepare(username: "dinkes", keys: [], window: Self.window)
        }
        #expect(candidate?.active == false)
    }

    @Test("one account cannot end another's session")
    func closeOnlyOwn() async throws {
        let f = try await Fixture.shared("store_sessions")
        let token = Self.token()
        _ = try await f.db.signIn { sessions in
            try await sessions.open(
                accountID: f.accounts["bupati"]!, tokenHash: token, lifetime: .seconds(600), usernameKey: "u:bupati")
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
                accountID: f.accounts["dinsos"]!, tokenHash: token, lifetime: .seconds(600), usernameKey: "u:dinsos")
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
