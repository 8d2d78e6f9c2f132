import Foundation
import PQ
import PaduAPI
import PaduStore
import PaduTestSupport
import Testing

/// The dashboard's second edition and the meeting pack over HTTP, signed in with the session
/// cookie, on the demo's data: the seeded story must be visible.
@Suite("Dashboard pages and the meeting pack")
struct DashboardPagesTests {
    static func seeded(_ label: String) async throws -> TestAPI {
        let api = try await TestAPI.start(label, households: 300)
        try await api.database.withAdmin { c in
            _ = try await DemoActivity(logger: TestDatabases.logger).seed(on: c, deliveries: 2_000, programmes: 12)
            try await c.query(
                """
                INSERT INTO padu.progress_reports (program_id, agency_id, period, target_quantity, achieved_quantity,
                                                   narrative, status, submitted_at)
                SELECT id, agency_id, '2019-Q4', 7, 7, 'Tujuh rumah selesai <direnovasi>.', 'submitted', now()
                  FROM padu.programs WHERE code = 'BEDAH-RUMAH'
                """)
        }
        let admin = try await api.login("admin")
        let refreshed = try await api.request("POST", "/api/v1/summary/refresh", token: admin)
        #expect(refreshed.status == 200, "\(refreshed.text)")
        return api
    }

    static func cookie(_ api: TestAPI, _ username: String) async throws -> [(String, String)] {
        [("Cookie", "padu_session=\(try await api.login(username))")]
    }

    @Test("the executive's dashboard tells the seeded story in plain words, WIB and Triwulan")
    func dashboard() async throws {
        let api = try await Self.seeded("pages_dash")
        defer { api.stop() }
        let bupati = try await Self.cookie(api, "bupati")
        let page = try await api.get("/?year=2019", as: nil, headers: bupati)
        #expect(page.status == 200, "\(page.text)")
        let html = page.text
        #expect(html.utf8.count < 100_000, "page weight \(html.utf8.count) bytes")
        #expect(html.contains("Badan Amil Zakat Nasional Kabupaten Musi Banyuasin"))
        #expect(html.contains(">7 rumah</td>"), "Baznas' 2019 house renovation: 7 houses")
        #expect(html.contains(" WIB</span>"), "as-of in Western Indonesian Time")
        #expect(html.contains("<option value=\"2019-Q4\" selected>Triwulan IV</option>"), "latest reported quarter")
        #expect(html.contains(">Laporan Triwulan IV 2019</h2>"))
        #expect(html.contains("Keluarga termiskin yang belum terjangkau"))
        #expect(html.contains("Bantuan tersalurkan"))
        #expect(html.contains("href=\"/rakor?period=2019-Q4\""))
        #expect(!html.contains("Eksklusi") && !html.lowercased().contains("<script"))

        let y2018 = try await api.get("/?year=2018&period=2018-Q4", as: nil, headers: bupati)
        #expect(y2018.status == 200)
        #expect(y2018.text.contains("title=\"Rp350.000.000\">Rp350 juta</span>"), "Dinsos 2018 pagu, compact")
        #expect(y2018.text.contains("title=\"Rp332.000.000\">Rp332 juta</span>"))
        #expect(y2018.text.contains("94,9%</td>"), "Dinsos 2018: 332 of 350 million")

        // Drill from kecamatan to desa; the desa of one kecamatan hide their small cells.
        let sekayu = try await api.get("/?year=2019&kecamatan=16.06.01", as: nil, headers: bupati)
        #expect(sekayu.status == 200)
        #expect(sekayu.text.contains("per desa di Kecamatan Sekayu"))
        #expect(sekayu.text.contains("title=\"disembunyikan (&lt; 5 rumah tangga)\""), "small cells suppressed")

        for bad in ["/?kecamatan=16.06", "/?kecamatan=x", "/?period=2019-Q5", "/?year=2019&kecamatan=16.07.01"] {
            let refused = try await api.get(bad, as: nil, headers: bupati)
            #expect(refused.status == 422, "\(bad): \(refused.status)")
            // A page answers a page in Indonesian, not the API's envelope.
            #expect(refused.header("Content-Type")?.hasPrefix("text/html") == true, "\(bad)")
            #expect(refused.text.contains("Data tidak valid"), "\(bad)")
        }
    }

    @Test("the meeting pack: one printable section per agency, narratives, who has not reported")
    func rakor() async throws {
        let api = try await Self.seeded("pages_rakor")
        defer { api.stop() }
        let bupati = try await Self.cookie(api, "bupati")
        let page = try await api.get("/rakor?period=2019-Q4", as: nil, headers: bupati)
        #expect(page.status == 200, "\(page.text)")
        let html = page.text
        #expect(html.contains("@page{size:A4"))
        #expect(html.contains("section.agency{break-before:page}"))
        #expect(html.contains("tr,.narrative,.facts div{break-inside:avoid}"))
        #expect(html.contains("Bahan Rapat Koordinasi Triwulan IV 2019"))
        let agencies = try await api.database.withAdmin { c in
            try await c.query("SELECT count(DISTINCT agency_id) FROM padu.programs").first(Int.self)
        }
        #expect(html.occurrences(of: "<section class=\"agency\"") == agencies)
        #expect(html.contains("Tujuh rumah selesai &lt;direnovasi&gt;."), "Baznas' narrative, escaped")
        #expect(html.contains(">7 rumah</td>"))
        #expect(html.contains("Belum melapor lengkap untuk Triwulan IV 2019"))
        #expect(html.contains("Dinas Sosial Kabupaten Musi Banyuasin: 0 dari 4 program"))
        #expect(html.contains("Total per klaster, tahun 2019"))

        let y2018 = try await api.get("/rakor?period=2018-Q4", as: nil, headers: bupati)
        let dinsos = try #require(y2018.text.sheet("opd-DINSOS"))
        #expect(dinsos.contains("title=\"Rp332.000.000\">Rp332 juta</span>"))
        #expect(dinsos.contains(">94,9%</span>"))

        // The coordinator may open it; an agency is sent to its home; no session: the sign-in form.
        let coordinator = try await api.get("/rakor", as: nil, headers: try await Self.cookie(api, "dinsos"))
        #expect(coordinator.status == 200)
        #expect(coordinator.text.contains("Triwulan IV 2019"), "default: the latest reported quarter")
        let agency = try await api.get("/rakor?period=2019-Q4", as: nil, headers: try await Self.cookie(api, "baznas"))
        #expect(agency.status == 303)
        #expect(agency.header("Location") == "/")
        #expect(!agency.text.contains("Tujuh rumah"))
        let anonymous = try await api.get("/rakor", as: nil)
        #expect(anonymous.status == 200 && anonymous.text.contains("Nama pengguna"))
        let bad = try await api.get("/rakor?period=2019-Q0", as: nil, headers: bupati)
        #expect(bad.status == 422 && bad.text.contains("Data tidak valid"))
        #expect(bad.header("Content-Type")?.hasPrefix("text/html") == true)
    }
}

extension String {
    /// The element whose `id` is given, from the attribute to its `</section>`.
    fileprivate func sheet(_ id: String) -> String? {
        guard let start = range(of: "id=\"\(id)\""), let end = self[start.upperBound...].range(of: "</section>")
        else { return nil }
        return String(self[start.lowerBound..<end.upperBound])
    }
}
