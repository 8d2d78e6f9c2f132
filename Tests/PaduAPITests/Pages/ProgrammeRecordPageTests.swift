import Foundation
import PQ
import PaduTestSupport
import Testing

/// The programme page's record-keeping forms over real HTTP against a real database: a year's
/// budget, a month's realisation (over the allocation only with a reason), the quarterly
/// report, reversals with a reason and the totals that follow, the CSRF refusal, and another
/// agency's programme as 404.
@Suite("Programme page: budget, realisation, report and reversal forms")
struct ProgrammeRecordPageTests {
    typealias Pages = PageRouteTests

    /// The text of the element with `id` up to its closing tag, e.g. a total's figure.
    static func element(_ page: HTTPResult, _ id: String) -> String? {
        let text = page.text
        guard let start = text.range(of: "id=\"\(id)\">")?.upperBound else { return nil }
        return String(text[start...].prefix { $0 != "<" })
    }

    @Test("an agency sets a year's budget and records realisations; over the allocation needs a reason")
    func budgetAndRealisation() async throws {
        let api = try await TestAPI.start("pages_budget", households: 0)
        defer { api.stop() }
        let baznas = try await api.login("baznas")
        let id = api.programs["BEDAH-RUMAH"]!
        let page = try await Pages.get(api, "/program/\(id)", token: baznas)
        #expect(page.status == 200)
        // The demo's 2019: Rp140 juta allocated from Baznas, all realised, 7 houses.
        #expect(Self.element(page, "realisasi-2019") == "Rp140.000.000")
        #expect(Self.element(page, "keluaran-2019") == "7")
        #expect(page.text.contains("<label for=\"pagu-apbd_kab\">APBD Kabupaten</label>"))
        let csrf = try Pages.csrf(page)

        let bad = try await Pages.page(
            api, "POST", "/program/\(id)/anggaran", token: baznas,
            form: [("csrf", csrf), ("fiscal_year", "2020"), ("pagu_BAZNAS", "50.000.000"), ("pagu_APBN", "lima")])
        #expect(bad.status == 422, "\(bad.status)")
        #expect(bad.text.contains("id=\"pagu-apbn-masalah\">harus berupa bilangan bulat"), "next to its field")
        #expect(bad.text.contains("value=\"lima\""), "what was typed comes back")
        #expect(try await api.scalar("SELECT count(*) FROM padu.budget_allocations WHERE fiscal_year = 2020") == 0)

        let saved = try await Pages.page(
            api, "POST", "/program/\(id)/anggaran", token: baznas,
            form: [
                ("csrf", csrf), ("fiscal_year", "2020"), ("pagu_BAZNAS", "50.000.000"), ("pagu_APBD_KAB", "25000000"),
            ])
        #expect(saved.status == 303, "\(saved.text)")
        #expect(saved.header("Location") == "/program/\(id)?tahun=2020&pesan=anggaran#anggaran")
        #expect(
            try await api.scalar(
                "SELECT sum(allocated_idr)::int8 FROM padu.budget_allocations WHERE program_id = \(id) AND fiscal_year = 2020"
            ) == 75_000_000)

        func realise(_ fields: [(String, String)]) async throws -> HTTPResult {
            try await Pages.page(
                api, "POST", "/program/\(id)/realisasi", token: baznas,
                form: [("csrf", csrf), ("fiscal_year", "2020")] + fields)
        }
        let recorded = try await realise([
            ("month", "3"), ("funding_source", "BAZNAS"), ("amount_idr", "30.000.000"), ("output_quantity", "2"),
        ])
        #expect(recorded.status == 303, "\(recorded.text)")
        #expect(recorded.header("Location") == "/program/\(id)?tahun=2020&pesan=realisasi#realisasi")

