import Foundation
import PQ
import PaduAPI
import PaduCore
import PaduStore
import PaduTestSupport
import Testing

/// `/me`, sign-in's answer, and the admin's accounts: create, list, read, change, deactivate.
@Suite("Accounts over HTTP", .serialized)
struct AccountTests {
    static var newAccount: [String: Any] {
        [
            "username": "operator.dinkes", "password": "a-long-enough-password", "role": "agency", "scope": "16.06",
        ]
    }

    @Test("sign-in answers token, expiry and the account; /me answers the account of each role")
    func loginAndMe() async throws {
        let api = try await TestAPI.start("acct_me")
        defer { api.stop() }
        let login = try await api.post(
            "/api/v1/auth/login", as: nil, ["username": "BAZNAS", "password": TestAPI.password])
        #expect(login.status == 200)
        let signedIn = try login.decode(LoginResponse.self)
        #expect(signedIn.token.count >= 32)
        #expect(signedIn.expiresAt > Date())
        let account = signedIn.account
        #expect(account.username == "baznas")
        #expect(account.role == "agency")
        #expect(account.agencyID == api.agencies["BAZNAS"])
        #expect(account.scope == "16.06")
        #expect(account.id == (try await api.accountID("baznas")))
        let raw = try login.jsonValue()["account"]
        #expect(raw?["password_hash"] == nil && raw?["password"] == nil)

        let expected: [(String, String, String?, String)] = [
            ("admin", "admin", nil, "16.06"), ("bupati", "executive", nil, "16.06"),
            ("dinsos", "coordinator", "DINSOS", "16.06"), ("sekayu", "coordinator", "DINSOS", "16.06.01"),
            ("baznas", "agency", "BAZNAS", "16.06"), ("dinkes", "agency", "DINKES", "16.06"),
        ]
        for (name, role, agency, scope) in expected {
            let me = try await api.get("/api/v1/me", as: try await api.login(name))
            #expect(me.status == 200, "\(name)")
            let account = try me.decode(SignedInAccount.self)
            #expect(account.username == name)
            #expect(account.role == role, "\(name)")
            #expect(account.agencyID == agency.map { api.agencies[$0]! }, "\(name)")
            #expect(account.scope == scope, "\(name)")
        }
    }

    @Test("logout ends only that session; other sessions of the same user live on")
    func logoutOneSession() async throws {
        let api = try await TestAPI.start("acct_logout")
        defer { api.stop() }
        let first = try await api.login("dinkes")
        let second = try await api.login("dinkes")
        #expect(try await api.request("POST", "/api/v1/auth/logout", token: first).status == 204)
        let dead = try await api.get("/api/v1/programs", as: first)
        #expect(dead.status == 401)
        #expect(dead.isEnvelope("unauthenticated"))
        #expect(try await api.get("/api/v1/programs", as: second).status == 200)
        let again = try await api.request("POST", "/api/v1/auth/logout", token: first)
        #expect(again.status == 401)
        let anonymous = try await api.request("POST", "/api/v1/auth/logout")
        #expect(anonymous.status == 401)
        #expect(anonymous.errorCode == "unauthenticated")
    }

    @Test("the admin creates an account that can sign in at once")
    func create() async throws {
        let api = try await TestAPI.start("acct_create")
        defer { api.stop() }
        let admin = try await api.login("admin")
        var body = Self.newAccount
        body["agency_id"] = api.agencies["DINKES"]!
        let created = try await api.post("/api/v1/accounts", as: admin, body)
        #expect(created.status == 201)
        let account = try created.decode(Account.self)
        #expect(account.username == "operator.dinkes")
        #expect(account.role == .agency)
        #expect(account.agencyID == api.agencies["DINKES"])
        #expect(account.scope.value == "16.06")
        #expect(account.active == true)
        let raw = try created.jsonValue()
        #expect(raw["password_hash"] == nil && raw["password"] == nil)
        let id = account.id
        #expect(try await api.accountID("operator.dinkes") == id)
        let read = try await api.get("/api/v1/accounts/\(id)", as: admin)
        #expect(read.status == 200)
        #expect(try read.decode(Account.self).username == "operator.dinkes")
        let token = try await api.login("operator.dinkes", password: "a-long-enough-password")
        let me = try await api.get("/api/v1/me", as: token)
        #expect(try me.decode(SignedInAccount.self).agencyID == api.agencies["DINKES"])
    }

