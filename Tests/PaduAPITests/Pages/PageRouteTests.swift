import Foundation
import PQ
import PaduCore
import PaduStore
import PaduTestSupport
import Testing

/// The pages over real HTTP against a real database: cookie flags, each role's home, the CSRF
/// refusal, 404 across agencies, forms shown again with their problems, and escaping.
@Suite("Pages for agencies and the coordinator")
struct PageRouteTests {
    /// A page request on the session cookie (the API's own token).
    static func page(
        _ api: TestAPI, _ method: String, _ path: String, token: String?, form: [(String, String)]? = nil,
        headers: [(String, String)] = []
    ) async throws -> HTTPResult {
        var all = headers
        if let token { all.append(("Cookie", "padu_session=\(token)")) }
        var body: [UInt8]?
        if let form {
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            body = Array(
                form.map {
                    "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
                }.joined(separator: "&").utf8)
            all.append(("Content-Type", "application/x-www-form-urlencoded"))
        }
        return try await HTTPClient.request(port: api.port, method, path, headers: all, body: body)
    }

    static func get(_ api: TestAPI, _ path: String, token: String?) async throws -> HTTPResult {
        try await page(api, "GET", path, token: token)
    }

    /// The CSRF token the page's forms carry.
    static func csrf(_ page: HTTPResult) throws -> String {
        let marker = "name=\"csrf\" value=\""
        let text = page.text
        let start = try #require(text.range(of: marker)).upperBound
        let end = try #require(text[start...].firstIndex(of: "\""))
        return String(text[start..<end])
    }

    /// Baznas' draft plan of two households, made through the JSON API.
    static func draft(_ api: TestAPI, token: String) async throws -> Int64 {
        let kks = try await api.database.withAdmin { c in
            try await c.query(
                """
                SELECT k.kk::text FROM padu.households h
                  JOIN padu.household_kk k ON k.household_id = h.id AND k.valid_to IS NULL
                 ORDER BY h.id LIMIT 2
                """
            ).decode(String.self)
        }
        let created = try await api.post(
            "/api/v1/plans", as: token,
            [
                "program_id": api.programs["BEDAH-RUMAH"]!, "fiscal_year": 2019, "period": "2019-Q2",
                "recipients": kks.map { ["kk": $0, "planned_value_idr": 1_000_000] },
            ])
        #expect(created.status == 201, "\(created.text)")
        return try created.decode(Plan.self).id
    }

    @Test("signing in sets an HttpOnly, SameSite=Strict cookie with the API's token; Secure behind HTTPS")
    func cookieFlags() async throws {
        let api = try await TestAPI.start("pages_cookie", households: 0)
        defer { api.stop() }
        let form = [("username", "baznas"), ("password", TestAPI.password)]
        let plain = try await Self.page(api, "POST", "/login", token: nil, form: form)
        #expect(plain.status == 303)
        let cookie = try #require(plain.header("Set-Cookie"))
        #expect(cookie.hasPrefix("padu_session="))
        #expect(cookie.contains("HttpOnly"))
        #expect(cookie.contains("SameSite=Strict"))
        #expect(!cookie.contains("Secure"))
        let https = try await Self.page(
            api, "POST", "/login", token: nil, form: form, headers: [("X-Forwarded-Proto", "https")])
        #expect(try #require(https.header("Set-Cookie")).contains("; Secure"))
        // The cookie holds a session token of padu.sessions: the JSON API takes it as a bearer.
        let token = String(cookie.dropFirst("padu_session=".count).prefix { $0 != ";" })
        #expect(try await api.get("/api/v1/me", as: token).status == 200)
    }

    @Test("every role has a home at /, none a 403")
    func homes() async throws {
        let api = try await TestAPI.start("pages_homes", households: 30)
        defer { api.stop() }
        for (user, expected) in [
            ("baznas", "Program kami"), ("dinkes", "Program kami"), ("dinsos", "Rencana yang menunggu keputusan Anda"),
            ("bupati", "Ringkasan"), ("admin", "Ringkasan"),
        ] {
            let token = try await api.login(user)
            let home = try await Self.get(api, "/", token: token)
            #expect(home.status == 200, "\(user): \(home.status)")
            #expect(home.text.contains(expected), "\(user)'s home lacks \(expected)")
            #expect(home.text.contains("name=\"csrf\""), "\(user)'s sign-out form lacks the CSRF token")
            #expect(home.body.count < 100_000, "\(user)'s home weighs \(home.body.count) bytes")
        }
        let dinsos = try await api.login("dinsos")
        let summary = try await Self.get(api, "/?tampilan=ringkasan", token: dinsos)
        #expect(summary.status == 200)
        #expect(summary.text.contains("Realisasi anggaran per OPD"))
        // No cookie: the sign-in form; a page other than / sends the visitor there.
        #expect(try await Self.get(api, "/", token: nil).text.contains("id=\"username\""))
        #expect(try await Self.get(api, "/rencana/1", token: nil).status == 303)
        #expect(try await Self.page(api, "POST", "/rencana/1/ajukan", token: nil, form: []).status == 303)
    }

