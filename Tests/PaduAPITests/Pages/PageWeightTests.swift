import Foundation
import PQ
import PaduAPI
import PaduCore
import PaduStore
import PaduTestSupport
import Testing

/// Big plans stay light pages (a compact table, 100 lines a page), and the review still lets the
/// coordinator decide every line across pages; page routes answer failures as pages.
@Suite("Pages of big plans, and the pages' errors")
struct PageWeightTests {
    /// A submitted plan of Baznas with `count` recipients by NIK, none in the registry: every
    /// line is flagged (`NOT_IN_REGISTRY`), so every line of the review carries a checkbox.
    static func bigPlan(_ api: TestAPI, token: String, count: Int) async throws -> Int64 {
        let recipients = (1...count).map {
            ["nik": String(format: "160601010190%04d", $0), "planned_value_idr": 1_000_000]
        }
        let created = try await api.post(
            "/api/v1/plans", as: token,
            [
                "program_id": api.programs["BEDAH-RUMAH"]!, "fiscal_year": 2019, "period": "2019-Q2",
                "recipients": recipients,
            ])
        #expect(created.status == 201, "\(created.text.prefix(300))")
        let id = try created.decode(Plan.self).id
        #expect(try await api.request("POST", "/api/v1/plans/\(id)/submit", token: token).status < 300)
        return id
    }