    @Test("only the admin manages accounts: every other role is 403 forbidden")
    func nonAdminsRefused() async throws {
        let api = try await TestAPI.start("acct_forbidden")
        defer { api.stop() }
        let adminID = try await api.accountID("admin")
        var body = Self.newAccount
        body["agency_id"] = api.agencies["DINKES"]!
        for name in ["bupati", "dinsos", "sekayu", "baznas"] {
            let token = try await api.login(name)
            let attempts = [
                try await api.post("/api/v1/accounts", as: token, body),
                try await api.get("/api/v1/accounts", as: token),
                try await api.get("/api/v1/accounts/\(adminID)", as: token),
                try await api.patch("/api/v1/accounts/\(adminID)", as: token, ["active": false]),
            ]
            for result in attempts {
                #expect(result.status == 403, "\(name): \(result.text)")
                #expect(result.isEnvelope("forbidden"), "\(name)")
            }
        }
        #expect(try await api.scalar("SELECT count(*) FROM padu.accounts WHERE username = 'operator.dinkes'") == 0)
        #expect(try await api.scalar("SELECT count(*) FROM padu.accounts WHERE active") == 6)
    }

    @Test("a bad account request is 422 naming every bad field")
    func validation() async throws {
        let api = try await TestAPI.start("acct_invalid")
        defer { api.stop() }
        let admin = try await api.login("admin")
        let result = try await api.post(
            "/api/v1/accounts", as: admin,
            ["username": "No Spaces!", "password": "short", "role": "king", "scope": "16-06"])
        #expect(result.status == 422)
        #expect(result.isEnvelope("validation_failed"))
        #expect(Set(result.errorFields) == ["username", "password", "role", "scope"])
        let missing = try await api.post("/api/v1/accounts", as: admin, [String: Any]())
        #expect(missing.status == 422)
        #expect(Set(missing.errorFields) == ["username", "password", "role", "scope"])
        let noAgency = try await api.post(
            "/api/v1/accounts", as: admin,
            ["username": "coord.two", "password": "a-long-enough-password", "role": "coordinator", "scope": "16.06"])
        #expect(noAgency.status == 422)
        #expect(noAgency.errorFields == ["agency_id"])
        #expect(try await api.scalar("SELECT count(*) FROM padu.accounts") == 6)
    }

    @Test("a username that exists is 409 conflict")
    func duplicateUsername() async throws {
        let api = try await TestAPI.start("acct_duplicate")
        defer { api.stop() }
        let admin = try await api.login("admin")
        let result = try await api.post(
            "/api/v1/accounts", as: admin,
            ["username": "bupati", "password": "a-long-enough-password", "role": "executive", "scope": "16.06"])
        #expect(result.status == 409)
        #expect(result.isEnvelope("conflict"))
        #expect(try await api.scalar("SELECT count(*) FROM padu.accounts WHERE username = 'bupati'") == 1)
    }

    @Test("deactivating an account kills its existing token at once, and sign-in with it")
    func deactivate() async throws {
        let api = try await TestAPI.start("acct_deactivate")
        defer { api.stop() }
        let admin = try await api.login("admin")
        let baznas = try await api.login("baznas")
        #expect(try await api.get("/api/v1/programs", as: baznas).status == 200)
        let id = try await api.accountID("baznas")
        let patched = try await api.patch("/api/v1/accounts/\(id)", as: admin, ["active": false])
        let after = try await api.get("/api/v1/programs", as: baznas)
        let relogin = try await api.post(
            "/api/v1/auth/login", as: nil, ["username": "baznas", "password": TestAPI.password])
        let active = try await api.text("SELECT active::text FROM padu.accounts WHERE id = \(id)")
        do {
            #expect(patched.status == 200)
            let account = try? patched.decode(Account.self)
            #expect(account?.active == false)
            #expect(account?.username == "baznas")
            #expect(active == "false")
            #expect(after.status == 401)
            #expect(after.isEnvelope("unauthenticated"))
            #expect(relogin.status == 401)
        }
        // Whatever PATCH answers, a deactivated account is locked out at once.
        try await api.database.withAdmin { c in
            _ = try await c.query("UPDATE padu.accounts SET active = false WHERE id = \(id)")
        }
        let locked = try await api.get("/api/v1/programs", as: baznas)
        #expect(locked.status == 401)
        #expect(locked.isEnvelope("unauthenticated"))
        let lockedLogin = try await api.post(
            "/api/v1/auth/login", as: nil, ["username": "baznas", "password": TestAPI.password])
        #expect(lockedLogin.status == 401)
        // Reactivated, the user signs in again; the old token stays dead.
        try await api.database.withAdmin { c in
            _ = try await c.query("UPDATE padu.accounts SET active = true WHERE id = \(id)")
        }
        let fresh = try await api.login("baznas")
        #expect(try await api.get("/api/v1/me", as: fresh).status == 200)
        #expect(try await api.get("/api/v1/me", as: baznas).status == 401)
    }