    @Test("a form posted without the session's CSRF token is refused with 403 and changes nothing")
    func csrfRefusal() async throws {
        let api = try await TestAPI.start("pages_csrf", households: 30)
        defer { api.stop() }
        let baznas = try await api.login("baznas")
        let plan = try await Self.draft(api, token: baznas)
        let missing = try await Self.page(api, "POST", "/rencana/\(plan)/ajukan", token: baznas, form: [])
        #expect(missing.status == 403)
        #expect(missing.text.contains("Formulir ini kedaluwarsa"))
        let dinkes = try await api.login("dinkes")
        let otherSessions = try Self.csrf(try await Self.get(api, "/", token: dinkes))
        let wrong = try await Self.page(
            api, "POST", "/rencana/\(plan)/ajukan", token: baznas, form: [("csrf", otherSessions)])
        #expect(wrong.status == 403, "another session's token must not do")
        #expect(try await api.text("SELECT status FROM padu.distribution_plans WHERE id = \(plan)") == "draft")
        let logout = try await Self.page(api, "POST", "/logout", token: baznas, form: [])
        #expect(logout.status == 403)
        #expect(try await api.get("/api/v1/me", as: baznas).status == 200, "sign-out without the token did nothing")

        let token = try Self.csrf(try await Self.get(api, "/rencana/\(plan)", token: baznas))
        let submitted = try await Self.page(
            api, "POST", "/rencana/\(plan)/ajukan", token: baznas, form: [("csrf", token)])
        #expect(submitted.status == 303)
        #expect(submitted.header("Location") == "/rencana/\(plan)")
        #expect(try await api.text("SELECT status FROM padu.distribution_plans WHERE id = \(plan)") == "submitted")
        let out = try await Self.page(api, "POST", "/logout", token: baznas, form: [("csrf", token)])
        #expect(out.status == 303)
        #expect(try await api.get("/api/v1/me", as: baznas).status == 401, "sign-out ends the API session too")
    }

    @Test("an agency opening another agency's plan or programme page gets 404")
    func otherAgencies() async throws {
        let api = try await TestAPI.start("pages_404", households: 30)
        defer { api.stop() }
        let baznas = try await api.login("baznas")
        let dinkes = try await api.login("dinkes")
        let plan = try await Self.draft(api, token: baznas)
        #expect(try await Self.get(api, "/rencana/\(plan)", token: baznas).status == 200)
        let other = try await Self.get(api, "/rencana/\(plan)", token: dinkes)
        #expect(other.status == 404)
        #expect(other.text.contains("Tidak ditemukan"))
        #expect(try await Self.get(api, "/program/\(api.programs["BEDAH-RUMAH"]!)", token: dinkes).status == 404)
        // The coordinator does not see a draft either; a plan that does not exist is the same 404.
        #expect(try await Self.get(api, "/rencana/\(plan)", token: try await api.login("dinsos")).status == 404)
        #expect(try await Self.get(api, "/rencana/999999", token: baznas).status == 404)
        // The executive has no plan pages: 403, not a leak.
        #expect(try await Self.get(api, "/rencana/\(plan)", token: try await api.login("bupati")).status == 403)
    }