        // Rp30 juta more from Baznas' Rp50 juta: over the allocation, refused without a reason.
        let over = try await realise([("month", "4"), ("funding_source", "BAZNAS"), ("amount_idr", "30000000")])
        #expect(over.status == 422, "\(over.status)")
        #expect(over.text.contains("id=\"realisasi-jumlah-masalah\">melebihi alokasi"), "the problem is by the amount")
        #expect(over.text.contains("value=\"30000000\""))
        #expect(try await api.scalar("SELECT count(*) FROM padu.realizations WHERE fiscal_year = 2020") == 1)
        // Two sources in 2020: the source must be named.
        let unnamed = try await realise([("month", "5"), ("amount_idr", "1000")])
        #expect(unnamed.status == 422)
        #expect(unnamed.text.contains("id=\"realisasi-sumber-masalah\""))
        let bad2 = try await realise([("month", "13"), ("amount_idr", "-5"), ("output_quantity", "dua")])
        #expect(bad2.status == 422)
        #expect(bad2.text.contains("id=\"realisasi-bulan-masalah\""))
        #expect(bad2.text.contains("id=\"realisasi-jumlah-masalah\">tidak boleh negatif"))
        #expect(bad2.text.contains("id=\"realisasi-keluaran-masalah\">harus berupa bilangan bulat<"))

