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

    @Test("header shows title, scope, year, as-of instant, user and a logout form")
    func header() {
        #expect(html.contains("<header class=\"site-header\">"))
        #expect(html.contains("Padu — Ringkasan Penanggulangan Kemiskinan"))
        #expect(html.contains("Kabupaten Musi Banyuasin (16.06)"))
        #expect(html.contains("Tahun 2019"))
        #expect(html.contains("Data per 2019-07-01T08:00:00Z"))
        #expect(html.contains("<strong>bappeda.admin</strong>"))
        #expect(
            html.contains("<form method=\"post\" action=\"/logout\"><button type=\"submit\">Keluar</button></form>"))
    }

    @Test("landmarks: every section is labelled by a heading that exists")
    func landmarks() throws {
        #expect(html.occurrences(of: "<main") == 1)
        let sections = html.elements(opening: "<section ", closing: ">")
        #expect(sections.count == 9)
        for opening in sections {
            let label = try #require(opening.firstMatch(#"aria-labelledby="([^"]+)""#))
            #expect(html.contains("<h2 id=\"\(label)\""), "missing heading \(label)")
        }
        for heading in [
            "Angka utama", "Realisasi anggaran per OPD", "Realisasi per klaster", "Ketepatan sasaran (desil)",
            "Tumpang tindih program", "Eksklusi", "Cakupan per kecamatan", "OPD yang belum melapor (2019-Q2)",
        ] {
            #expect(html.contains(">\(heading)</h2>"), "missing section \(heading)")
        }
    }

    @Test("year selector is a GET form to / with a labelled select and the current year selected")
    func yearSelector() throws {
        let form = try #require(html.section("pilih-tahun"))
        #expect(form.contains("<form class=\"year-form\" method=\"get\" action=\"/\">"))
        #expect(form.contains("<label for=\"year\">Tahun</label>"))
        #expect(form.contains("<select name=\"year\" id=\"year\">"))
        #expect(form.contains("<option value=\"2019\" selected>2019</option>"))
        #expect(form.contains("<option value=\"2018\">2018</option>"))
        #expect(form.contains("<option value=\"2017\">2017</option>"))
        #expect(form.occurrences(of: " selected") == 1)
        #expect(form.contains("<button type=\"submit\">Tampilkan</button>"))

        let other = Fixtures.page(years: [2018, 2020])
        let otherForm = try #require(other.section("pilih-tahun"))
        #expect(otherForm.contains("<option value=\"2019\" selected>2019</option>"), "current year is always offered")
    }

    @Test("key figure cards show the formatted totals")
    func keyFigures() throws {
        let cards = try #require(html.section("angka-utama"))
        #expect(cards.contains("<dt>Pagu</dt><dd>Rp470.000.000</dd>"))
        #expect(cards.contains("<dt>Realisasi</dt><dd>Rp458.000.000</dd>"))
        #expect(cards.contains("<dt>Tingkat realisasi</dt><dd>97,4%</dd>"))
        #expect(cards.contains("<dt>Penduduk terjangkau</dt><dd>1.234.567</dd>"))
        #expect(cards.contains("<dt>Rumah tangga terjangkau</dt><dd>1.534</dd>"))
        #expect(cards.contains("<dt>Penyaluran</dt><dd>5.988</dd>"))
    }

    @Test("agency section names every agency with its rate and amounts, in chart and table")
    func agencies() throws {
        let section = try #require(html.section("realisasi-opd"))
        for agency in [Fixtures.dinsos, Fixtures.baznas, Fixtures.dinkes] {
            #expect(section.contains(agency.agency), "missing \(agency.agency)")
        }
        #expect(section.contains("Rp332.000.000 dari Rp350.000.000"))
        #expect(section.contains(">Dinas Sosial</text>"), "short label in the chart")
        #expect(section.contains(">94,9%</text>"))
        #expect(section.contains("<td class=\"num\">94,9%</td>"))
        #expect(section.contains("<caption>Pagu dan realisasi anggaran per OPD</caption>"))
        #expect(section.contains("Dinas Kesehatan tidak tersedia.\""), "aria-label spells out a missing rate")
    }

    @Test("a rate above 100% shows its true value but the bar stops at full width")
    func cappedBar() throws {
        let svg = try #require(html.section("realisasi-opd")?.svgElements.first)
        let rows = svg.elements(opening: "<g class=\"row\">", closing: "</g>")
        let baznas = try #require(rows.first { $0.contains("Badan Amil Zakat Nasional") })
        #expect(baznas.contains(">105,0%</text>"))
        #expect(baznas.contains("<rect class=\"bar\" x=\"0\" y=\"83\" width=\"480\""))
        let dinkes = try #require(rows.first { $0.contains("Dinas Kesehatan") })
        #expect(dinkes.contains(">—</text>") && !dinkes.contains("class=\"bar\""), "nothing allocated: no bar")
    }

    @Test("there is one accessible, scalable SVG per chart")
    func charts() throws {
        let svgs = html.svgElements
        #expect(svgs.count == 4)
        for id in ["realisasi-opd", "ketepatan-sasaran", "tumpang-tindih", "cakupan-kecamatan"] {
            #expect(try #require(html.section(id)).svgElements.count == 1, "chart in \(id)")
        }
        for svg in svgs {
            #expect(svg.contains("role=\"img\""))
            let label = try #require(svg.firstMatch(#"aria-label="([^"]+)""#))
            #expect(label.count > 20)
            #expect(svg.contains("<title>\(label)</title>"))
            #expect(svg.contains("viewBox=\"0 0 480 "))
            #expect(svg.contains("width=\"100%\""))
            #expect(!svg.contains("xmlns"))
        }
    }

    @Test("decile chart has ten bars coloured by target group, a legend and the targeting figures")
    func deciles() throws {
        let section = try #require(html.section("ketepatan-sasaran"))
        let bars = section.elements(opening: "<rect class=\"bar\"", closing: "/>")
        #expect(bars.count == 10)
        #expect(bars.prefix(4).allSatisfy { $0.contains("fill=\"#1f5f99\"") })
        #expect(bars.suffix(6).allSatisfy { $0.contains("fill=\"#b35900\"") })
        #expect(section.contains("Desil 1–4 (sasaran)"))
        #expect(section.contains("Desil 5–10"))
        #expect(section.contains("<strong>71,7%</strong> rumah tangga penerima berada di desil 1–4"))
        #expect(section.contains("<strong>134</strong> rumah tangga penerima di luar DTKS"))
        #expect(section.contains("desil 1: 500, desil 2: 300"))
    }

    @Test("overlap histogram labels bars by programme count")
    func overlap() throws {
        let section = try #require(html.section("tumpang-tindih"))
        for label in ["1 program", "2 program", "3 program", "4+ program"] {
            #expect(section.contains(">\(label)</text>"))
        }
        #expect(section.elements(opening: "<rect class=\"bar\"", closing: "/>").count == 4)
        #expect(section.contains("<strong>534</strong> rumah tangga menerima lebih dari satu program"))
    }

    @Test("exclusion shows decile-1 households, those reached and the share not reached")
    func exclusion() throws {
        let section = try #require(html.section("eksklusi"))
        #expect(section.contains("<dd>2.000</dd>"))
        #expect(section.contains("<dd>500</dd>"))
        #expect(section.contains("<dd>1.500</dd>"))
        #expect(section.contains("<dd>75,0%</dd>"))
    }

    @Test("regions table and coverage bars; a suppressed cell is a dash with a note and has no bar")
    func regions() throws {
        let section = try #require(html.section("cakupan-kecamatan"))
        #expect(section.contains("<th scope=\"row\">Sekayu</th><td>16.06.01</td>"))
        #expect(section.contains("<td class=\"num\">Rp250.000.000</td>"))
        #expect(section.contains(">30,0%</text>"), "1.200 of 4.000 households")
        #expect(section.contains("<td class=\"num\">13,2%</td>"), "330 of 2.500 households")

        let suppressedCell =
            "<td class=\"num\" title=\"disembunyikan (&lt; 5 rumah tangga)\"><span aria-hidden=\"true\">—</span>"
            + "<span class=\"visually-hidden\">disembunyikan (&lt; 5 rumah tangga)</span></td>"
        let leko = try #require(section.elements(opening: "<th scope=\"row\">Batanghari Leko", closing: "</tr>").first)
        #expect(leko.contains("<td class=\"num\">900</td>"))
        #expect(leko.occurrences(of: suppressedCell) == 4, "reached, decile 1-4, value, coverage")

        let rows = try #require(section.svgElements.first).elements(opening: "<g class=\"row\">", closing: "</g>")
        #expect(rows.count == 3)
        #expect(section.contains("Batanghari Leko tidak tersedia.\""), "aria-label spells out a hidden value")
        let lekoBar = try #require(rows.first { $0.contains("Batanghari Leko") })
        #expect(!lekoBar.contains("<rect"))
        #expect(lekoBar.contains(">—</text>"))
        #expect(lekoBar.contains("disembunyikan (&lt; 5 rumah tangga)"))
        #expect(rows.filter { $0.contains("<rect class=\"bar\"") }.count == 2)
    }

    @Test("tables have captions and scoped header cells")
    func tables() {
        let tables = html.elements(opening: "<table>", closing: "</table>")
        #expect(tables.count == 3)
        for table in tables {
            #expect(table.contains("<caption>"))
            #expect(table.contains("<th scope=\"col\""))
            #expect(table.contains("<th scope=\"row\">"))
            #expect(!table.contains("<th>"))
        }
        #expect(html.occurrences(of: "<div class=\"table-wrap\"") == 3)
        #expect(DashboardStyles.css.contains(".table-wrap{overflow-x:auto"))
        #expect(DashboardStyles.css.contains("repeat(auto-fit,minmax(160px,1fr))"))
        #expect(DashboardStyles.css.contains(":focus-visible{outline:3px solid"))
    }

    @Test("missing reporters are listed with the count of those that reported")
    func reportingMissing() throws {
        let section = try #require(html.section("pelaporan"))
        #expect(section.contains(">OPD yang belum melapor (2019-Q2)</h2>"))
        #expect(section.contains("<p>2 OPD sudah melapor.</p>"))
        #expect(section.contains("<li>Dinas Pendidikan</li>"))
        #expect(!section.contains("Semua OPD sudah melapor"))
    }

    @Test("when everyone reported the page says so")
    func reportingComplete() throws {
        let page = Fixtures.page(summary: Fixtures.summary(missing: []))
        let section = try #require(page.section("pelaporan"))
        #expect(section.contains("<p>Semua OPD sudah melapor.</p>"))
        #expect(!section.contains("<li>"))
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
}
