import PaduStore

// The executive dashboard: page frame, header, year selector, key figures and reporting status.
// The analytic sections (agencies, clusters, targeting, overlap, exclusion, regions) are in
// SummarySections.swift.

extension DashboardPages {
    /// The executive summary dashboard for one scope and year.
    /// - Parameters:
    ///   - summary: the aggregate figures.
    ///   - regions: per-kecamatan figures (nil cells were suppressed upstream).
    ///   - years: the years offered in the year selector; `summary.year` is added if missing.
    ///   - username: the signed-in user, shown in the header (escaped).
    public static func summaryPage(
        summary: Summary, regions: [RegionSummary], years: [Int], username: String, csrf: String = "",
        links: [(label: String, href: String)] = []
    ) -> String {
        let body = [
            "<a class=\"skip\" href=\"#konten\">Langsung ke isi</a>",
            header(summary: summary, username: username, csrf: csrf, links: links),
            "<main id=\"konten\">",
            yearSelector(current: summary.year, years: years),
            keyFigures(summary.totals),
            agencySection(summary.byAgency),
            clusterSection(summary.byCluster),
            targetingSection(summary.targeting),
            overlapSection(summary.overlap),
            exclusionSection(summary.exclusion),
            regionSection(regions),
            reportingSection(summary.reporting),
            "</main>",
            "<footer class=\"site-footer\"><p>Padu — angka agregat. Sel dengan kurang dari 5 rumah tangga "
                + "disembunyikan (ditampilkan sebagai —).</p></footer>",
        ].joined(separator: "\n")
        return DashboardHTML.document(
            title: "Padu — Ringkasan \(summary.scopeName) \(summary.year)", body: body)
    }

    // MARK: - Header and year selector

    static func header(
        summary: Summary, username: String, csrf: String = "", links: [(label: String, href: String)] = []
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
            <h1>Padu — Ringkasan Penanggulangan Kemiskinan</h1>
            <p class="meta"><span>\(esc(summary.scopeName)) (\(esc(summary.scope)))</span> \
            <span>Tahun \(summary.year)</span> <span>Data per \(esc(summary.asOf ?? "—"))</span></p>
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

    static func yearSelector(current: Int, years: [Int]) -> String {
        let options = years.contains(current) ? years : (years + [current]).sorted()
        var html = "<form class=\"year-form\" method=\"get\" action=\"/\">\n"
        html += "<label for=\"year\">Tahun</label>\n<select name=\"year\" id=\"year\">\n"
        for year in options {
            html += "<option value=\"\(year)\"\(year == current ? " selected" : "")>\(year)</option>\n"
        }
        html += "</select>\n<button type=\"submit\">Tampilkan</button>\n</form>"
        return DashboardHTML.section(
            id: "pilih-tahun", heading: "Pilih tahun anggaran", headingClass: "visually-hidden", content: html)
    }

    // MARK: - Key figures

    static func keyFigures(_ totals: SummaryTotals) -> String {
        var html = "<dl class=\"cards\">\n"
        for (label, value) in zip(DashboardFigures.labels, DashboardFigures.values(totals)) {
            html += "<div class=\"card\"><dt>\(DashboardHTML.escape(label))</dt>"
            html += "<dd>\(DashboardHTML.escape(value))</dd></div>\n"
        }
        html += "</dl>"
        return DashboardHTML.section(id: "angka-utama", heading: "Angka utama", content: html)
    }

    // MARK: - Reporting

    static func reportingSection(_ reporting: Reporting) -> String {
        var html = "<p>\(DashboardFormat.integer(reporting.submitted)) OPD sudah melapor.</p>\n"
        if reporting.missing.isEmpty {
            html += "<p>Semua OPD sudah melapor.</p>"
        } else {
            html += "<ul class=\"missing\">\n"
            for agency in reporting.missing {
                html += "<li>\(DashboardHTML.escape(agency))</li>\n"
            }
            html += "</ul>"
        }
        return DashboardHTML.section(
            id: "pelaporan", heading: "OPD yang belum melapor (\(reporting.period))", content: html)
    }
}
