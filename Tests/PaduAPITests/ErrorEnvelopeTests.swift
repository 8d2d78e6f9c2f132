import Foundation
import PQ
import PaduAPI
import PaduTestSupport
import Testing

/// Every error, whatever its cause, is `{"error": {"code", "message", "details"}}` with the
/// contract's status, and every response carries an `X-Request-ID`.
@Suite("Error envelope and request hygiene", .serialized)
struct ErrorEnvelopeTests {
    @Test("JSON that does not parse is 400 malformed_request, with or without a token")
    func malformedJSON() async throws {
        let api = try await TestAPI.start("err_malformed")
        defer { api.stop() }
        let token = try await api.login("baznas")
        for (path, auth) in [("/api/v1/programs", token), ("/api/v1/auth/login", nil)] as [(String, String?)] {
            let result = try await api.request(
                "POST", path, token: auth, body: Array(#"{"code": "X", "name": "#.utf8),
                contentType: "application/json")
            #expect(result.status == 400, "\(path)")
            #expect(result.isEnvelope("malformed_request"), "\(path): \(result.text)")
            #expect(result.header("Content-Type")?.hasPrefix("application/json") == true)
        }
        // A JSON value of the wrong shape (an array for an object) is not a crash either.
        let array = try await api.request("POST", "/api/v1/programs", token: token, json: [1, 2, 3])
        #expect([400, 422].contains(array.status))
        #expect(array.errorCode == "malformed_request" || array.errorCode == "validation_failed")
    }

    @Test("a body that is not JSON is 415 unsupported_media_type")
    func wrongContentType() async throws {
        let api = try await TestAPI.start("err_media")
        defer { api.stop() }
        let token = try await api.login("baznas")
        let body = Array(
            #"{"code":"X1","name":"x","cluster_id":1,"aid_kind":"cash","aid_category":"cash_transfer","target":"person","unit":"x"}"#
                .utf8)
        for contentType in ["text/plain", "application/x-www-form-urlencoded", "text/csv"] {
            let result = try await api.request(
                "POST", "/api/v1/programs", token: token, body: body, contentType: contentType)
            #expect(result.status == 415, "\(contentType)")
            #expect(result.isEnvelope("unsupported_media_type"), "\(contentType): \(result.text)")
        }
        let none = try await api.request("POST", "/api/v1/programs", token: token, body: body)
        #expect(none.status == 415)
        #expect(none.errorCode == "unsupported_media_type")
        // The parameter after the type is fine.
        let charset = try await api.request(
            "POST", "/api/v1/programs", token: token, body: body, contentType: "application/json; charset=utf-8")
        #expect(charset.status == 201)
        #expect(try await api.scalar("SELECT count(*) FROM padu.programs WHERE code = 'X1'") == 1)
    }

    @Test("a sign-in body over its 16 KiB limit is 413 payload_too_large")
    func loginTooLarge() async throws {
        let api = try await TestAPI.start("err_login_large")
        defer { api.stop() }
        let big = ["username": "baznas", "password": String(repeating: "p", count: 20 * 1024)]
        let result = try await api.post("/api/v1/auth/login", as: nil, big)
        #expect(result.status == 413)
        #expect(result.isEnvelope("payload_too_large"))
    }

    @Test("a body over the configured limit is 413 payload_too_large")
    func configuredBodyLimit() async throws {
        let api = try await TestAPI.start("err_body_limit") { $0.bodyLimit = 1024 }
        defer { api.stop() }
        let token = try await api.login("baznas")
        var body: [String: Any] = [
            "code": "BIG", "name": String(repeating: "n", count: 150), "cluster_id": 1, "aid_kind": "cash",
            "aid_category": "cash_transfer",
            "target": "person", "unit": "paket", "padding": String(repeating: "x", count: 2048),
        ]
        let result = try await api.post("/api/v1/programs", as: token, body)
        #expect(result.status == 413)
        #expect(result.isEnvelope("payload_too_large"))
        #expect(try await api.scalar("SELECT count(*) FROM padu.programs WHERE code = 'BIG'") == 0)
        // Just under the limit is read as usual.
        body["padding"] = String(repeating: "x", count: 600)
        let small = try await api.post("/api/v1/programs", as: token, body)
        #expect(small.status == 201)
    }

    @Test("a registry import over the import limit is 413 and writes nothing")
    func importTooLarge() async throws {
        let api = try await TestAPI.start("err_import_limit") { $0.registryImportLimit = 1024 }
        defer { api.stop() }
        let token = try await api.login("dinsos")
        let persons = try await api.scalar("SELECT count(*) FROM padu.persons")
        let result = try await api.post(
            "/api/v1/registry/import", as: token, RegistryData.json(RegistryData.households(20)))
        #expect(result.status == 413)
        #expect(result.isEnvelope("payload_too_large"))
        #expect(try await api.scalar("SELECT count(*) FROM padu.persons") == persons)
    }

    @Test("a value of the wrong JSON type is 422 naming the field")
    func wrongType() async throws {
        let api = try await TestAPI.start("err_type")
        defer { api.stop() }
        let token = try await api.login("baznas")
        let result = try await api.post(
            "/api/v1/programs", as: token,
            [
                "code": "T1", "name": "x", "cluster_id": "one", "aid_kind": "cash", "aid_category": "cash_transfer",
                "target": "person", "unit": "x",
            ])
        #expect(result.status == 422)
        #expect(result.isEnvelope("validation_failed"))
        #expect(result.errorFields == ["cluster_id"])
        let nested = try await api.put(
            "/api/v1/programs/\(api.programs["BEDAH-RUMAH"]!)/budgets/2020", as: token,
            ["allocations": [["funding_source": "BAZNAS", "allocated_idr": "lots"]]])
        #expect(nested.status == 422)
        #expect(nested.errorFields == ["allocations[0].allocated_idr"])
    }

    @Test("an unknown path is a 404 in the envelope, not a bare page")
    func unknownRoute() async throws {
        let api = try await TestAPI.start("err_route")
        defer { api.stop() }
        let token = try await api.login("admin")
        for path in ["/api/v1/nothing-here", "/api/v2/programs", "/api/v1/programs/1/unknown"] {
            let result = try await api.get(path, as: token)
            #expect(result.status == 404, "\(path)")
            #expect(result.isEnvelope("not_found"), "\(path): \(result.text)")
        }
    }

    @Test("every response carries its own X-Request-ID, errors included")
    func requestIDEverywhere() async throws {
        let api = try await TestAPI.start("err_request_id")
        defer { api.stop() }
        let token = try await api.login("baznas")
        let bstbk = api.programs["BSTBK"]!
        let results: [(Int, HTTPResult)] = [
            (200, try await api.get("/api/v1/me", as: token)),
            (200, try await api.get("/health", as: nil)),
            (201, try await api.post("/api/v1/programs", as: token, program("RID-1"))),
            (401, try await api.get("/api/v1/me", as: nil)),
            (403, try await api.get("/api/v1/accounts", as: token)),
            (404, try await api.get("/api/v1/programs/\(bstbk)", as: token)),
            (
                400,
                try await api.request(
                    "POST", "/api/v1/programs", token: token, body: Array("{".utf8), contentType: "application/json")
            ),
            (415, try await api.request("POST", "/api/v1/programs", token: token, body: [0x7B, 0x7D])),
            (422, try await api.post("/api/v1/programs", as: token, ["code": "!"])),
            (204, try await api.request("POST", "/api/v1/auth/logout", token: token)),
        ]
        var seen = Set<String>()
        for (status, result) in results {
            #expect(result.status == status)
            let id = result.header("X-Request-ID") ?? ""
            #expect(!id.isEmpty, "status \(status) has no X-Request-ID")
            #expect(seen.insert(id).inserted, "request id \(id) repeated")
        }
    }

    @Test("without credentials the answer is 401 before the body is read or judged")
    func authenticationFirst() async throws {
        let api = try await TestAPI.start("err_auth_first")
        defer { api.stop() }
        let cases: [(String, String, String, String)] = [
            ("POST", "/api/v1/programs", "{", "application/json"),
            ("POST", "/api/v1/programs", "{}", "text/plain"),
            ("POST", "/api/v1/accounts", "{}", "application/json"),
            ("POST", "/api/v1/agencies", "{}", "application/json"),
            ("PUT", "/api/v1/periods/2019-Q1", "{}", "application/json"),
            ("POST", "/api/v1/registry/import", "{}", "application/json"),
            ("POST", "/api/v1/registry/import", "kk\n1", "text/csv"),
        ]
        var forged: [String: Int] = [:]
        for (method, path, body, type) in cases {
            let anonymous = try await api.request(method, path, body: Array(body.utf8), contentType: type)
            #expect(anonymous.status == 401, "\(method) \(path) \(type)")
            #expect(anonymous.isEnvelope("unauthenticated"))
            #expect(anonymous.header("X-Request-ID") != nil)
            let withForgedToken = try await api.request(
                method, path, token: "forged-token", body: Array(body.utf8), contentType: type)
            forged["\(method) \(path) \(type)"] = withForgedToken.status
        }
        for (request, status) in forged.sorted(by: { $0.key < $1.key }) {
            #expect(status == 401, "\(request) answered \(status)")
        }
    }

    @Test("amounts that could overflow a sum are refused with 422 naming the field, leaking nothing")
    func overflowRefused() async throws {
        let api = try await TestAPI.start("err_overflow")
        defer { api.stop() }
        let token = try await api.login("baznas")
        let path = "/api/v1/programs/\(api.programs["BEDAH-RUMAH"]!)/realizations"
        let huge = try await api.post(
            path, as: token,
            ["fiscal_year": 2019, "month": 1, "amount_idr": Int64.max, "over_budget_reason": "test of limits"])
        #expect(huge.status == 422)
        #expect(huge.errorFields == ["amount_idr"])
        let budget = try await api.put(
            "/api/v1/programs/\(api.programs["BEDAH-RUMAH"]!)/budgets/2020", as: token,
            [
                "allocations": [
                    ["funding_source": "APBN", "allocated_idr": Int64.max],
                    ["funding_source": "CSR", "allocated_idr": Int64.max],
                ]
            ])
        #expect(budget.status == 422)
        #expect(Set(budget.errorFields) == ["allocations[0].allocated_idr", "allocations[1].allocated_idr"])
        let lowered = (huge.text + budget.text).lowercased()
        for leak in ["select", "insert", "bigint", "padu.", "sqlstate", "pqerror", "exception", ".swift"] {
            #expect(!lowered.contains(leak), "the error body mentions \(leak)")
        }
        #expect(
            try await api.scalar("SELECT count(*) FROM padu.realizations WHERE month = 1 AND fiscal_year = 2019") == 0)
        // The server is still there.
        #expect(try await api.get("/health", as: nil).status == 200)
    }

    private func program(_ code: String) -> [String: Any] {
        [
            "code": code, "name": "Programme \(code)", "cluster_id": 1, "aid_kind": "cash",
            "aid_category": "cash_transfer", "target": "person",
            "unit": "paket",
        ]
    }
}
