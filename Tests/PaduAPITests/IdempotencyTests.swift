import Foundation
import PQ
import PaduAPI
import PaduStore
import PaduTestSupport
import Testing

/// `Idempotency-Key` on creating POSTs: a retry with the same key and body gets the first
/// response and creates nothing; the same key with another body is 409.
@Suite("Idempotent retries over HTTP", .serialized)
struct IdempotencyTests {
    static var programme: [String: Any] {
        [
            "code": "RETRY-1", "name": "Programme sent twice", "cluster_id": 2, "aid_kind": "service",
            "aid_category": "social_service",
            "target": "person", "unit": "orang",
        ]
    }

    @Test("a retried programme creation returns the first response and creates nothing new")
    func retryProgramme() async throws {
        let api = try await TestAPI.start("idem_program")
        defer { api.stop() }
        let token = try await api.login("baznas")
        let key = [("Idempotency-Key", "create-retry-1-\(UUID().uuidString)")]
        let bytes = try jsonBytes(Self.programme)
        let first = try await api.post("/api/v1/programs", as: token, bytes: bytes, headers: key)
        #expect(first.status == 201)
        let second = try await api.post("/api/v1/programs", as: token, bytes: bytes, headers: key)
        #expect(second.status == 201)
        #expect(second.body == first.body)
        #expect(try second.decode(Program.self).id == first.decode(Program.self).id)
        #expect(second.header("Content-Type")?.hasPrefix("application/json") == true)
        #expect(try await api.scalar("SELECT count(*) FROM padu.programs WHERE code = 'RETRY-1'") == 1)
        #expect(try await api.scalar("SELECT count(*) FROM padu.programs") == 8)
        // Without a key, the same body is a new request: a conflict on the code, not a replay.
        let unkeyed = try await api.post("/api/v1/programs", as: token, Self.programme)
        #expect(unkeyed.status == 409)
    }

    @Test("the same key with a different body is 409 conflict and creates nothing")
    func keyReusedWithOtherBody() async throws {
        let api = try await TestAPI.start("idem_conflict")
        defer { api.stop() }
        let token = try await api.login("baznas")
        let key = [("Idempotency-Key", "reused-key")]
        #expect(try await api.post("/api/v1/programs", as: token, Self.programme, headers: key).status == 201)
        var other = Self.programme
        other["code"] = "RETRY-2"
        let conflict = try await api.post("/api/v1/programs", as: token, other, headers: key)
        #expect(conflict.status == 409)
        #expect(conflict.isEnvelope("conflict"))
        #expect(try await api.scalar("SELECT count(*) FROM padu.programs WHERE code = 'RETRY-2'") == 0)
        // The same key on another endpoint is another request too.
        let elsewhere = try await api.post(
            "/api/v1/programs/\(api.programs["BEDAH-RUMAH"]!)/realizations", as: token,
            ["fiscal_year": 2019, "month": 1, "amount_idr": 1, "over_budget_reason": "x"], headers: key)
        #expect(elsewhere.status == 409)
        #expect(try await api.scalar("SELECT count(*) FROM padu.realizations WHERE month = 1") == 0)
    }

