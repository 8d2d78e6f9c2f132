import Foundation
import PaduCore
import PaduStore

// The executive dashboard, second edition: page frame, header, the year and quarter picker, the
// headline cards. The sections are in SummarySections.swift; the meeting pack in RakorPage.swift.

/// What the second edition shows beyond the summary (migration 0075's functions).
public struct DashboardExtras: Sendable {
    /// The quarter whose reporting completeness is shown, and the quarters offered.
    public var quarter: Quarter
    public var quarters: [Quarter]
    public var reporting: [ReportingStatus]
    public var yearOverYear: [AgencyYearOverYear]
    public var pairs: [AgencyPair]
    /// Decile 1-2 households not reached, per kecamatan, or per desa of `district`.
    public var poorest: [PoorestNotReached]
    public var district: (code: String, name: String)?
    /// Realised outputs per agency code, e.g. ["BAZNAS": [("rumah", 7)]].
    public var outputs: [String: [(unit: String, quantity: Int64)]]

    public init(
        quarter: Quarter, quarters: [Quarter] = [], reporting: [ReportingStatus] = [],
        yearOverYear: [AgencyYearOverYear] = [], pairs: [AgencyPair] = [], poorest: [PoorestNotReached] = [],
        district: (code: String, name: String)? = nil, outputs: [String: [(unit: String, quantity: Int64)]] = [:]
    ) {
        self.quarter = quarter
        self.quarters = quarters
        self.reporting = reporting
        self.yearOverYear = yearOverYear
        self.pairs = pairs
        self.poorest = poorest
        self.district = district
        self.outputs = outputs
    }

    /// Outputs per agency from a meeting pack (its programmes' realised outputs, summed per unit).
    public static func outputs(of pack: MeetingPack) -> [String: [(unit: String, quantity: Int64)]] {
        var result: [String: [(unit: String, quantity: Int64)]] = [:]
        for agency in pack.agencies {
            var byUnit: [String: Int64] = [:]
            for programme in agency.programmes where programme.outputQuantity > 0 {
                let (sum, overflow) = byUnit[programme.unit, default: 0].addingReportingOverflow(
                    programme.outputQuantity)
                byUnit[programme.unit] = overflow ? Int64.max : sum
            }
            if !byUnit.isEmpty {
                result[agency.agencyCode] = byUnit.sorted { $0.key < $1.key }.map { (unit: $0.key, quantity: $0.value) }
            }
        }
        return result
    }
}

extension DashboardPages {
    /// The executive summary dashboard for one scope and year.
    /// - Parameters:
    ///   - summary: the aggregate figures.
    ///   - regions: per-kecamatan figures (nil cells were suppressed upstream).
    ///   - years: the years offered in the year selector; `summary.year` is added if missing.
    ///   - username: the signed-in user, shown in the header (escaped).
    ///   - extras: the second edition's figures; without them, the quarter of the summary's reporting.
    public static func summaryPage(
        summary: Summary, regions: [RegionSummary], years: [Int], username: String, csrf: String = "",
        links: [(label: String, href: String)] = [], extras: DashboardExtras? = nil
    ) -> String {
        let extras =
            extras
            ?? DashboardExtras(quarter: (try? Quarter(summary.reporting.period)) ?? Quarter.containing(.today))
        let body = [
            "<a class=\"skip\" href=\"#konten\">Langsung ke isi</a>",
            header(
                title: "Ringkasan Penanggulangan Kemiskinan", scope: summary.scopeName, code: summary.scope,
                period: "Tahun \(summary.year)", asOf: summary.asOf, username: username, csrf: csrf, links: links),
            "<main id=\"konten\">",
            picker(year: summary.year, years: years, extras: extras),
            keyFigures(summary.totals),
            agencySection(summary.byAgency, year: summary.year, extras: extras),
            reportingSection(summary.reporting, extras: extras),
            "<div class=\"grid2\">",
            targetingSection(summary.targeting),
            exclusionSection(summary.exclusion, year: summary.year, extras: extras),
            "</div>",
            coordinationSection(summary.coordination),
            overlapSection(summary.overlap, pairs: extras.pairs),
            regionSection(regions),
            clusterSection(summary.byCluster),
            "</main>",
            "<footer class=\"site-footer\"><p>Padu — angka agregat. Sel dengan kurang dari 5 rumah tangga "
                + "disembunyikan (ditampilkan sebagai —). Arahkan penunjuk ke angka ringkas untuk angka "
                + "lengkapnya.</p></footer>",
        ].joined(separator: "\n")
        return DashboardHTML.document(
            title: "Padu — Ringkasan \(summary.scopeName) \(summary.year)", body: body)
    }

