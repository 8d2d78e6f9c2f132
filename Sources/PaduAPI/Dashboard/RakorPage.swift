import PaduCore
import PaduStore

// The quarterly meeting pack (rapat koordinasi, /rakor): printable on A4, one section per agency
// (budget and realisation, outputs, reach, deciles, its report narrative), the cluster totals and
// who has not reported. Each agency's section starts a new printed page; table rows are not cut.

extension DashboardPages {
    /// The meeting pack of one quarter.
    /// - Parameters:
    ///   - pack: the per-agency figures of the quarter.
    ///   - clusters: the summary's cluster totals for the quarter's year.
    ///   - reporting: reporting completeness of the quarter.
    ///   - quarters: the quarters offered in the picker.
    ///   - username: the signed-in user (escaped).
    public static func rakorPage(
        pack: MeetingPack, clusters: [ClusterSummary], reporting: [ReportingStatus], quarters: [Quarter],
        username: String, csrf: String = "", links: [(label: String, href: String)] = []
    ) -> String {
        let quarter = (try? Quarter(pack.period)) ?? Quarter.containing(.today)
        let label = DashboardFormat.quarter(quarter)
        let body = [
            "<a class=\"skip\" href=\"#konten\">Langsung ke isi</a>",
            header(
                title: "Bahan Rapat Koordinasi \(label)", scope: pack.scopeName, code: pack.scope,
                period: label, asOf: pack.asOf, username: username, csrf: csrf, links: links),
            "<main id=\"konten\" class=\"rakor\">",
            rakorPicker(current: quarter, quarters: quarters),
            rakorOverview(pack: pack, clusters: clusters, reporting: reporting, label: label),
            pack.agencies.map { agencySheet($0, label: label) }.joined(separator: "\n"),
            "</main>",
            "<footer class=\"site-footer\"><p>Padu — bahan rakor \(DashboardHTML.escape(label)). Realisasi dan "
                + "keluaran sampai akhir triwulan; jangkauan dan desil untuk tahun \(pack.year) sampai data "
                + "terakhir. Sel dengan kurang dari 5 rumah tangga disembunyikan (—).</p></footer>",
        ].joined(separator: "\n")
        return DashboardHTML.document(
            title: "Padu — Bahan Rakor \(label) — \(pack.scopeName)", body: body, extraCSS: DashboardStyles.printCSS)
    }

    static func rakorPicker(current: Quarter, quarters: [Quarter]) -> String {
        let options = quarters.contains(current) ? quarters : (quarters + [current]).sorted(by: >)
        var html = "<form class=\"year-form no-print\" method=\"get\" action=\"/rakor\">\n"
        html += "<label for=\"period\">Triwulan</label>\n<select name=\"period\" id=\"period\">\n"
        for quarter in options {
            html += "<option value=\"\(quarter.description)\"\(quarter == current ? " selected" : "")>"
            html += "\(DashboardHTML.escape(DashboardFormat.quarter(quarter)))</option>\n"
        }
        html += "</select>\n<button type=\"submit\">Tampilkan</button>\n"
        html += "<a class=\"print-link\" href=\"/?year=\(current.year)&amp;period=\(current.description)\">"
        html += "Kembali ke ringkasan</a>\n</form>\n"
        html += "<p class=\"note no-print\">Untuk mencetak atau menyimpan PDF, gunakan menu Cetak peramban "
        html += "(kertas A4): tiap OPD mulai di halaman baru.</p>"
        return DashboardHTML.section(
            id: "pilih-triwulan", heading: "Pilih triwulan", headingClass: "visually-hidden", content: html)
    }

    static func rakorOverview(
        pack: MeetingPack, clusters: [ClusterSummary], reporting: [ReportingStatus], label: String
    ) -> String {
        typealias Cell = DashboardHTML.Cell
        let esc = DashboardHTML.escape
        let rows = clusters.map { cluster -> [Cell] in
            [
                .text(cluster.cluster), .number(DashboardFormat.rupiah(cluster.allocatedIDR)),
                .number(DashboardFormat.rupiah(cluster.realizedIDR)),
                .number(DashboardFormat.percent(cluster.realizationRate)),
                .number(DashboardFormat.integer(cluster.householdsReached)),
                .number(DashboardFormat.integer(cluster.deliveries)),
            ]
        }
        var html = DashboardHTML.table(
            caption: "Total per klaster, tahun \(pack.year)",
            headers: [
                ("Klaster", false), ("Pagu", true), ("Realisasi", true), ("Tingkat realisasi", true),
                ("Rumah tangga terjangkau", true), ("Bantuan tersalurkan", true),
            ],
            rows: rows, stacked: true)
        let missing = reporting.filter { !$0.complete }
        html += "<h3>Belum melapor lengkap untuk \(esc(label))</h3>\n"
        if missing.isEmpty {
            html += "<p>Semua OPD sudah mengirim laporan semua programnya.</p>\n"
        } else {
            html += "<ul class=\"missing\">\n"
            for status in missing {
                html += "<li>\(esc(status.agency)): \(status.submitted) dari \(status.programmes) program "
                html += "sudah melapor\(status.drafts > 0 ? ", \(status.drafts) masih draf" : "")</li>\n"
            }
            html += "</ul>\n"
        }
        html += "<h3>Daftar OPD</h3>\n<ol class=\"toc\">\n"
        for agency in pack.agencies {
            html += "<li><a href=\"#opd-\(esc(agency.agencyCode))\">\(esc(agency.agency))</a></li>\n"
        }
        html += "</ol>"
        return DashboardHTML.section(id: "ringkasan-rakor", heading: "Ringkasan \(label)", content: html)
    }

