import Foundation
import PaduAPI
import Testing

@Suite("Authentication over HTTP")
struct AuthTests {
    @Test("login returns a token that works, and logout kills it at once")
    func loginLogout() async throws {
        let api = try await TestAPI.start("auth_login")
        defer { api.stop() }
        let token = try await api.login("baznas")
        let me = try await api.get("/api/v1/me", as: token)
        #expect(me.status == 200)
        let account = try me.decode(SignedInAccount.self)
        #expect(account.username == "baznas")
        #expect(account.role == "agency")
        let logout = try await api.request("POST", "/api/v1/auth/logout", token: token)
        #expect(logout.status == 204)
        let after = try await api.get("/api/v1/me", as: token)
        #expect(after.status == 401)
        #expect(after.errorCode == "unauthenticated")
    }

    @Test("a wrong password and an unknown user get the same answer")
    func sameAnswer() async throws {
        let api = try await TestAPI.start("auth_same")
        defer { api.stop() }
        let wrong = try await api.post(
            "/api/v1/auth/login", as: nil, ["username": "baznas", "password": "nope-nope-nope"])
        let unknown = try await api.post(
            "/api/v1/auth/login", as: nil, ["username": "nobody", "password": "nope-nope-nope"])
        #expect(wrong.status == 401 && unknown.status == 401)
        #expect(wrong.text == unknown.text)
    }

    @Test("repeated failures for a username are rate-limited with Retry-After")
    func rateLimited() async throws {
        let api = try await TestAPI.start("auth_rate") { $0.maxFailuresPerUsername = 3 }
        defer { api.stop() }
        for _ in 0..<3 {
            let result = try await api.post(
                "/api/v1/auth/login", as: nil, ["username": "dinkes", "password": "wrong-password"])
            #expect(result.status == 401)
        }
        let limited = try await api.post(
            "/api/v1/auth/login", as: nil, ["username": "dinkes", "password": TestAPI.password])
        #expect(limited.status == 429)
        #expect(limited.errorCode == "rate_limited")
        #expect(Int(limited.header("Retry-After") ?? "") ?? 0 > 0)
    }

    @Test("every request needs a live token")
    func needsToken() async throws {
        let api = try await TestAPI.start("auth_token")
        defer { api.stop() }
        for path in ["/api/v1/me", "/api/v1/programs", "/api/v1/agencies"] {
            let result = try await api.get(path, as: nil)
            #expect(result.status == 401, "\(path)")
            let forged = try await api.get(path, as: "not-a-real-token")
            #expect(forged.status == 401, "\(path)")
        }
        let health = try await api.get("/health", as: nil)
        #expect(health.status == 200)
    }
}