        let reasoned = try await realise([
            ("month", "4"), ("funding_source", "BAZNAS"), ("amount_idr", "30000000"), ("output_quantity", "1"),
            ("over_budget_reason", "Harga bahan bangunan naik"),
        ])
        #expect(reasoned.status == 303, "\(reasoned.text)")
        let shown = try await Pages.get(api, "/program/\(id)?tahun=2020", token: baznas)
        #expect(Self.element(shown, "pagu-2020") == "Rp75.000.000")
        #expect(Self.element(shown, "realisasi-2020") == "Rp60.000.000")
        #expect(Self.element(shown, "keluaran-2020") == "3")
        #expect(shown.text.contains("Melebihi pagu: Harga bahan bangunan naik"))
        #expect(shown.text.contains("value=\"50000000\""), "the year's allocations fill the form")
        #expect(shown.body.count < 100_000, "the programme page weighs \(shown.body.count) bytes")
    }

    @Test("the quarterly report is saved as a draft, then submitted; a closed quarter refuses it")
    func report() async throws {
        let api = try await TestAPI.start("pages_report", households: 0)
        defer { api.stop() }
        let baznas = try await api.login("baznas")
        let id = api.programs["BEDAH-RUMAH"]!
        let csrf = try Pages.csrf(try await Pages.get(api, "/program/\(id)", token: baznas))
        func send(_ fields: [(String, String)]) async throws -> HTTPResult {
            try await Pages.page(api, "POST", "/program/\(id)/laporan", token: baznas, form: [("csrf", csrf)] + fields)
        }
        let bad = try await send([("period", "2019-Q9"), ("target_quantity", "-3"), ("status", "selesai")])
        #expect(bad.status == 422)
        #expect(bad.text.contains("id=\"laporan-periode-masalah\""))
        #expect(bad.text.contains("id=\"laporan-target-masalah\">tidak boleh negatif"))
        #expect(bad.text.contains("id=\"laporan-status-masalah\""))
        #expect(try await api.scalar("SELECT count(*) FROM padu.progress_reports") == 0)

        let draft = try await send([
            ("period", "2019-Q2"), ("target_quantity", "10"), ("achieved_quantity", "4"),
            ("narrative", "Empat rumah selesai."), ("status", "draft"),
        ])
        #expect(draft.status == 303)
        #expect(draft.header("Location") == "/program/\(id)?triwulan=2019-Q2&pesan=laporan#laporan")
        #expect(try await api.text("SELECT status FROM padu.progress_reports WHERE program_id = \(id)") == "draft")
        let submitted = try await send([
            ("period", "2019-Q2"), ("target_quantity", "10"), ("achieved_quantity", "7"),
            ("narrative", "Tujuh rumah selesai."), ("status", "submitted"),
        ])
        #expect(submitted.status == 303)
        #expect(
            try await api.text(
                "SELECT status || ' ' || achieved_quantity FROM padu.progress_reports WHERE program_id = \(id)")
                == "submitted 7")
        let shown = try await Pages.get(api, "/program/\(id)?triwulan=2019-Q2", token: baznas)
        #expect(shown.text.contains("Laporan 2019-Q2 sudah diajukan"))
        #expect(shown.text.contains("Tujuh rumah selesai.</textarea>"), "the report fills the form")
        // The coordinator sees it among the quarter's reports.
        let dinsos = try await api.login("dinsos")
        #expect(
            try await Pages.get(api, "/laporan?period=2019-Q2", token: dinsos).text.contains("Tujuh rumah selesai."))

        _ = try await api.database.withAdmin { c in
            try await c.query(
                "INSERT INTO padu.reporting_periods (period, status, closed_at) VALUES ('2019-Q2', 'closed', now()) ON CONFLICT (period) DO UPDATE SET status = 'closed', closed_at = now()"
            )
        }
        let frozen = try await send([("period", "2019-Q2"), ("achieved_quantity", "8"), ("status", "submitted")])
        #expect(frozen.status == 409, "\(frozen.status)")
        #expect(frozen.text.contains("id=\"laporan-masalah\""))
        #expect(frozen.text.contains("value=\"8\""), "what was typed comes back")
        #expect(
            try await api.text("SELECT achieved_quantity::text FROM padu.progress_reports WHERE program_id = \(id)")
                == "7")
    }

    @Test("a delivery and a realisation are reversed with a reason; the totals follow; no token, no reversal")
    func reversals() async throws {
        let api = try await TestAPI.start("pages_reversal", households: 30)
        defer { api.stop() }
        let baznas = try await api.login("baznas")
        let id = api.programs["BEDAH-RUMAH"]!
        let kks = try await api.database.withAdmin { c in
            // Deliveries without a plan: this test is about their reversal, not coordination.
            try await c.query("UPDATE padu.programs SET requires_coordination = false WHERE id = \(id)")
            return try await c.query(
                """
                SELECT k.kk::text FROM padu.households h
                  JOIN padu.household_kk k ON k.household_id = h.id AND k.valid_to IS NULL
                 ORDER BY h.id LIMIT 2
                """
            ).decode(String.self)
        }
        let csrf = try Pages.csrf(try await Pages.get(api, "/program/\(id)", token: baznas))
        let recorded = try await Pages.page(
            api, "POST", "/program/\(id)/penyaluran", token: baznas,
            form: [
                ("csrf", csrf),
                (
                    "penyaluran",
                    "kk,delivered_on,value_idr\n\(kks[0]),2019-06-01,20000000\n\(kks[1]),2019-06-02,20000000\n"
                ),
            ])
        #expect(recorded.status == 303, "\(recorded.text)")
        let delivery = try await api.scalar("SELECT min(id) FROM padu.deliveries WHERE program_id = \(id)")
        let before = try await Pages.get(api, "/program/\(id)", token: baznas)
        #expect(Self.element(before, "penyaluran-2019") == "2")
        #expect(Self.element(before, "nilai-penyaluran-2019") == "Rp40.000.000")
        #expect(before.text.contains("action=\"/program/\(id)/penyaluran/\(delivery)/batal\""))

        let path = "/program/\(id)/penyaluran/\(delivery)/batal"
        let noToken = try await Pages.page(api, "POST", path, token: baznas, form: [("reason", "salah KK")])
        #expect(noToken.status == 403)
        let blank = try await Pages.page(api, "POST", path, token: baznas, form: [("csrf", csrf), ("reason", "  ")])
        #expect(blank.status == 422)
        #expect(
            blank.text.contains("id=\"batal-penyaluran-\(delivery)-masalah\""), "the problem is by the row's reason")
        #expect(blank.text.contains("<details open>"))
        #expect(try await api.scalar("SELECT count(*) FROM padu.delivery_reversals") == 0)

        let reversed = try await Pages.page(
            api, "POST", path, token: baznas, form: [("csrf", csrf), ("reason", "KK salah ketik <b>")])
        #expect(reversed.status == 303)
        #expect(reversed.header("Location") == "/program/\(id)?pesan=penyaluran-dibatalkan#penyaluran")
        #expect(
            try await api.text("SELECT reason FROM padu.delivery_reversals WHERE delivery_id = \(delivery)")
                == "KK salah ketik <b>")
        let after = try await Pages.get(api, "/program/\(id)", token: baznas)
        #expect(Self.element(after, "penyaluran-2019") == "1")
        #expect(Self.element(after, "nilai-penyaluran-2019") == "Rp20.000.000")
        #expect(after.text.contains("Dibatalkan</span> KK salah ketik &lt;b&gt;"), "the reason, escaped")
        #expect(!after.text.contains("action=\"\(path)\""), "a reversed delivery has no reversal form")
        let again = try await Pages.page(api, "POST", path, token: baznas, form: [("csrf", csrf), ("reason", "lagi")])
        #expect(again.status == 409)
        #expect(again.text.contains("Penyaluran ini sudah dibatalkan"))

        // The demo's 2019 realisation, reversed: the year's realised total drops to nothing.
        let realisation = try await api.scalar("SELECT id FROM padu.realizations WHERE program_id = \(id)")
        let undo = try await Pages.page(
            api, "POST", "/program/\(id)/realisasi/\(realisation)/batal", token: baznas,
            form: [("csrf", csrf), ("reason", "Salah bulan")])
        #expect(undo.status == 303)
        let undone = try await Pages.get(api, "/program/\(id)?tahun=2019", token: baznas)
        #expect(Self.element(undone, "realisasi-2019") == "Rp0")
        #expect(Self.element(undone, "keluaran-2019") == "0")
        #expect(undone.text.contains("Salah bulan"))
        // Then recorded anew, as the contract says a correction is made.
        let anew = try await Pages.page(
            api, "POST", "/program/\(id)/realisasi", token: baznas,
            form: [
                ("csrf", csrf), ("fiscal_year", "2019"), ("month", "11"), ("amount_idr", "140000000"),
                ("output_quantity", "7"),
            ])
        #expect(anew.status == 303, "\(anew.text)")
        #expect(
            Self.element(try await Pages.get(api, "/program/\(id)?tahun=2019", token: baznas), "realisasi-2019")
                == "Rp140.000.000")
    }

    @Test("another agency's programme page and its forms are 404 and change nothing")
    func otherAgency() async throws {
        let api = try await TestAPI.start("pages_records_404", households: 0)
        defer { api.stop() }
        let dinkes = try await api.login("dinkes")
        let id = api.programs["BEDAH-RUMAH"]!
        #expect(try await Pages.get(api, "/program/\(id)", token: dinkes).status == 404)
        let csrf = try Pages.csrf(try await Pages.get(api, "/", token: dinkes))
        let realisation = try await api.scalar("SELECT id FROM padu.realizations WHERE program_id = \(id)")
        for (path, fields) in [
            ("anggaran", [("fiscal_year", "2019"), ("pagu_BAZNAS", "1")]),
            ("realisasi", [("fiscal_year", "2019"), ("month", "1"), ("amount_idr", "1")]),
            ("laporan", [("period", "2019-Q2"), ("status", "draft")]),
            ("realisasi/\(realisation)/batal", [("reason", "diambil alih")]),
            ("penyaluran/1/batal", [("reason", "diambil alih")]),
        ] {
            let post = try await Pages.page(
                api, "POST", "/program/\(id)/\(path)", token: dinkes, form: [("csrf", csrf)] + fields)
            #expect(post.status == 404, "\(path): \(post.status)")
        }
        #expect(
            try await api.scalar("SELECT allocated_idr::int8 FROM padu.budget_allocations WHERE program_id = \(id)")
                == 140_000_000)
        #expect(try await api.scalar("SELECT count(*) FROM padu.realizations WHERE program_id = \(id)") == 1)
        #expect(try await api.scalar("SELECT count(*) FROM padu.realization_reversals") == 0)
        #expect(try await api.scalar("SELECT count(*) FROM padu.progress_reports") == 0)
    }
}