    // MARK: - Header and picker

    static func header(
        title: String, scope: String, code: String, period: String, asOf: String?, username: String,
        csrf: String = "", links: [(label: String, href: String)] = []
    ) -> String {
        let esc = DashboardHTML.escape
        let csrfField = csrf.isEmpty ? "" : "<input type=\"hidden\" name=\"csrf\" value=\"\(esc(csrf))\">"
        let nav =
            links.isEmpty
            ? ""
            : "<nav class=\"site-nav\" aria-label=\"Menu utama\"><ul>"
                + links.map { "<li><a href=\"\(esc($0.href))\">\(esc($0.label))</a></li>" }.joined()
                + "</ul></nav>"
        return """
            <header class="site-header">
            <div class="wrap">
            <div>
            <h1>Padu — \(esc(title))</h1>
            <p class="meta"><span>\(esc(scope)) (\(esc(code)))</span> <span>\(esc(period))</span> \
            <span>Data per \(esc(DashboardFormat.wib(asOf)))</span></p>
            </div>
            <div class="user">
            <span>Masuk sebagai <strong>\(esc(username))</strong></span>
            <form method="post" action="/logout">\(csrfField)<button type="submit">Keluar</button></form>
            </div>
            </div>
            </header>
            \(nav)
            """
    }

    /// One GET form: the fiscal year and the quarter whose reports are counted.
    static func picker(year current: Int, years: [Int], extras: DashboardExtras) -> String {
        let options = years.contains(current) ? years : (years + [current]).sorted(by: >)
        var html = "<form class=\"year-form\" method=\"get\" action=\"/\">\n"
        html += "<label for=\"year\">Tahun</label>\n<select name=\"year\" id=\"year\">\n"
        for year in options {
            html += "<option value=\"\(year)\"\(year == current ? " selected" : "")>\(year)</option>\n"
        }
        html += "</select>\n<label for=\"period\">Triwulan</label>\n<select name=\"period\" id=\"period\">\n"
        for number in 1...4 {
            let value = "\(current)-Q\(number)"
            let selected = extras.quarter.year == current && extras.quarter.quarter == number
            html += "<option value=\"\(value)\"\(selected ? " selected" : "")>"
            html += "Triwulan \(DashboardFormat.romanQuarters[number - 1])</option>\n"
        }
        html += "</select>\n<button type=\"submit\">Tampilkan</button>\n"
        html += "<a class=\"print-link\" href=\"/rakor?period=\(extras.quarter.description)\">Bahan rakor "
        html += "\(DashboardHTML.escape(DashboardFormat.quarter(extras.quarter))) (siap cetak)</a>\n</form>"
        return DashboardHTML.section(
            id: "pilih-tahun", heading: "Pilih tahun dan triwulan", headingClass: "visually-hidden", content: html)
    }

    // MARK: - Headline cards

    /// A headline figure: the compact text, the exact one as its tooltip and for screen readers.
    static func card(_ label: String, compact: String, exact: String? = nil) -> String {
        let esc = DashboardHTML.escape
        let title = exact.map { " title=\"\(esc($0))\"" } ?? ""
        let spoken = exact.map { "<span class=\"visually-hidden\"> (\(esc($0)))</span>" } ?? ""
        return "<div class=\"card\"><dt>\(esc(label))</dt><dd><span class=\"figure\"\(title)>\(esc(compact))</span>"
            + "\(spoken)</dd></div>\n"
    }

