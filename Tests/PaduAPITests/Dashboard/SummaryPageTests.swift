import Foundation
import Testing

@testable import PaduAPI
@testable import PaduStore

@Suite("Executive summary page")
struct SummaryPageTests {
    let html = Fixtures.page()

    @Test("is a complete, offline, script-free Indonesian document")
    func documentFrame() {
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<html lang=\"id\">"))
        #expect(html.contains("<meta charset=\"utf-8\">"))
        #expect(html.contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"))
        #expect(html.contains("<title>Padu — Ringkasan Kabupaten Musi Banyuasin 2019</title>"))
        #expect(html.occurrences(of: "<style>") == 1)
        #expect(!html.lowercased().contains("<script"))
        #expect(!html.contains("http://") && !html.contains("https://"))
        #expect(!html.contains("<link") && !html.contains("<img") && !html.contains("@import"))
        #expect(!html.contains("url("))
    }

    @Test("header shows title, scope, year, the as-of instant in WIB, user and a logout form")
    func header() {
        #expect(html.contains("<header class=\"site-header\">"))
        #expect(html.contains("Padu — Ringkasan Penanggulangan Kemiskinan"))
        #expect(html.contains("Kabupaten Musi Banyuasin (16.06)"))
        #expect(html.contains("Tahun 2019"))
        #expect(html.contains("Data per 1 Juli 2019 15.00 WIB"), "08:00 UTC is 15.00 in Jakarta")
        #expect(html.contains("<strong>bappeda.admin</strong>"))
        #expect(
            html.contains("<form method=\"post\" action=\"/logout\"><button type=\"submit\">Keluar</button></form>"))
    }

    @Test("landmarks: every section is labelled by a heading that exists; plain words, no jargon")
    func landmarks() throws {
        #expect(html.occurrences(of: "<main") == 1)
        let sections = html.elements(opening: "<section ", closing: ">")
        #expect(sections.count == 10)
        for opening in sections {
            let label = try #require(opening.firstMatch(#"aria-labelledby="([^"]+)""#))
            #expect(html.contains("<h2 id=\"\(label)\""), "missing heading \(label)")
        }
        for heading in [
            "Angka utama", "Realisasi anggaran per OPD", "Realisasi per klaster", "Bantuan tepat sasaran",
            "Keluarga yang dibantu lebih dari satu OPD", "Keluarga termiskin yang belum terjangkau",
            "Cakupan per kecamatan", "Laporan Triwulan III 2019", "Bantuan yang dijaga tetap tepat sasaran",
        ] {
            #expect(html.contains(">\(heading)</h2>"), "missing section \(heading)")
        }
        #expect(!html.contains("Eksklusi") && !html.contains("Penyaluran"))
    }

    @Test("one GET form picks the year and the quarter, and links to that quarter's meeting pack")
    func picker() throws {
        let form = try #require(html.section("pilih-tahun"))
        #expect(form.contains("<form class=\"year-form\" method=\"get\" action=\"/\">"))
        #expect(form.contains("<label for=\"year\">Tahun</label>"))
        #expect(form.contains("<option value=\"2019\" selected>2019</option>"))
        #expect(form.contains("<option value=\"2018\">2018</option>"))
        #expect(form.contains("<select name=\"period\" id=\"period\">"))
        #expect(form.contains("<option value=\"2019-Q3\" selected>Triwulan III</option>"))
        #expect(form.contains("<option value=\"2019-Q1\">Triwulan I</option>"))
        #expect(form.occurrences(of: " selected") == 2)
        #expect(form.contains("href=\"/rakor?period=2019-Q3\">Bahan rakor Triwulan III 2019 (siap cetak)</a>"))

        let other = Fixtures.page(years: [2018, 2020])
        let otherForm = try #require(other.section("pilih-tahun"))
        #expect(otherForm.contains("<option value=\"2019\" selected>2019</option>"), "current year is always offered")
    }

    @Test("headline cards: compact rupiah with the exact figure in title, numbers that never wrap")
    func keyFigures() throws {
        let cards = try #require(html.section("angka-utama"))
        #expect(cards.contains("<dt>Pagu</dt><dd><span class=\"figure\" title=\"Rp470.000.000\">Rp470 juta</span>"))
        #expect(
            cards.contains("<dt>Realisasi</dt><dd><span class=\"figure\" title=\"Rp458.000.000\">Rp458 juta</span>"))
        #expect(cards.contains("<dt>Tingkat realisasi</dt><dd><span class=\"figure\">97,4%</span>"))
        #expect(cards.contains("<dt>Penduduk terjangkau</dt><dd><span class=\"figure\">1.234.567</span>"))
        #expect(cards.contains("<dt>Rumah tangga terjangkau</dt><dd><span class=\"figure\">1.534</span>"))
        #expect(cards.contains("<dt>Bantuan tersalurkan</dt><dd><span class=\"figure\">5.988</span>"))
        #expect(cards.contains("Penduduk terjangkau bisa lebih sedikit daripada rumah tangga terjangkau"))
        #expect(DashboardStyles.css.contains(".figure{white-space:nowrap"))
    }

    @Test("agency table: exact amounts, rate, last year, change, households and outputs")
    func agencies() throws {
        let section = try #require(html.section("realisasi-opd"))
        for agency in [Fixtures.dinsos, Fixtures.baznas, Fixtures.dinkes] {
            #expect(section.contains(agency.agency), "missing \(agency.agency)")
        }
        let dinsos = try #require(
            section.elements(opening: "<th scope=\"row\" title=\"Dinas Sosial", closing: "</tr>").first)
        #expect(dinsos.contains(">Rp350.000.000</td>") && dinsos.contains(">Rp332.000.000</td>"))
        #expect(dinsos.contains("94,9%</td>"))
        #expect(dinsos.contains(">Rp300.000.000</td>"), "last year's realisation")
        #expect(dinsos.contains(">+10,7%</td>"), "332 against 300 million")
        #expect(dinsos.contains(">1.000</td>"), "households last year")
        let baznas = try #require(
            section.elements(opening: "<th scope=\"row\" title=\"Badan Amil", closing: "</tr>").first)
        #expect(baznas.contains(">7 rumah</td>"))
        #expect(section.contains("data-label=\"Realisasi 2018\""), "stacked on phones")
    }

    @Test("reporting completeness of the chosen quarter")
    func reporting() throws {
        let section = try #require(html.section("pelaporan"))
        #expect(section.contains("<strong>1 dari 2 OPD</strong> sudah mengirim laporan"))
        #expect(section.contains(">Lengkap</span>") && section.contains(">Belum lengkap</span>"))
    }

    @Test("without the second edition's figures the summary's own reporting list is shown")
    func reportingFallback() throws {
        let page = Fixtures.page(extras: nil)
        let section = try #require(page.section("pelaporan"))
        #expect(section.contains(">Laporan Triwulan II 2019</h2>"))
        #expect(section.contains("<li>Dinas Pendidikan</li>"))
        let complete = try #require(
            Fixtures.page(summary: Fixtures.summary(missing: []), extras: nil).section("pelaporan"))
        #expect(complete.contains("<p>Semua OPD sudah melapor.</p>"))
    }

    @Test("decile chart: ten bars coloured by target group, a legend and the targeting figures")
    func deciles() throws {
        let section = try #require(html.section("ketepatan-sasaran"))
        let bars = section.elements(opening: "<rect class=\"bar\"", closing: "/>")
        #expect(bars.count == 10)
        #expect(bars.prefix(4).allSatisfy { $0.contains("fill=\"#1f5f99\"") })
        #expect(bars.suffix(6).allSatisfy { $0.contains("fill=\"#b35900\"") })
        #expect(section.contains("<strong>71,7%</strong> rumah tangga penerima termasuk 40% termiskin"))
        #expect(section.contains("134 penerima tidak tercatat di DTKS"))
        #expect(section.contains("desil 1: 500, desil 2: 300"))
    }

    @Test("overlap: households with several programmes and the agency pairs, small pairs hidden")
    func overlap() throws {
        let section = try #require(html.section("tumpang-tindih"))
        #expect(section.contains("<strong>534</strong> rumah tangga menerima lebih dari satu program"))
        #expect(section.contains("<th scope=\"row\">Dinas Sosial + Badan Amil Zakat Nasional</th>"))
        #expect(section.contains(">120</td>"))
        let small = try #require(section.elements(opening: "<th scope=\"row\">Dinas Kesehatan", closing: "</tr>").first)
        #expect(small.contains("disembunyikan (&lt; 5 rumah tangga)"))
    }

    @Test("the poorest not reached: decile 1 figures and kecamatan ranked, each a link to its desa")
    func poorest() throws {
        let section = try #require(html.section("termiskin"))
        #expect(section.contains("<strong>1.500</strong> dari 2.000 keluarga termiskin"))
        #expect(section.contains("(75,0%)"))
        #expect(
            section.contains("href=\"?year=2019&amp;period=2019-Q3&amp;kecamatan=16.06.02#termiskin\">Babat Toman</a>"))
        let first = try #require(section.range(of: "Babat Toman"))
        let second = try #require(section.range(of: "Sekayu"))
        #expect(first.lowerBound < second.lowerBound, "most not reached first")
        var extras = Fixtures.extras
        extras.district = (code: "16.06.01", name: "Sekayu")
        extras.poorest = [
            PoorestNotReached(
                regionCode: "16.06.01.2001", region: "Desa Satu", registryHouseholds: 50,
                notReached: 20)
        ]
        let desa = try #require(Fixtures.page(extras: extras).section("termiskin"))
        #expect(desa.contains("per desa di Kecamatan Sekayu"))
        #expect(desa.contains("<th scope=\"row\">Desa Satu</th>"))
        #expect(desa.contains("Kembali ke semua kecamatan"))
    }

    @Test("regions table with coverage; a suppressed cell is a dash with a note")
    func regions() throws {
        let section = try #require(html.section("cakupan-kecamatan"))
        #expect(section.contains("<th scope=\"row\">Sekayu</th>"))
        #expect(section.contains("30,0%</td>"), "1.200 of 4.000 households")
        let suppressedCell = "title=\"disembunyikan (&lt; 5 rumah tangga)\""
        let leko = try #require(section.elements(opening: "<th scope=\"row\">Batanghari Leko", closing: "</tr>").first)
        #expect(leko.contains(">900</td>"))
        #expect(leko.occurrences(of: suppressedCell) == 3, "reached, decile 1-4, coverage")
    }

    @Test("charts are accessible scalable SVG; tables have captions and scoped headers")
    func chartsAndTables() throws {
        let charts = html.svgElements.filter { $0.contains("role=\"img\"") }
        #expect(charts.count == 1, "the decile chart")
        for svg in charts {
            let label = try #require(svg.firstMatch(#"aria-label="([^"]+)""#))
            #expect(svg.contains("<title>\(label)</title>"))
            #expect(svg.contains("width=\"100%\""))
        }
        #expect(html.svgElements.filter { !$0.contains("role=\"img\"") }.allSatisfy { $0.contains("aria-hidden") })
        let tables = html.elements(opening: "<table>", closing: "</table>")
        #expect(tables.count == 6)
        for table in tables {
            #expect(table.contains("<caption"))
            #expect(table.contains("<th scope=\"col\""))
            #expect(!table.contains("<th>"))
        }
    }

    @Test("the page is small")
    func weight() {
        #expect(html.utf8.count < 100_000)
    }

    @Test("output is deterministic")
    func deterministic() {
        #expect(Fixtures.page() == Fixtures.page())
        #expect(!html.containsNonFiniteNumber)
    }
}