    /// One agency's sheet: a new printed page.
    static func agencySheet(_ agency: MeetingAgency, label: String) -> String {
        typealias Cell = DashboardHTML.Cell
        let esc = DashboardHTML.escape
        let id = "opd-\(esc(agency.agencyCode))"
        var html = "<section class=\"agency\" id=\"\(id)\" aria-labelledby=\"\(id)-judul\">\n"
        html += "<h2 id=\"\(id)-judul\">\(esc(agency.agency))</h2>\n<dl class=\"facts\">\n"
        let facts: [(String, String, String?)] = [
            (
                "Pagu \(label.suffix(4))", DashboardFormat.compactRupiah(agency.allocatedIDR),
                DashboardFormat.rupiah(agency.allocatedIDR)
            ),
            (
                "Realisasi s.d. \(label)", DashboardFormat.compactRupiah(agency.realizedIDR),
                DashboardFormat.rupiah(agency.realizedIDR)
            ),
            ("Tingkat realisasi", DashboardFormat.percent(agency.realizationRate), nil),
            ("Rumah tangga terjangkau", DashboardFormat.integer(agency.householdsReached), nil),
            ("Penduduk terjangkau", DashboardFormat.integer(agency.personsReached), nil),
            ("Bantuan tersalurkan", DashboardFormat.integer(agency.deliveries), nil),
        ]
        for (name, value, exact) in facts {
            let title = exact.map { " title=\"\(esc($0))\"" } ?? ""
            let spoken = exact.map { "<span class=\"visually-hidden\"> (\(esc($0)))</span>" } ?? ""
            html +=
                "<div><dt>\(esc(name))</dt><dd><span class=\"figure\"\(title)>\(esc(value))</span>\(spoken)</dd></div>\n"
        }
        html += "</dl>\n"
        let programmeRows = agency.programmes.map { programme -> [Cell] in
            let rate = DashboardFormat.percent(
                programme.allocatedIDR > 0 ? Double(programme.realizedIDR) / Double(programme.allocatedIDR) : nil)
            let output = "\(DashboardFormat.integer(Int(clamping: programme.outputQuantity))) \(programme.unit)"
            let target = programme.targetQuantity.map { DashboardFormat.integer(Int(clamping: $0)) } ?? "—"
            let achieved = programme.achievedQuantity.map { DashboardFormat.integer(Int(clamping: $0)) } ?? "—"
            return [
                .text(programme.program), .number(DashboardFormat.rupiah(programme.allocatedIDR)),
                .number(DashboardFormat.rupiah(programme.realizedIDR)), .number(rate), .number(output),
                .number("\(achieved) / \(target)"),
            ]
        }
        html += DashboardHTML.table(
            caption: "Program: pagu, realisasi dan keluaran s.d. \(label)",
            headers: [
                ("Program", false), ("Pagu", true), ("Realisasi", true), ("Tingkat", true), ("Keluaran", true),
                ("Capaian / target laporan", true),
            ],
            rows: programmeRows, stacked: true)
        html += decileTable(agency)
        html += "<h3>Laporan \(esc(label))</h3>\n"
        for programme in agency.programmes {
            html += "<div class=\"narrative\"><h4>\(esc(programme.program))</h4>\n"
            switch programme.reportStatus {
            case "submitted":
                let when = programme.submittedAt.map { " (dikirim \(esc(DashboardFormat.wib($0))))" } ?? ""
                let text = programme.narrative.flatMap { $0.isEmpty ? nil : $0 } ?? "Tanpa uraian."
                html += "<p class=\"status ok\">Terkirim\(when)</p>\n<p class=\"story\">\(esc(text))</p>\n"
            case "draft":
                html += "<p class=\"status late\">Masih draf, belum dikirim.</p>\n"
            default:
                html += "<p class=\"status late\">Belum ada laporan.</p>\n"
            }
            html += "</div>\n"
        }
        html += "</section>"
        return html
    }

    static func decileTable(_ agency: MeetingAgency) -> String {
        typealias Cell = DashboardHTML.Cell
        let deciles = (0..<10).map { $0 < agency.byDecile.count ? agency.byDecile[$0] : nil }
        let cells: [Cell] =
            [.text("Rumah tangga")] + deciles.map { Cell.count($0) } + [Cell.count(agency.outsideRegistry)]
        return DashboardHTML.table(
            caption: "Rumah tangga terjangkau per desil (1 = termiskin)",
            headers: [("", false)] + (1...10).map { ("D\($0)", true) } + [("Luar DTKS", true)],
            rows: [cells], stacked: true)
    }
}