    static func keyFigures(_ totals: SummaryTotals) -> String {
        var html = "<dl class=\"cards\">\n"
        html += card(
            "Pagu", compact: DashboardFormat.compactRupiah(totals.allocatedIDR),
            exact: DashboardFormat.rupiah(totals.allocatedIDR))
        html += card(
            "Realisasi", compact: DashboardFormat.compactRupiah(totals.realizedIDR),
            exact: DashboardFormat.rupiah(totals.realizedIDR))
        html += card("Tingkat realisasi", compact: DashboardFormat.percent(totals.realizationRate))
        html += card("Rumah tangga terjangkau", compact: DashboardFormat.integer(totals.householdsReached))
        html += card("Penduduk terjangkau", compact: DashboardFormat.integer(totals.personsReached))
        html += card("Bantuan tersalurkan", compact: DashboardFormat.integer(totals.deliveries))
        html += "</dl>\n"
        html += "<p class=\"note\">Penduduk terjangkau bisa lebih sedikit daripada rumah tangga terjangkau: "
        html += "bantuan untuk rumah tangga (misalnya bedah rumah) dihitung per rumah tangga, tanpa menghitung "
        html += "anggotanya satu per satu; yang dihitung sebagai penduduk hanya penerima bantuan perorangan.</p>"
        return DashboardHTML.section(id: "angka-utama", heading: "Angka utama", content: html)
    }

    // MARK: - Reporting

    static func reportingSection(_ summaryReporting: Reporting, extras: DashboardExtras) -> String {
        typealias Cell = DashboardHTML.Cell
        let label = DashboardFormat.quarter(extras.quarter)
        let heading = "Laporan \(label)"
        let esc = DashboardHTML.escape
        var html = ""
        if extras.reporting.isEmpty {
            // Without the second edition's figures: the summary's own list of who has not reported.
            html += "<p>\(DashboardFormat.integer(summaryReporting.submitted)) OPD sudah melapor.</p>\n"
            if summaryReporting.missing.isEmpty {
                html += "<p>Semua OPD sudah melapor.</p>"
            } else {
                html += "<p>Belum melapor:</p>\n<ul class=\"missing\">\n"
                for agency in summaryReporting.missing { html += "<li>\(esc(agency))</li>\n" }
                html += "</ul>"
            }
            return DashboardHTML.section(id: "pelaporan", heading: heading, content: html)
        }
        let complete = extras.reporting.filter(\.complete).count
        html += "<p><strong>\(complete) dari \(extras.reporting.count) OPD</strong> sudah mengirim laporan "
        html += "semua programnya untuk \(esc(label)).</p>\n"
        let rows = extras.reporting.map { status -> [Cell] in
            let state: String =
                status.complete
                ? "Lengkap" : status.submitted == 0 && status.drafts == 0 ? "Belum melapor" : "Belum lengkap"
            return [
                .text(status.agency), .number(DashboardFormat.integer(status.programmes)),
                .number(DashboardFormat.integer(status.submitted)), .number(DashboardFormat.integer(status.drafts)),
                Cell(html: "<span class=\"status \(status.complete ? "ok" : "late")\">\(esc(state))</span>"),
            ]
        }
        html += DashboardHTML.table(
            caption: "Kelengkapan laporan \(label) per OPD",
            headers: [
                ("OPD", false), ("Program", true), ("Laporan terkirim", true), ("Masih draf", true), ("Status", false),
            ],
            rows: rows, stacked: true)
        return DashboardHTML.section(id: "pelaporan", heading: heading, content: html)
    }
}

extension CalendarDate {
    /// Today in Jakarta.
    static var today: CalendarDate {
        let parts = DashboardFormat.wibCalendar.dateComponents([.year, .month, .day], from: Date())
        return CalendarDate(year: parts.year ?? 2026, month: parts.month ?? 1, day: parts.day ?? 1)
            ?? CalendarDate(year: 2026, month: 1, day: 1)!
    }
}