    @Test("a retried realisation returns the first row and writes no second one")
    func retryRealization() async throws {
        let api = try await TestAPI.start("idem_realization")
        defer { api.stop() }
        let token = try await api.login("dinsos")
        let bstbk = api.programs["BSTBK"]!
        let body = try jsonBytes(["fiscal_year": 2019, "month": 4, "amount_idr": 25_000_000, "output_quantity": 80])
        let key = [("Idempotency-Key", "realisasi-april")]
        let path = "/api/v1/programs/\(bstbk)/realizations"
        let first = try await api.post(path, as: token, bytes: body, headers: key)
        #expect(first.status == 201)
        for _ in 0..<3 {
            let retry = try await api.post(path, as: token, bytes: body, headers: key)
            #expect(retry.status == 201)
            #expect(retry.body == first.body)
        }
        #expect(
            try await api.scalar(
                "SELECT count(*) FROM padu.realizations WHERE program_id = \(bstbk) AND fiscal_year = 2019") == 1)
        #expect(try await api.scalar("SELECT count(*) FROM padu.idempotency_keys") == 1)
    }

    @Test("a failed attempt leaves no claim on its key: the corrected retry goes through")
    func failureLeavesNoClaim() async throws {
        let api = try await TestAPI.start("idem_failure")
        defer { api.stop() }
        let token = try await api.login("baznas")
        let path = "/api/v1/programs/\(api.programs["BEDAH-RUMAH"]!)/realizations"
        let key = [("Idempotency-Key", "over-budget-then-reason")]
        let refused = try await api.post(
            path, as: token, ["fiscal_year": 2019, "month": 10, "amount_idr": 5], headers: key)
        #expect(refused.status == 422)
        #expect(try await api.scalar("SELECT count(*) FROM padu.idempotency_keys") == 0)
        let retried = try await api.post(
            path, as: token, ["fiscal_year": 2019, "month": 10, "amount_idr": 5, "over_budget_reason": "disetujui"],
            headers: key)
        #expect(retried.status == 201)
        #expect(try await api.scalar("SELECT count(*) FROM padu.realizations WHERE month = 10") == 1)
    }

    @Test("keys belong to an account: another agency with the same key and body creates its own")
    func keysPerAccount() async throws {
        let api = try await TestAPI.start("idem_accounts")
        defer { api.stop() }
        let key = [("Idempotency-Key", "shared-key")]
        let baznas = try await api.post(
            "/api/v1/programs", as: try await api.login("baznas"), Self.programme, headers: key)
        let dinkes = try await api.post(
            "/api/v1/programs", as: try await api.login("dinkes"), Self.programme, headers: key)
        #expect(baznas.status == 201 && dinkes.status == 201)
        let (baznasProgram, dinkesProgram) = (try baznas.decode(Program.self), try dinkes.decode(Program.self))
        #expect(baznasProgram.id != dinkesProgram.id)
        #expect(dinkesProgram.agencyID == api.agencies["DINKES"])
        #expect(try await api.scalar("SELECT count(*) FROM padu.programs WHERE code = 'RETRY-1'") == 2)
    }

    @Test("retried account and agency creation by the admin replay the first answer")
    func retryAdminCreates() async throws {
        let api = try await TestAPI.start("idem_admin")
        defer { api.stop() }
        let admin = try await api.login("admin")
        let account: [String: Any] = [
            "username": "staf.bappeda", "password": "a-long-enough-password", "role": "executive", "scope": "16.06",
        ]
        let agency: [String: Any] = [
            "code": "BAPPEDA", "name": "Bappeda Muba", "kind": "badan", "region_code": "16.06",
        ]
        for (path, body, table) in [
            ("/api/v1/accounts", account, "accounts"), ("/api/v1/agencies", agency, "agencies"),
        ] as [(String, [String: Any], String)] {
            let before = try await api.scalar(
                table == "accounts" ? "SELECT count(*) FROM padu.accounts" : "SELECT count(*) FROM padu.agencies")
            let key = [("Idempotency-Key", "admin-\(table)")]
            let bytes = try jsonBytes(body)
            let first = try await api.post(path, as: admin, bytes: bytes, headers: key)
            #expect(first.status == 201, "\(path)")
            let second = try await api.post(path, as: admin, bytes: bytes, headers: key)
            #expect(second.status == 201, "\(path)")
            #expect(second.body == first.body, "\(path)")
            let after = try await api.scalar(
                table == "accounts" ? "SELECT count(*) FROM padu.accounts" : "SELECT count(*) FROM padu.agencies")
            #expect(after == before + 1, "\(path)")
        }
    }

    @Test("an empty or overlong key is 422 on the Idempotency-Key field")
    func keyLength() async throws {
        let api = try await TestAPI.start("idem_length")
        defer { api.stop() }
        let token = try await api.login("baznas")
        let long = try await api.post(
            "/api/v1/programs", as: token, Self.programme,
            headers: [("Idempotency-Key", String(repeating: "k", count: 201))])
        #expect(long.status == 422)
        #expect(long.errorFields == ["Idempotency-Key"])
        let empty = try await api.post(
            "/api/v1/programs", as: token, Self.programme, headers: [("Idempotency-Key", "")])
        #expect(empty.status == 422)
        #expect(empty.errorFields == ["Idempotency-Key"])
        #expect(try await api.scalar("SELECT count(*) FROM padu.programs WHERE code = 'RETRY-1'") == 0)
        let longest = try await api.post(
            "/api/v1/programs", as: token, Self.programme,
            headers: [("Idempotency-Key", String(repeating: "k", count: 200))])
        #expect(longest.status == 201)
    }
}