    @Test("the check of a typed list is kept as a draft and shows its flags; a bad list comes back with its problems")
    func checkForm() async throws {
        let api = try await TestAPI.start("pages_check", households: 30)
        defer { api.stop() }
        let baznas = try await api.login("baznas")
        let programme = api.programs["BEDAH-RUMAH"]!
        let csrf = try Self.csrf(try await Self.get(api, "/program/\(programme)", token: baznas))
        let checked = try await Self.page(
            api, "POST", "/program/\(programme)/cek", token: baznas,
            form: [
                ("csrf", csrf), ("fiscal_year", "2019"), ("period", "2019-Q2"),
                ("daftar", "nik,planned_value_idr\n1606010101900001,5000\n12345,5000\n"),
            ])
        #expect(checked.status == 303, "\(checked.text)")
        let draft = try #require(checked.header("Location"))
        #expect(draft.hasPrefix("/rencana/") && draft.hasSuffix("?pesan=dicek"))
        let shown = try await Self.get(api, draft, token: baznas)
        #expect(shown.status == 200)
        // Each flag as its short code on its line; the legend says what the codes mean, once.
        let rows = shown.text.components(separatedBy: "<tr id=\"baris-")
        #expect(rows.count == 3)
        #expect(rows[1].hasPrefix("0\"") && rows[1].contains("<b class=\"f\">TD</b>"), "not in the registry")
        #expect(rows[2].hasPrefix("1\"") && rows[2].contains("<b class=\"f\">TV</b>"), "not a valid NIK")
        #expect(shown.text.components(separatedBy: "Tidak ada di DTKS").count == 2)
        #expect(shown.text.contains("Daftar dicek dan disimpan sebagai draf rencana"))
        let bad = try await Self.page(
            api, "POST", "/program/\(programme)/cek", token: baznas,
            form: [
                ("csrf", csrf), ("fiscal_year", "2019"), ("period", "2019-Q2"),
                ("daftar", "nik,planned_value_idr\n1606010101900001,lima\n"),
            ])
        #expect(bad.status == 422)
        #expect(bad.text.contains("row 2, planned_value_idr"))
        #expect(bad.text.contains("1606010101900001,lima"), "the typed list comes back to fix")
        // Saving it as a plan: a draft of the agency, as through the API.
        let saved = try await Self.page(
            api, "POST", "/program/\(programme)/rencana", token: baznas,
            form: [
                ("csrf", csrf), ("fiscal_year", "2019"), ("period", "2019-Q2"),
                ("daftar", "nik,planned_value_idr\n1606010101900001,5000\n"),
            ])
        #expect(saved.status == 303)
        let location = try #require(saved.header("Location"))
        #expect(location.hasPrefix("/rencana/"))
        let id = try #require(Int64(location.dropFirst("/rencana/".count)))
        #expect(try await api.text("SELECT status FROM padu.distribution_plans WHERE id = \(id)") == "draft")
    }

    @Test("the coordinator must give a reason to reject a line; the decision and deliveries follow")
    func reviewAndDeliveries() async throws {
        let api = try await TestAPI.start("pages_review", households: 30)
        defer { api.stop() }
        let baznas = try await api.login("baznas")
        let dinsos = try await api.login("dinsos")
        let plan = try await Self.draft(api, token: baznas)
        _ = try await api.request("POST", "/api/v1/plans/\(plan)/submit", token: baznas)
        let review = try await Self.get(api, "/rencana/\(plan)", token: dinsos)
        #expect(review.text.contains("Tinjau rencana"))
        #expect(try await Self.get(api, "/", token: dinsos).text.contains("/rencana/\(plan)"), "in the queue")
        let csrf = try Self.csrf(review)
        let lines = try await api.database.withAdmin { c in
            try await c.query("SELECT line_no::int8, kk FROM padu.plan_lines WHERE plan_id = \(plan) ORDER BY line_no")
                .decode((Int64, String).self)
        }
        let (first, second) = (lines[0], lines[1])
        let page = "\(first.0),\(second.0)"
        let noReason = try await Self.page(
            api, "POST", "/rencana/\(plan)/keputusan", token: dinsos,
            form: [("csrf", csrf), ("baris", page), ("decision", "approve"), ("tolak", "\(second.0)")])
        #expect(noReason.status == 422)
        #expect(noReason.text.contains("id=\"masalah-\(second.0)\""))
        #expect(try await api.text("SELECT status FROM padu.distribution_plans WHERE id = \(plan)") == "submitted")
        // Baznas cannot decide its own plan through the page.
        let own = try await Self.page(
            api, "POST", "/rencana/\(plan)/keputusan", token: baznas,
            form: [("csrf", try Self.csrf(try await Self.get(api, "/", token: baznas))), ("decision", "approve")])
        #expect(own.status == 403)
        let decided = try await Self.page(
            api, "POST", "/rencana/\(plan)/keputusan", token: dinsos,
            form: [
                ("csrf", csrf), ("baris", page), ("decision", "approve"), ("tolak", "\(second.0)"),
                ("alasan-\(second.0)", "sudah dibantu desa <b>"),
            ])
        #expect(decided.status == 303)
        #expect(try await api.text("SELECT status FROM padu.distribution_plans WHERE id = \(plan)") == "approved")
        let shown = try await Self.get(api, "/rencana/\(plan)", token: baznas)
        #expect(shown.text.contains("sudah dibantu desa &lt;b&gt;"), "the reason is shown, escaped")

        let programme = api.programs["BEDAH-RUMAH"]!
        let mine = try Self.csrf(shown)
        let refused = try await Self.page(
            api, "POST", "/program/\(programme)/penyaluran", token: baznas,
            form: [
                ("csrf", mine),
                ("penyaluran", "kk,delivered_on\n\(first.1),2019-06-01\n\(second.1),2019-06-01\n"),
            ])
        #expect(refused.status == 422)
        #expect(refused.text.contains("ditolak koordinator: sudah dibantu desa &lt;b&gt;"))
        #expect(try await api.scalar("SELECT count(*) FROM padu.deliveries WHERE kk = \(first.1)") == 0)
        let recorded = try await Self.page(
            api, "POST", "/program/\(programme)/penyaluran", token: baznas,
            form: [("csrf", mine), ("penyaluran", "kk,delivered_on\n\(first.1),2019-06-01\n")])
        #expect(recorded.status == 303)
        #expect(try await api.scalar("SELECT count(*) FROM padu.deliveries WHERE kk = \(first.1)") == 1)
    }
}