    /// `name="akui-N" value="CODE"` of a review page: each line's flags, to acknowledge them.
    static func flagBoxes(_ html: String) -> [(Int, String)] {
        let regex = try! NSRegularExpression(pattern: #"name="akui-(\d+)" value="([A-Z0-9]+)""#)
        return regex.matches(in: html, range: NSRange(html.startIndex..., in: html)).map { match in
            (Int(html[Range(match.range(at: 1), in: html)!])!, String(html[Range(match.range(at: 2), in: html)!]))
        }
    }

    static func rows(_ html: String) -> Int { html.components(separatedBy: "<tr id=\"baris-").count - 1 }

    @Test("a plan of 500 flagged lines: review and owner pages under 100 KB, 100 lines a page")
    func reviewPageWeight() async throws {
        let api = try await TestAPI.start("pages_weight", households: 0)
        defer { api.stop() }
        let baznas = try await api.login("baznas")
        let dinsos = try await api.login("dinsos")
        let plan = try await Self.bigPlan(api, token: baznas, count: 500)
        let review = try await PageRouteTests.get(api, "/rencana/\(plan)", token: dinsos)
        #expect(review.status == 200)
        #expect(review.text.contains("Tinjau rencana"))
        #expect(review.body.count < 100_000, "the review page of 500 lines weighs \(review.body.count) bytes")
        #expect(Self.rows(review.text) == 100)
        #expect(Self.flagBoxes(review.text).count == 100, "every line's flag can be acknowledged")
        #expect(review.text.contains("/rencana/\(plan)?halaman=5"), "a link to the last page")
        let last = try await PageRouteTests.get(api, "/rencana/\(plan)?halaman=5", token: dinsos)
        #expect(last.body.count < 100_000)
        #expect(last.text.contains("id=\"baris-499\"") && !last.text.contains("id=\"baris-399\""))
        // A page past the end shows the last one; a page that is no number, the first.
        #expect(
            try await PageRouteTests.get(api, "/rencana/\(plan)?halaman=99", token: dinsos).text.contains("baris-499"))
        #expect(
            try await PageRouteTests.get(api, "/rencana/\(plan)?halaman=x", token: dinsos).text.contains("baris-0\""))
        for path in ["/rencana/\(plan)", "/rencana/\(plan)?halaman=3"] {
            let owner = try await PageRouteTests.get(api, path, token: baznas)
            #expect(owner.status == 200)
            #expect(owner.body.count < 100_000, "\(path) as owner weighs \(owner.body.count) bytes")
            #expect(Self.rows(owner.text) == 100)
        }
    }

    @Test("the review decides every line across pages: kept per page, refused while a flag is unacknowledged")
    func reviewAcrossPages() async throws {
        let api = try await TestAPI.start("pages_review_pages", households: 0)
        defer { api.stop() }
        let baznas = try await api.login("baznas")
        let dinsos = try await api.login("dinsos")
        let plan = try await Self.bigPlan(api, token: baznas, count: 250)
        func post(_ page: Int, _ decision: String, reject: Int? = nil, acknowledge: Bool = true) async throws
            -> HTTPResult
        {
            let html = try await PageRouteTests.get(api, "/rencana/\(plan)?halaman=\(page)", token: dinsos)
            let lines = (0..<250).filter { $0 / 100 + 1 == page }
            var form = [
                ("csrf", try PageRouteTests.csrf(html)), ("baris", lines.map(String.init).joined(separator: ",")),
                ("halaman", String(page)), ("decision", decision),
            ]
            if acknowledge {
                form += Self.flagBoxes(html.text).filter { $0.0 != reject }.map { ("akui-\($0.0)", $0.1) }
            }
            if let reject { form += [("tolak", String(reject)), ("alasan-\(reject)", "pindah ke luar kabupaten")] }
            return try await PageRouteTests.page(api, "POST", "/rencana/\(plan)/keputusan", token: dinsos, form: form)
        }
        func line(_ number: Int) async throws -> String {
            try await api.text(
                """
                SELECT status || ':' || coalesce(rejection_reason, '') || ':' || array_to_string(acknowledged_flags, ',')
                  FROM padu.plan_lines WHERE plan_id = \(plan) AND line_no = \(number)
                """) ?? ""
        }
        // Page 1: one line rejected, the others acknowledged; kept, and on to page 2.
        let saved = try await post(1, "simpan", reject: 5)
        #expect(saved.status == 303)
        #expect(saved.header("Location") == "/rencana/\(plan)?halaman=2&pesan=tersimpan")
        #expect(try await line(5) == "rejected:pindah ke luar kabupaten:")
        #expect(try await line(0) == "pending::NOT_IN_REGISTRY")
        #expect(try await api.text("SELECT status FROM padu.distribution_plans WHERE id = \(plan)") == "submitted")
        // The lines that need attention: those of pages 2 and 3 only.
        let attention = try await PageRouteTests.get(api, "/rencana/\(plan)?tampil=perlu", token: dinsos)
        #expect(attention.text.contains("id=\"baris-100\"") && !attention.text.contains("id=\"baris-99\""))
        // Approving from page 2 while page 3 is unacknowledged: refused, naming those lines;
        // page 2's choices are kept all the same.
        let early = try await post(2, "approve")
        #expect(early.status == 422)
        #expect(early.text.contains("baris 201 (halaman 3)"))
        #expect(try await line(100) == "pending::NOT_IN_REGISTRY")
        #expect(try await api.text("SELECT status FROM padu.distribution_plans WHERE id = \(plan)") == "submitted")
        // A line of this page left unacknowledged is named next to it.
        let missing = try await post(3, "approve", acknowledge: false)
        #expect(missing.status == 422)
        #expect(missing.text.contains("id=\"masalah-200\""))
        // Page 3 acknowledged: the plan is approved, less the rejected line with its reason.
        let approved = try await post(3, "approve")
        #expect(approved.status == 303, "\(approved.text.prefix(2000))")
        #expect(try await api.text("SELECT status FROM padu.distribution_plans WHERE id = \(plan)") == "approved")
        #expect(
            try await api.scalar("SELECT count(*) FROM padu.plan_lines WHERE plan_id = \(plan) AND status = 'approved'")
                == 249)
        #expect(try await line(5) == "rejected:pindah ke luar kabupaten:")
        #expect(try await line(249) == "approved::NOT_IN_REGISTRY")
        #expect(
            try await api.scalar("SELECT rejected_lines::int8 FROM padu.plan_decisions WHERE plan_id = \(plan)") == 1)
        #expect(
            try await api.scalar(
                "SELECT count(*) FROM padu.audit_log WHERE action = 'review' AND entity_id = \(String(plan))")
                == 3)
        // An agency cannot keep choices on lines: the form is the coordinator's.
        let html = try await PageRouteTests.get(api, "/", token: baznas)
        let refused = try await PageRouteTests.page(
            api, "POST", "/rencana/\(plan)/keputusan", token: baznas,
            form: [("csrf", try PageRouteTests.csrf(html)), ("baris", "0"), ("decision", "simpan")])
        #expect(refused.status == 403)
    }

    @Test("page routes answer failures as pages in Indonesian; a missing session goes to the sign-in form")
    func errorPages() async throws {
        let api = try await TestAPI.start("pages_errors", households: 0) { $0.bodyLimit = 4096 }
        defer { api.stop() }
        let baznas = try await api.login("baznas")
        func expectPage(_ result: HTTPResult, _ status: Int, _ text: String, _ what: String) {
            #expect(result.status == status, "\(what): \(result.status)")
            #expect(
                result.header("Content-Type")?.hasPrefix("text/html") == true, "\(what): \(result.text.prefix(200))")
            #expect(result.text.contains(text), "\(what): \(result.text.prefix(400))")
            #expect(result.text.contains("<html lang=\"id\">"), "\(what)")
        }
        expectPage(try await PageRouteTests.get(api, "/tidak-ada", token: nil), 404, "Tidak ditemukan", "unknown path")
        expectPage(
            try await PageRouteTests.get(api, "/tidak-ada", token: baznas), 404, "Keluar", "unknown path, signed in")
        expectPage(try await PageRouteTests.get(api, "/rencana/abc", token: baznas), 404, "Tidak ditemukan", "bad id")
        expectPage(
            try await PageRouteTests.get(api, "/keluarga/123", token: baznas), 404, "Tidak ditemukan", "bad KK")
        expectPage(
            try await PageRouteTests.get(api, "/?period=2019-Q9", token: try await api.login("bupati")), 422,
            "Tidak dapat diproses", "bad period on the summary")
        expectPage(
            try await PageRouteTests.page(api, "DELETE", "/rencana/1", token: baznas), 405, "tidak dapat dibuka",
            "another method")
        #expect(try await PageRouteTests.page(api, "DELETE", "/rencana/1", token: baznas).header("Allow") == "GET")
        expectPage(try await PageRouteTests.get(api, "/akun", token: baznas), 403, "Tidak diizinkan", "not the role")
        let csrf = try PageRouteTests.csrf(try await PageRouteTests.get(api, "/", token: baznas))
        let malformed = try await HTTPClient.request(
            port: api.port, "POST", "/rencana/1/ajukan",
            headers: [("Cookie", "padu_session=\(baznas)"), ("Content-Type", "text/plain")],
            body: Array("csrf=\(csrf)".utf8))
        expectPage(malformed, 422, "formulir tidak dapat dibaca", "a form of no form type")
        let big = try await PageRouteTests.page(
            api, "POST", "/program", token: baznas,
            form: [("csrf", csrf), ("name", String(repeating: "x", count: 8192))])
        expectPage(big, 413, "terlalu besar", "a form over the body limit")
        // No session, or one that ended: to the sign-in form, for a page and a form alike.
        for token in [nil, "sesi-yang-sudah-habis"] as [String?] {
            let page = try await PageRouteTests.get(api, "/rencana/1", token: token)
            #expect(page.status == 303 && page.header("Location") == "/", "\(token ?? "none"): \(page.status)")
            let form = try await PageRouteTests.page(api, "POST", "/rencana/1/ajukan", token: token, form: [])
            #expect(form.status == 303 && form.header("Location") == "/", "\(token ?? "none"): \(form.status)")
        }
        // The API keeps its JSON envelope.
        let api404 = try await api.get("/api/v1/tidak-ada", as: baznas)
        #expect(api404.status == 404)
        #expect(api404.header("Content-Type")?.hasPrefix("application/json") == true)
    }
}
