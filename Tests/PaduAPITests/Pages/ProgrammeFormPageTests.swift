import Foundation
import PQ
import PaduTestSupport
import Testing

/// The agency's programme form over real HTTP against a real database: create, edit, the
/// API's rules next to the fields, the CSRF refusal, and another agency's programme as 404.
@Suite("Programme form pages")
struct ProgrammeFormPageTests {
    typealias Pages = PageRouteTests

    static func fields(
        code: String = "SEMBAKO-2026", name: String = "Paket sembako lansia", unit: String = "paket"
    ) -> [(String, String)] {
        [
            ("code", code), ("name", name), ("cluster_id", "1"), ("aid_kind", "in_kind"),
            ("aid_category", "food"), ("target", "person"), ("unit", unit),
        ]
    }

    @Test("an agency creates a programme through the form; a refused form shows each problem by its field")
    func create() async throws {
        let api = try await TestAPI.start("pages_programme_new", households: 0)
        defer { api.stop() }
        let baznas = try await api.login("baznas")
        let form = try await Pages.get(api, "/program", token: baznas)
        #expect(form.status == 200)
        #expect(form.text.contains("id=\"aid_category\""))
        let csrf = try Pages.csrf(form)
        let before = try await api.text("SELECT count(*) FROM padu.programs")

        let bad = try await Pages.page(
            api, "POST", "/program", token: baznas,
            form: [("csrf", csrf)] + Self.fields(code: "!bad code", unit: "").filter { $0.0 != "target" })
        #expect(bad.status == 422, "\(bad.text)")
        #expect(bad.text.contains("id=\"code-masalah\""), "the code's problem is next to the code")
        #expect(bad.text.contains("id=\"unit-masalah\""))
        #expect(bad.text.contains("id=\"target-masalah\""))
        #expect(!bad.text.contains("id=\"name-masalah\""))
        #expect(bad.text.contains("wajib diisi"), "the API's problems, in Indonesian on the page")
        #expect(!bad.text.contains("is required"))
        #expect(bad.text.contains("value=\"Paket sembako lansia\""), "what was typed comes back")
        #expect(bad.text.contains("<option value=\"food\" selected>"))
        #expect(try await api.text("SELECT count(*) FROM padu.programs") == before)

        let created = try await Pages.page(
            api, "POST", "/program", token: baznas, form: [("csrf", csrf)] + Self.fields())
        #expect(created.status == 303, "\(created.text)")
        let location = try #require(created.header("Location"))
        let id = try #require(Int64(location.dropFirst("/program/".count)))
        #expect(
            try await api.text(
                """
                SELECT a.code || ' ' || p.code || ' ' || p.aid_category || ' ' || p.target || ' ' || p.unit
                  FROM padu.programs p JOIN padu.agencies a ON a.id = p.agency_id WHERE p.id = \(id)
                """) == "BAZNAS SEMBAKO-2026 food person paket")
        let page = try await Pages.get(api, location, token: baznas)
        #expect(page.status == 200)
        #expect(page.text.contains("Paket sembako lansia"))
        #expect(page.text.contains("href=\"/program/\(id)/ubah\""))

        // The same code twice is refused by the database's unique key: the form again, the
        // problem next to the code, nothing created.
        let again = try await Pages.page(api, "POST", "/program", token: baznas, form: [("csrf", csrf)] + Self.fields())
        #expect(again.status == 409, "\(again.status)")
        #expect(again.text.contains("id=\"code-masalah\""), "\(again.text)")
        #expect(again.text.contains("value=\"SEMBAKO-2026\""))
        #expect(try await api.text("SELECT count(*) FROM padu.programs WHERE code = 'SEMBAKO-2026'") == "1")
    }

    @Test("the owner edits its programme; a blank field is refused; without the CSRF token nothing changes")
    func edit() async throws {
        let api = try await TestAPI.start("pages_programme_edit", households: 0)
        defer { api.stop() }
        let baznas = try await api.login("baznas")
        let id = api.programs["BEDAH-RUMAH"]!
        let form = try await Pages.get(api, "/program/\(id)/ubah", token: baznas)
        #expect(form.status == 200)
        #expect(form.text.contains("value=\"BEDAH-RUMAH\""))
        let csrf = try Pages.csrf(form)

        let missing = try await Pages.page(
            api, "POST", "/program/\(id)/ubah", token: baznas,
            form: Self.fields(code: "BEDAH-RUMAH", name: "Tanpa token"))
        #expect(missing.status == 403)
        #expect(try await api.text("SELECT name FROM padu.programs WHERE id = \(id)") != "Tanpa token")

        let blank = try await Pages.page(
            api, "POST", "/program/\(id)/ubah", token: baznas,
            form: [("csrf", csrf)] + Self.fields(code: "BEDAH-RUMAH", name: "Bedah rumah baru", unit: " "))
        #expect(blank.status == 422, "\(blank.text)")
        #expect(blank.text.contains("id=\"unit-masalah\""))
        #expect(try await api.text("SELECT name FROM padu.programs WHERE id = \(id)") != "Bedah rumah baru")

        let saved = try await Pages.page(
            api, "POST", "/program/\(id)/ubah", token: baznas,
            form: [("csrf", csrf)] + Self.fields(code: "BEDAH-RUMAH", name: "Bedah rumah baru", unit: "rumah"))
        #expect(saved.status == 303, "\(saved.text)")
        #expect(saved.header("Location") == "/program/\(id)?pesan=diubah")
        #expect(
            try await api.text("SELECT name || ' ' || unit FROM padu.programs WHERE id = \(id)")
                == "Bedah rumah baru rumah")
        #expect(
            try await Pages.get(api, "/program/\(id)?pesan=diubah", token: baznas).text.contains("Program tersimpan."))
    }

    @Test("another agency's programme form is 404 and its POST changes nothing")
    func otherAgency() async throws {
        let api = try await TestAPI.start("pages_programme_404", households: 0)
        defer { api.stop() }
        let dinkes = try await api.login("dinkes")
        let id = api.programs["BEDAH-RUMAH"]!
        #expect(try await Pages.get(api, "/program/\(id)/ubah", token: dinkes).status == 404)
        let csrf = try Pages.csrf(try await Pages.get(api, "/program", token: dinkes))
        let post = try await Pages.page(
            api, "POST", "/program/\(id)/ubah", token: dinkes,
            form: [("csrf", csrf)] + Self.fields(code: "BEDAH-RUMAH", name: "Diambil alih"))
        #expect(post.status == 404)
        #expect(try await api.text("SELECT name FROM padu.programs WHERE id = \(id)") != "Diambil alih")
    }
}
