import Foundation
import PaduAPI
import PaduStore
import PaduTestSupport
import Testing

/// Boundary values in every numeric and text field of every write endpoint, and in every query
/// and path parameter: each answer is a success or a 4xx in the contract's envelope, never a
/// 500, and the server is still up afterwards. Numbers past Int64 and text with NUL are a 422
/// naming the field.
@Suite("Boundary values and hostile requests", .serialized)
struct BoundaryValueTests {
    /// Numbers as JSON text: 0, -1, 2^15, 2^31, 2^63 - 1, 2^63, 2^64, -2^63 - 1, a fraction, 1e308.
    static let numbers = [
        "0", "-1", "32768", "2147483648", "9223372036854775807", "9223372036854775808", "18446744073709551616",
        "-9223372036854775809", "1.5", "1e308",
    ]
    /// Numbers no Int64 holds: each must be a 422 naming the field.
    static let outOfRange: Set<String> = [
        "9223372036854775808", "18446744073709551616", "-9223372036854775809", "1.5", "1e308",
    ]
    static let huge = String(repeating: "x", count: 100_000)
    /// Text as JSON: empty, blank, huge, NUL alone and inside, a lone surrogate, emoji, a number.
    static let texts = [
        #""""#, #""   ""#, "\"\(huge)\"", #""\u0000""#, #""a\u0000b""#, #""\ud800""#, #""🌾\u00e9""#, "12345",
    ]
    static let nulTexts: Set<String> = [#""\u0000""#, #""a\u0000b""#]

    /// A JSON template whose variable fields are written `{N:default}` (a number) or
    /// `{S:default}` (a string). Each variant sets one field to a boundary value and every other
    /// field to its default.
    struct Template {
        var role: String
        var method: String
        var path: String
        var json: String

        static let marker = try! NSRegularExpression(pattern: #"\{([NS]):([^{}]*)\}"#)

        /// (field label, kind, body) for each field and boundary value.
        func variants() -> [(field: String, value: String, body: String)] {
            let range = NSRange(json.startIndex..., in: json)
            let matches = Self.marker.matches(in: json, range: range)
            func render(_ replaced: Int?, with value: String) -> String {
                var text = ""
                var last = json.startIndex
                for (index, match) in matches.enumerated() {
                    let whole = Range(match.range, in: json)!
                    let kind = json[Range(match.range(at: 1), in: json)!]
                    let fallback = String(json[Range(match.range(at: 2), in: json)!])
                    text += json[last..<whole.lowerBound]
                    if index == replaced {
                        text += value
                    } else {
                        text += kind == "N" ? fallback : "\"\(fallback)\""
                    }
                    last = whole.upperBound
                }
                return text + json[last...]
            }
            var result: [(String, String, String)] = []
            for (index, match) in matches.enumerated() {
                let kind = json[Range(match.range(at: 1), in: json)!]
                // The field's name: the key written just before the marker, or `]` for an
                // array element (`rejected_recipients[1]`).
                let prefix = json[..<Range(match.range, in: json)!.lowerBound]
                let key =
                    prefix.last == ":" ? prefix.split(separator: "\"").dropLast().last.map(String.init) ?? "?" : "]"
                for value in kind == "N" ? BoundaryValueTests.numbers : BoundaryValueTests.texts {
                    result.append((key, value, render(index, with: value)))
                }
            }
            return result
        }
    }

    /// Sends every variant of every template and checks each answer.
    @Test("every numeric and text field of every write endpoint takes boundary values without a 500")
    func writeEndpoints() async throws {
        let api = try await TestAPI.start("boundary_write", households: 20)
        defer { api.stop() }
        let tokens = try await api.tokens("admin", "baznas", "dinsos")
        let program = api.programs["BEDAH-RUMAH"]!
        let kk = "1606010101190001"
        let nik = "1606011503800001"
        // A submitted plan to decide on, and a budget for realisations.
        let plan = try await api.post(
            "/api/v1/plans", as: tokens["baznas"],
            [
                "program_id": program, "fiscal_year": 2019, "period": "2019-Q2",
                "recipients": [["kk": kk], ["kk": "1606010101190002"]],
            ])
        #expect(plan.status == 201, "\(plan.text)")
        let planID = (try? plan.decode(Plan.self).id) ?? 1
        #expect(try await api.request("POST", "/api/v1/plans/\(planID)/submit", token: tokens["baznas"]).status == 200)

        let templates = [
            Template(
                role: "", method: "POST", path: "/api/v1/auth/login",
                json: #"{"username":{S:nobody},"password":{S:wrong-password}}"#),
            Template(
                role: "admin", method: "POST", path: "/api/v1/accounts",
                json:
                    #"{"username":{S:boundary-user},"password":{S:boundary-password},"role":{S:agency},"agency_id":{N:\#(api.agencies["DINKES"]!)},"scope":{S:16.06}}"#
            ),
            Template(
                role: "admin", method: "PATCH", path: "/api/v1/accounts/\(try await api.accountID("dinkes"))",
                json: #"{"password":{S:another-password},"role":{S:agency},"scope":{S:16.06},"agency_id":{N:1}}"#),
            Template(
                role: "admin", method: "POST", path: "/api/v1/agencies",
                json: #"{"code":{S:BOUNDARY},"name":{S:Dinas Batas},"kind":{S:dinas},"region_code":{S:16.06}}"#),
            Template(
                role: "baznas", method: "POST", path: "/api/v1/programs",
                json:
                    #"{"code":{S:B-1},"name":{S:Batas},"cluster_id":{N:1},"aid_kind":{S:cash},"aid_category":{S:food},"target":{S:person},"unit":{S:paket}}"#
            ),
            Template(
                role: "baznas", method: "PATCH", path: "/api/v1/programs/\(program)",
                json: #"{"name":{S:Bedah Rumah},"cluster_id":{N:1},"unit":{S:rumah},"code":{S:BEDAH-RUMAH}}"#),
            Template(
                role: "baznas", method: "PUT", path: "/api/v1/programs/\(program)/budgets/2020",
                json: #"{"allocations":[{"funding_source":{S:BAZNAS},"allocated_idr":{N:1000}}]}"#),
            Template(
                role: "baznas", method: "POST", path: "/api/v1/programs/\(program)/realizations",
                json:
                    #"{"fiscal_year":{N:2019},"month":{N:3},"amount_idr":{N:1},"output_quantity":{N:1},"funding_source":{S:BAZNAS},"over_budget_reason":{S:boundary}}"#
            ),
            Template(
                role: "baznas", method: "PUT", path: "/api/v1/programs/\(program)/reports/2019-Q2",
                json:
                    #"{"target_quantity":{N:7},"achieved_quantity":{N:1},"narrative":{S:ok},"status":{S:draft}}"#),
            Template(
                role: "admin", method: "PUT", path: "/api/v1/periods/2030-Q1", json: #"{"status":{S:open}}"#),
            Template(
                role: "dinsos", method: "POST", path: "/api/v1/registry/import",
                json:
                    #"{"source":{S:DTKS},"as_of":{S:2019-01-31},"households":[{"kk":{S:\#(kk)},"region_code":{S:16.06.01.2001},"address":{S:Dusun 1},"decile":{N:2},"members":[{"nik":{S:\#(nik)},"name":{S:Ahmad},"birth_date":{S:1980-03-15},"sex":{S:M},"relationship":{S:head}}]}]}"#
            ),
            Template(
                role: "baznas", method: "POST", path: "/api/v1/coordination/check",
                json:
                    #"{"program_id":{N:\#(program)},"fiscal_year":{N:2019},"recipients":[{"nik":{S:\#(nik)},"planned_value_idr":{N:1},"planned_quantity":{N:1}}]}"#
            ),
            Template(
                role: "baznas", method: "POST", path: "/api/v1/plans",
                json:
                    #"{"program_id":{N:\#(program)},"fiscal_year":{N:2019},"period":{S:2019-Q3},"recipients":[{"kk":{S:\#(kk)},"planned_value_idr":{N:1},"planned_quantity":{N:1}}]}"#
            ),
            Template(
                role: "dinsos", method: "POST", path: "/api/v1/plans/\(planID)/decision",
                json:
                    #"{"decision":{S:reject},"reason":{S:outside the target},"rejected_recipients":[{"line_no":{N:0},"reason":{S:decile}},{S:\#(kk)}]}"#
            ),
            Template(
                role: "baznas", method: "POST", path: "/api/v1/programs/\(program)/deliveries",
                json:
                    #"{"deliveries":[{"kk":{S:\#(kk)},"delivered_on":{S:2019-05-01},"quantity":{N:1},"value_idr":{N:1}}]}"#
            ),
            Template(
                role: "dinsos", method: "POST", path: "/api/v1/registry/duplicates/1/2/decision",
                json: #"{"decision":{S:different}}"#),
        ]
        var sent = 0
        for template in templates {
            for (field, value, body) in template.variants() {
                let result = try await api.request(
                    template.method, template.path, token: tokens[template.role], body: Array(body.utf8),
                    contentType: "application/json")
                sent += 1
                let label = "\(template.method) \(template.path) \(field)=\(value.prefix(40))"
                expectContractAnswer(result, label)
                if Self.nulTexts.contains(value) {
                    #expect(result.status == 422, "\(label): \(result.status)")
                    #expect(result.errorFields.contains { $0.hasSuffix(field) }, "\(label): \(result.text)")
                }
                if Self.outOfRange.contains(value) {
                    #expect(result.status == 422, "\(label): \(result.status)")
                    #expect(result.errorFields.contains { $0.hasSuffix(field) }, "\(label): \(result.text)")
                }
            }
        }
        #expect(sent > 400)
        try await expectAlive(api)
    }

    @Test("CSV bodies: numbers past Int64, huge deciles, NUL and invalid UTF-8 are 4xx")
    func csvBodies() async throws {
        let api = try await TestAPI.start("boundary_csv", households: 20)
        defer { api.stop() }
        let tokens = try await api.tokens("baznas", "dinsos")
        let program = api.programs["BEDAH-RUMAH"]!
        let header = RegistryData.csvHeader
        let row = "1606010101190001,16.06.01.2001,Dusun 1,{D},1606011503800001,{NAME},1980-03-15,M,head"
        var registryBodies: [(String, [UInt8])] = []
        for decile in Self.numbers + ["", "x", "99999", "-32769"] {
            registryBodies.append(
                (
                    "decile=\(decile)",
                    Array(
                        (header + "\n"
                            + row.replacingOccurrences(of: "{D}", with: decile).replacingOccurrences(
                                of: "{NAME}", with: "Ahmad")).utf8)
                ))
        }
        registryBodies.append(
            (
                "name=NUL",
                Array(
                    (header + "\n"
                        + row.replacingOccurrences(of: "{D}", with: "2").replacingOccurrences(
                            of: "{NAME}", with: "Ah\u{0}mad")).utf8)
            ))
        registryBodies.append(
            (
                "name=huge",
                Array(
                    (header + "\n"
                        + row.replacingOccurrences(of: "{D}", with: "2").replacingOccurrences(
                            of: "{NAME}", with: Self.huge)).utf8)
            ))
        registryBodies.append(("invalid UTF-8", Array(header.utf8) + [10, 0xff, 0xfe, 0xc3, 0x28]))
        for (label, body) in registryBodies {
            for query in [
                "?source=DTKS&as_of=2019-01-31", "?source=%00&as_of=2019-02-30", "?as_of=9223372036854775808",
            ] {
                let result = try await api.request(
                    "POST", "/api/v1/registry/import\(query)", token: tokens["dinsos"], body: body,
                    contentType: "text/csv")
                expectContractAnswer(result, "registry CSV \(label) \(query)")
                #expect(result.status >= 400, "registry CSV \(label) \(query): \(result.status)")
            }
        }
        let recipients = "nik,planned_value_idr,planned_quantity\n1606011503800001,{V},{Q}"
        for value in Self.numbers + ["", "x", "1e3"] {
            for (v, q) in [(value, "1"), ("1", value)] {
                let body = recipients.replacingOccurrences(of: "{V}", with: v).replacingOccurrences(of: "{Q}", with: q)
                for path in ["/api/v1/coordination/check", "/api/v1/plans"] {
                    let result = try await api.request(
                        "POST", "\(path)?program_id=\(program)&fiscal_year=2019&period=2019-Q3",
                        token: tokens["baznas"],
                        body: Array(body.utf8), contentType: "text/csv")
                    expectContractAnswer(result, "\(path) CSV \(v),\(q)")
                }
            }
        }
        for query in Self.numbers.map({ "program_id=\($0)&fiscal_year=2019" })
            + Self.numbers.map({ "program_id=\(program)&fiscal_year=\($0)" }) + [
                "program_id=%00&fiscal_year=%00&period=%00"
            ]
        {
            let result = try await api.request(
                "POST", "/api/v1/coordination/check?\(query)", token: tokens["baznas"],
                body: Array("nik\n1606011503800001".utf8), contentType: "text/csv")
            expectContractAnswer(result, "check CSV ?\(query)")
            #expect(result.status >= 400, "check CSV ?\(query): \(result.status)")
        }
        let nul = try await api.request(
            "POST", "/api/v1/coordination/check?program_id=\(program)&fiscal_year=2019", token: tokens["baznas"],
            body: Array("nik\n16060115038\u{0}00001".utf8), contentType: "text/csv")
        #expect(nul.status == 422)
        #expect(nul.errorFields == ["row 2, nik"], "\(nul.text)")
        try await expectAlive(api)
    }

    @Test("query and path parameters take boundary values without a 500")
    func parameters() async throws {
        let api = try await TestAPI.start("boundary_params", households: 20)
        defer { api.stop() }
        let tokens = try await api.tokens("admin", "baznas", "dinsos", "bupati")
        let program = api.programs["BEDAH-RUMAH"]!
        let values =
            Self.numbers.map { $0.replacingOccurrences(of: "+", with: "%2B") } + [
                "", "%00", "a%00b", "%FF%FE", "%C3%28", String(repeating: "9", count: 5000), "2019-Q2%00", "16.06%00",
            ]
        let queries: [(String, String, [String])] = [
            ("admin", "/api/v1/accounts", ["limit", "cursor"]),
            ("baznas", "/api/v1/programs", ["limit", "cursor"]),
            ("baznas", "/api/v1/plans", ["limit", "cursor", "status"]),
            ("baznas", "/api/v1/programs/\(program)/deliveries", ["year", "limit", "cursor"]),
            ("baznas", "/api/v1/programs/\(program)/realizations", ["year"]),
            ("baznas", "/api/v1/regions", ["parent"]),
            ("baznas", "/api/v1/reports", ["period"]),
            ("bupati", "/api/v1/summary", ["year"]),
            ("bupati", "/api/v1/summary/regions", ["year", "level"]),
            ("dinsos", "/api/v1/registry/duplicates", ["status", "limit"]),
            ("bupati", "/", ["year"]),
        ]
        for (role, path, names) in queries {
            for name in names {
                for value in values {
                    let result = try await api.get("\(path)?\(name)=\(value)", as: tokens[role])
                    expectContractAnswer(result, "GET \(path)?\(name)=\(value.prefix(30))", html: path == "/")
                }
            }
        }
        let paths: [(String, String, String)] = [
            ("admin", "GET", "/api/v1/accounts/{}"), ("baznas", "GET", "/api/v1/agencies/{}"),
            ("baznas", "GET", "/api/v1/programs/{}"), ("baznas", "GET", "/api/v1/plans/{}"),
            ("baznas", "GET", "/api/v1/programs/{}/budgets/2019"),
            ("baznas", "GET", "/api/v1/programs/\(program)/budgets/{}"),
            ("baznas", "GET", "/api/v1/programs/{}/deliveries"), ("baznas", "GET", "/api/v1/regions/{}"),
            ("dinsos", "GET", "/api/v1/registry/persons/{}"), ("baznas", "POST", "/api/v1/plans/{}/submit"),
            ("dinsos", "POST", "/api/v1/registry/duplicates/{}/1/decision"),
            ("baznas", "PUT", "/api/v1/programs/\(program)/reports/{}"), ("admin", "PUT", "/api/v1/periods/{}"),
        ]
        for (role, method, template) in paths {
            for value in values where !value.isEmpty {
                let path = template.replacingOccurrences(of: "{}", with: value)
                let result = try await api.request(
                    method, path, token: tokens[role], json: method == "GET" ? nil : ["status": "open"])
                expectContractAnswer(result, "\(method) \(path.prefix(80))")
                #expect(result.status >= 400, "\(method) \(path.prefix(80)): \(result.status)")
            }
        }
        let idempotency = try await api.request(
            "POST", "/api/v1/programs", token: tokens["baznas"],
            json: [
                "code": "IDEM", "name": "x", "cluster_id": 1, "aid_kind": "cash", "aid_category": "food",
                "target": "person", "unit": "x",
            ],
            headers: [("Idempotency-Key", String(repeating: "k", count: 5000))])
        #expect(idempotency.status == 422)
        try await expectAlive(api)
    }

    @Test("a path with empty segments still authenticates before the body is read")
    func pathVariants() async throws {
        let api = try await TestAPI.start("boundary_paths", households: 0) { $0.bodyLimit = 1024 }
        defer { api.stop() }
        // Over the body limit: reading the body first would answer 413, authenticating first 401.
        let body = Array(String(repeating: "x", count: 4096).utf8)
        for path in [
            "/api/v1/programs", "//api/v1/programs", "/api//v1/programs", "/api/v1//programs", "/api/v1/programs/",
            "//api//v1//programs//", "/api/v1/registry/import", "//api/v1/registry/import",
        ] {
            for token in [nil, "made-up-token"] as [String?] {
                let result = try await api.request(
                    "POST", path, token: token, body: body, contentType: "application/json")
                #expect(result.status == 401, "\(path) \(token ?? "no token"): \(result.status)")
                #expect(result.isEnvelope("unauthenticated"), "\(path): \(result.text)")
            }
        }
        try await expectAlive(api)
    }

    @Test("a known path asked with another method is 405 with Allow, in the envelope")
    func methodNotAllowed() async throws {
        let api = try await TestAPI.start("boundary_methods", households: 0)
        defer { api.stop() }
        let token = try await api.login("baznas")
        for (method, path, allow) in [
            ("DELETE", "/api/v1/programs", "POST, GET"), ("PUT", "/api/v1/programs/1", "GET, PATCH"),
            ("DELETE", "/api/v1/programs/1", "GET, PATCH"), ("GET", "/api/v1/auth/login", "POST"),
            ("POST", "/health", "GET"), ("PATCH", "/api/v1/me", "GET"), ("OPTIONS", "/api/v1/programs/1", "GET, PATCH"),
            ("DELETE", "//api/v1//programs/7/", "GET, PATCH"),
        ] {
            let result = try await api.request(method, path, token: token)
            #expect(result.status == 405, "\(method) \(path): \(result.status)")
            #expect(result.isEnvelope("method_not_allowed"), "\(method) \(path): \(result.text)")
            #expect(
                Set(
                    (result.header("Allow") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                )
                    == Set(allow.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }),
                "\(method) \(path): Allow \(result.header("Allow") ?? "-")")
        }
        // Every documented path, with every method the document does not list for it: 405,
        // and Allow names exactly the documented methods.
        let paths = try await api.get("/openapi.json", as: nil).decodeVerbatim(OpenAPIDocument.self).paths
        var checked = 0
        for (template, item) in paths {
            let documented = Set(
                item.keys.filter { ["get", "post", "put", "patch", "delete"].contains($0) }.map { $0.uppercased() })
            let path = template.replacingOccurrences(of: #"\{[^}]+\}"#, with: "1", options: .regularExpression)
            for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] where !documented.contains(method) {
                let result = try await api.request(method, path, token: token)
                #expect(result.status == 405, "\(method) \(path): \(result.status)")
                let allow = Set(
                    (result.header("Allow") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                )
                #expect(allow == documented, "\(method) \(path): Allow \(result.header("Allow") ?? "-")")
                checked += 1
            }
        }
        #expect(checked > 100)
        // Unknown paths stay 404.
        let unknown = try await api.request("DELETE", "/api/v1/nothing-here", token: token)
        #expect(unknown.status == 404)
        #expect(unknown.isEnvelope("not_found"))
    }

    @Test("a non-admin's PATCH /accounts/{id} with a password is 403 before any password is hashed")
    func noHashingForOtherRoles() async throws {
        // At cost 17 one hash takes seconds: a quick 403 shows none was made.
        let api = try await TestAPI.start("boundary_hash", households: 0) { $0.bcryptCost = 17 }
        defer { api.stop() }
        let tokens = try await api.tokens("baznas", "dinsos", "bupati")
        let id = try await api.accountID("dinkes")
        for (name, token) in tokens {
            let clock = ContinuousClock()
            var result: HTTPResult?
            let elapsed = try await clock.measure {
                result = try await api.patch(
                    "/api/v1/accounts/\(id)", as: token, ["password": "a-long-new-password"])
            }
            #expect(result?.status == 403, "\(name)")
            #expect(elapsed < .seconds(3), "\(name): \(elapsed)")
        }
    }

    // MARK: helpers

    /// A success, or a 4xx whose body is exactly the contract's envelope; never a 5xx.
    func expectContractAnswer(_ result: HTTPResult, _ label: String, html: Bool = false) {
        #expect(result.status > 0 && result.status < 500, "\(label): \(result.status) \(result.text.prefix(300))")
        if result.status >= 400 && !(html && result.header("Content-Type")?.hasPrefix("text/html") == true) {
            #expect(
                result.errorCode != nil && result.isEnvelope(result.errorCode!),
                "\(label): \(result.status) \(result.text.prefix(300))")
        }
    }

    /// The server still answers, and still signs people in.
    func expectAlive(_ api: TestAPI) async throws {
        let health = try await api.get("/health", as: nil)
        #expect(health.status == 200)
        _ = try await api.login("bupati")
    }
}