@Suite("Pages for the admin and the coordinator's queues")
struct AdminPageTests {
    @Test("the admin creates an account, sets its password and deactivates it; an agency cannot")
    func accounts() async throws {
        let api = try await TestAPI.start("pages_accounts", households: 0)
        defer { api.stop() }
        let admin = try await api.login("admin")
        let page = try await PageRouteTests.get(api, "/akun", token: admin)
        #expect(page.status == 200)
        let csrf = try PageRouteTests.csrf(page)
        let short = try await PageRouteTests.page(
            api, "POST", "/akun", token: admin,
            form: [
                ("csrf", csrf), ("username", "opd.baru"), ("password", "pendek"), ("role", "agency"),
                ("scope", "16.06"),
            ])
        #expect(short.status == 422)
        #expect(short.text.contains("value=\"opd.baru\""), "the form keeps what was typed")
        let agency = String(api.agencies["DINKES"]!)
        let form = [
            ("csrf", csrf), ("username", "opd.baru"), ("password", "sandi-yang-panjang"), ("role", "agency"),
            ("agency_id", agency), ("scope", "16.06"),
        ]
        #expect(try await PageRouteTests.page(api, "POST", "/akun", token: admin, form: form).status == 303)
        let again = try await PageRouteTests.page(api, "POST", "/akun", token: admin, form: form)
        #expect(again.status == 422)
        #expect(again.text.contains("sudah dipakai"))
        let token = try await api.login("opd.baru", password: "sandi-yang-panjang")
        let id = try await api.accountID("opd.baru")
        let reset = try await PageRouteTests.page(
            api, "POST", "/akun/\(id)", token: admin,
            form: [("csrf", csrf), ("aksi", "sandi"), ("password", "sandi-baru-lagi-123")])
        #expect(reset.status == 303)
        _ = try await api.login("opd.baru", password: "sandi-baru-lagi-123")
        let off = try await PageRouteTests.page(
            api, "POST", "/akun/\(id)", token: admin, form: [("csrf", csrf), ("aksi", "nonaktifkan")])
        #expect(off.status == 303)
        #expect(try await api.get("/api/v1/me", as: token).status == 401, "a deactivated account's session ends")
        let baznas = try await api.login("baznas")
        #expect(try await PageRouteTests.get(api, "/akun", token: baznas).status == 403)
    }

    @Test("the admin closes and reopens a reporting period")
    func periods() async throws {
        let api = try await TestAPI.start("pages_periods", households: 0)
        defer { api.stop() }
        let admin = try await api.login("admin")
        let csrf = try PageRouteTests.csrf(try await PageRouteTests.get(api, "/periode", token: admin))
        let bad = try await PageRouteTests.page(
            api, "POST", "/periode", token: admin, form: [("csrf", csrf), ("period", "2019-Q9"), ("status", "closed")])
        #expect(bad.status == 422)
        let closed = try await PageRouteTests.page(
            api, "POST", "/periode", token: admin, form: [("csrf", csrf), ("period", "2019-Q3"), ("status", "closed")])
        #expect(closed.status == 303)
        #expect(try await api.text("SELECT status FROM padu.reporting_periods WHERE period = '2019-Q3'") == "closed")
    }

    @Test("the coordinator sees the quarter's reports with who has not reported, and the duplicate queue")
    func coordinatorQueues() async throws {
        let api = try await TestAPI.start("pages_reports", households: 30)
        defer { api.stop() }
        let dinsos = try await api.login("dinsos")
        let reports = try await PageRouteTests.get(api, "/laporan?period=2019-Q2", token: dinsos)
        #expect(reports.status == 200)
        #expect(reports.text.contains("Belum melapor"))
        #expect(try await PageRouteTests.get(api, "/duplikat", token: dinsos).status == 200)
        #expect(try await PageRouteTests.get(api, "/laporan", token: try await api.login("baznas")).status == 403)
    }
}