    @Test("a new password from the admin ends the user's sessions; the new password works")
    func passwordChange() async throws {
        let api = try await TestAPI.start("acct_password")
        defer { api.stop() }
        let admin = try await api.login("admin")
        let dinkes = try await api.login("dinkes")
        let id = try await api.accountID("dinkes")
        let result = try await api.patch(
            "/api/v1/accounts/\(id)", as: admin, ["password": "another-long-password"])
        let me = try await api.get("/api/v1/me", as: dinkes)
        let old = try await api.post(
            "/api/v1/auth/login", as: nil, ["username": "dinkes", "password": TestAPI.password])
        let new = try await api.post(
            "/api/v1/auth/login", as: nil, ["username": "dinkes", "password": "another-long-password"])
        do {
            #expect(result.status == 200)
            #expect(me.status == 401)
            #expect(old.status == 401)
            #expect(new.status == 200)
        }
    }

    @Test("PATCH refuses what cannot change, and answers 404 for an unknown account")
    func patchRules() async throws {
        let api = try await TestAPI.start("acct_patch")
        defer { api.stop() }
        let admin = try await api.login("admin")
        let id = try await api.accountID("dinkes")
        let rename = try await api.patch(
            "/api/v1/accounts/\(id)", as: admin,
            ["username": "renamed", "agency_id": api.agencies["BAZNAS"]!, "role": "emperor", "password": "short"])
        #expect(rename.status == 422)
        #expect(Set(rename.errorFields) == ["username", "agency_id", "role", "password"])
        #expect(try await api.text("SELECT username FROM padu.accounts WHERE id = \(id)") == "dinkes")
        let unknown = try await api.patch("/api/v1/accounts/999999", as: admin, ["active": false])
        do {
            #expect(unknown.status == 404)
            #expect(unknown.isEnvelope("not_found"))
        }
        #expect(try await api.get("/api/v1/accounts/999999", as: admin).status == 404)
        #expect(try await api.get("/api/v1/accounts/not-a-number", as: admin).status == 404)
        #expect(try await api.get("/api/v1/accounts/\(id)", as: admin).status == 200)
    }

    @Test("the account list pages with limit and next_cursor")
    func listPaging() async throws {
        let api = try await TestAPI.start("acct_list")
        defer { api.stop() }
        let admin = try await api.login("admin")
        let all = try await api.get("/api/v1/accounts", as: admin)
        #expect(all.status == 200)
        let allPage = try all.page(of: Account.self)
        #expect(
            Set(allPage.items.map(\.username)) == [
                "admin", "bupati", "dinsos", "sekayu", "baznas", "dinkes",
            ])
        #expect(allPage.nextCursor == nil)
        var seen: [String] = []
        var cursor: String? = nil
        for _ in 0..<4 {
            let path = "/api/v1/accounts?limit=4" + (cursor.map { "&cursor=\($0)" } ?? "")
            let result = try await api.get(path, as: admin)
            #expect(result.status == 200)
            let page = try result.page(of: Account.self)
            #expect(page.items.count <= 4)
            seen += page.items.map(\.username)
            cursor = page.nextCursor
            if cursor == nil { break }
        }
        #expect(seen.count == 6 && Set(seen).count == 6)
        for bad in ["limit=0", "limit=1001", "limit=ten", "cursor=-1"] {
            let result = try await api.get("/api/v1/accounts?\(bad)", as: admin)
            #expect(result.status == 422, "\(bad)")
            #expect(result.errorFields == [String(bad.prefix { $0 != "=" })], "\(bad)")
        }
    }
}