extension String {
    /// The first capture group of `pattern`, if it matches.
    func firstMatch(_ pattern: String) -> String? {
        guard let regex = try? NSRegularExpression(pattern: pattern),
            let match = regex.firstMatch(in: self, range: NSRange(startIndex..., in: self)),
            let range = Range(match.range(at: 1), in: self)
        else { return nil }
        return String(self[range])
    }

    @Test("aid kept on target: lines reviewed, rejected, their value and why, in plain words")
    func keptOnTarget() {
        var summary = Fixtures.summary()
        summary.coordination = Coordination(
            linesSubmitted: 48, linesApproved: 40, linesRejected: 5, rejectedValueIDR: 100_000_000,
            rejectedByFlag: ["DECILE_ABOVE_4": 4, "SAME_CATEGORY_PLANNED": 1])
        let page = Fixtures.page(summary: summary)
        #expect(page.contains("Bantuan yang dijaga tetap tepat sasaran"))
        #expect(page.contains("menerima 48 baris rencana penerima: 40 disetujui, <strong>5 ditolak</strong>"))
        #expect(page.contains("3 baris masih menunggu keputusan"))
        #expect(page.contains("title=\"Rp100.000.000\">Rp100 juta</span>"))
        #expect(page.contains("<li>bukan 40% termiskin (desil di atas 4): 4</li>"))
        #expect(page.contains("<li>sudah direncanakan OPD lain untuk bantuan sejenis: 1</li>"))
        #expect(!page.contains("DECILE_ABOVE_4"), "plain words, not codes")
    }
}
