import PaduStore

// The analytic sections of the summary page. Every ratio goes through DashboardFormat.ratio or
// DashboardFormat.percent, which return nil / "—" instead of dividing by zero.

extension DashboardPages {
    // MARK: - Agencies

    static func agencySection(_ agencies: [AgencySummary]) -> String {
        let heading = "Realisasi anggaran per OPD"
        guard !agencies.isEmpty else {
            return DashboardHTML.section(
                id: "realisasi-opd", heading: heading,
                content: "<p class=\"empty\">Belum ada data realisasi OPD.</p>\n"
                    + agencyTable(agencies))
        }
        let bars = agencies.map { agency in
            let amounts =
                "\(DashboardFormat.rupiah(agency.realizedIDR)) dari \(DashboardFormat.rupiah(agency.allocatedIDR))"
            let rate = DashboardFormat.percent(agency.realizationRate)
            return DashboardCharts.HorizontalBar(
                label: shortAgencyLabel(agency.agency), title: "\(agency.agency): \(rate) (\(amounts))",
                fraction: agency.realizationRate, valueText: rate, detail: amounts)
        }
        let description = agencies.map { agency in
            let rate = DashboardFormat.percent(agency.realizationRate)
            return "\(agency.agency) \(rate == DashboardFormat.missing ? "tidak tersedia" : rate)"
        }
        let chart = DashboardCharts.horizontalBars(
            bars,
            summary: "Grafik batang tingkat realisasi anggaran per OPD (batang dibatasi 100%): "
                + description.joined(separator: "; ") + ".")
        return DashboardHTML.section(
            id: "realisasi-opd", heading: heading,
            content: "<div class=\"chart-box\">\(chart)</div>\n" + agencyTable(agencies))
    }

    static func agencyTable(_ agencies: [AgencySummary]) -> String {
        typealias Cell = DashboardHTML.Cell
        let rows = agencies.map { agency -> [Cell] in
            [.text(agency.agency), .text(agency.agencyCode)] + DashboardFigures.values(agency).map(Cell.number)
        }
        return DashboardHTML.table(
            caption: "Pagu dan realisasi anggaran per OPD",
            headers: [("OPD", false), ("Kode", false)] + DashboardFigures.labels.map { ($0, true) }, rows: rows)
    }

    /// The agency name without the trailing "Kabupaten …" / "Kab. …" part, truncated for the chart.
    static func shortAgencyLabel(_ name: String, limit: Int = 44) -> String {
        var label = name
        for marker in [" Kabupaten ", " Kab. "] {
            if let range = label.firstRange(of: marker), range.lowerBound > label.startIndex {
                label = String(label[..<range.lowerBound])
            }
        }
        return label.count > limit ? String(label.prefix(limit - 1)) + "…" : label
    }

    // MARK: - Clusters

    static func clusterSection(_ clusters: [ClusterSummary]) -> String {
        typealias Cell = DashboardHTML.Cell
        let rows = clusters.map { cluster -> [Cell] in
            [.text(cluster.cluster)] + DashboardFigures.values(cluster).map(Cell.number)
        }
        let table = DashboardHTML.table(
            caption: "Pagu dan realisasi per klaster program",
            headers: [("Klaster", false)] + DashboardFigures.labels.map { ($0, true) }, rows: rows)
        return DashboardHTML.section(id: "realisasi-klaster", heading: "Realisasi per klaster", content: table)
    }

    // MARK: - Targeting

    static func targetingSection(_ targeting: Targeting) -> String {
        let counts = (0..<10).map { $0 < targeting.byDecile.count ? targeting.byDecile[$0] : 0 }
        let bars = counts.enumerated().map { index, count in
            DashboardCharts.VerticalBar(
                label: "\(index + 1)", value: count,
                color: index < 4 ? DashboardCharts.primaryColor : DashboardCharts.secondaryColor,
                title: "Desil \(index + 1): \(DashboardFormat.integer(count)) rumah tangga")
        }
        let description = counts.enumerated().map { "desil \($0.offset + 1): \(DashboardFormat.integer($0.element))" }
        let chart = DashboardCharts.verticalBars(
            bars,
            summary: "Grafik batang rumah tangga penerima per desil DTKS: " + description.joined(separator: ", ")
                + ".",
            axisLabel: "Desil")
        let esc = DashboardHTML.escape
        let html = """
            <div class="chart-box">\(chart)</div>
            <ul class="legend">
            <li><span class="swatch swatch-primary" aria-hidden="true"></span>\(esc("Desil 1–4 (sasaran)"))</li>
            <li><span class="swatch swatch-secondary" aria-hidden="true"></span>\(esc("Desil 5–10"))</li>
            </ul>
            <p><strong>\(DashboardFormat.percent(targeting.shareDecile1To4))</strong> rumah tangga penerima berada \
            di desil 1–4 (\(DashboardFormat.integer(targeting.decile1To4)) dari \
            \(DashboardFormat.integer(targeting.recipients)) rumah tangga penerima; \
            \(DashboardFormat.integer(targeting.inRegistry)) terdaftar di DTKS).</p>
            <p><strong>\(DashboardFormat.integer(targeting.outsideRegistry))</strong> rumah tangga penerima \
            di luar DTKS.</p>
            """
        return DashboardHTML.section(id: "ketepatan-sasaran", heading: "Ketepatan sasaran (desil)", content: html)
    }

    // MARK: - Overlap

    static let programCountKeys = ["1", "2", "3", "4+"]

    static func overlapSection(_ overlap: Overlap) -> String {
        let extra = overlap.householdsByProgramCount.keys.filter { !programCountKeys.contains($0) }.sorted()
        let keys = programCountKeys + extra
        let bars = keys.map { key in
            let count = overlap.householdsByProgramCount[key] ?? 0
            return DashboardCharts.VerticalBar(
                label: "\(key) program", value: count, color: DashboardCharts.primaryColor,
                title: "\(key) program: \(DashboardFormat.integer(count)) rumah tangga")
        }
        let description = bars.map { "\($0.label): \(DashboardFormat.integer($0.value))" }
        let chart = DashboardCharts.verticalBars(
            bars,
            summary: "Histogram rumah tangga menurut jumlah program yang diterima: "
                + description.joined(separator: ", ") + ".",
            axisLabel: "Jumlah program per rumah tangga")
        let multiple = keys.dropFirst().reduce(0) { $0 + max(overlap.householdsByProgramCount[$1] ?? 0, 0) }
        let html = """
            <div class="chart-box">\(chart)</div>
            <p><strong>\(DashboardFormat.integer(multiple))</strong> rumah tangga menerima lebih dari satu program.</p>
            """
        return DashboardHTML.section(id: "tumpang-tindih", heading: "Tumpang tindih program", content: html)
    }

    // MARK: - Exclusion

    static func exclusionSection(_ exclusion: Exclusion) -> String {
        let total = exclusion.decile1Households
        let reached = exclusion.decile1HouseholdsReached
        let notReached = max(total - reached, 0)
        let facts: [(String, String)] = [
            ("Rumah tangga desil 1 di DTKS", DashboardFormat.integer(total)),
            ("Sudah terjangkau program", DashboardFormat.integer(reached)),
            ("Belum terjangkau", DashboardFormat.integer(notReached)),
            ("Persentase belum terjangkau", DashboardFormat.percent(DashboardFormat.ratio(notReached, of: total))),
        ]
        var html = "<dl class=\"facts\">\n"
        for (label, value) in facts {
            html += "<div><dt>\(DashboardHTML.escape(label))</dt><dd>\(DashboardHTML.escape(value))</dd></div>\n"
        }
        html += "</dl>"
        return DashboardHTML.section(id: "eksklusi", heading: "Eksklusi", content: html)
    }

    // MARK: - Regions

    static func regionSection(_ regions: [RegionSummary]) -> String {
        typealias Cell = DashboardHTML.Cell
        let heading = "Cakupan per kecamatan"
        let rows = regions.map { region -> [Cell] in
            let coverage = DashboardFormat.ratio(region.householdsReached, of: region.registryHouseholds)
            let coverageCell: Cell =
                region.registryHouseholds == nil || region.householdsReached == nil
                ? .suppressed : .number(DashboardFormat.percent(coverage))
            return [
                .text(region.region), .text(region.regionCode), .count(region.registryHouseholds),
                .count(region.householdsReached), .count(region.decile1To4HouseholdsReached),
                .money(region.valueDeliveredIDR), coverageCell,
            ]
        }
        let table = DashboardHTML.table(
            caption: "Cakupan rumah tangga per kecamatan",
            headers: [
                ("Kecamatan", false), ("Kode", false), ("Rumah tangga DTKS", true), ("Rumah tangga terjangkau", true),
                ("Desil 1–4 terjangkau", true), ("Nilai tersalur", true), ("Cakupan", true),
            ],
            rows: rows)
        guard !regions.isEmpty else {
            return DashboardHTML.section(
                id: "cakupan-kecamatan", heading: heading,
                content: "<p class=\"empty\">Belum ada data kecamatan.</p>\n" + table)
        }
        let bars = regions.map { region -> DashboardCharts.HorizontalBar in
            let name = "\(region.region) (\(region.regionCode))"
            guard let registry = region.registryHouseholds, let reached = region.householdsReached else {
                return DashboardCharts.HorizontalBar(
                    label: region.region, title: "\(name): \(DashboardHTML.suppressedNote)", fraction: nil,
                    valueText: DashboardFormat.missing, detail: DashboardHTML.suppressedNote)
            }
            let coverage = DashboardFormat.ratio(reached, of: registry)
            let detail = "\(DashboardFormat.integer(reached)) dari \(DashboardFormat.integer(registry)) rumah tangga"
            return DashboardCharts.HorizontalBar(
                label: region.region, title: "\(name): cakupan \(DashboardFormat.percent(coverage)) (\(detail))",
                fraction: coverage, valueText: DashboardFormat.percent(coverage), detail: detail)
        }
        let description = bars.map { bar in
            "\(bar.label) \(bar.fraction == nil ? "tidak tersedia" : bar.valueText)"
        }
        let chart = DashboardCharts.horizontalBars(
            bars,
            summary: "Grafik batang cakupan rumah tangga DTKS yang terjangkau per kecamatan: "
                + description.joined(separator: "; ") + ".")
        return DashboardHTML.section(
            id: "cakupan-kecamatan", heading: heading, content: "<div class=\"chart-box\">\(chart)</div>\n" + table)
    }
}

/// The six figures shown for the whole scope, for each agency and for each cluster.
protocol SummaryFigures {
    var allocatedIDR: Int64 { get }
    var realizedIDR: Int64 { get }
    var realizationRate: Double? { get }
    var personsReached: Int { get }
    var householdsReached: Int { get }
    var deliveries: Int { get }
}

extension SummaryTotals: SummaryFigures {}
extension AgencySummary: SummaryFigures {}
extension ClusterSummary: SummaryFigures {}

/// The figures' labels and their values in Indonesian format, in the same order.
enum DashboardFigures {
    static let labels = [
        "Pagu", "Realisasi", "Tingkat realisasi", "Penduduk terjangkau", "Rumah tangga terjangkau", "Penyaluran",
    ]

    static func values(_ figures: some SummaryFigures) -> [String] {
        [
            DashboardFormat.rupiah(figures.allocatedIDR), DashboardFormat.rupiah(figures.realizedIDR),
            DashboardFormat.percent(figures.realizationRate), DashboardFormat.integer(figures.personsReached),
            DashboardFormat.integer(figures.householdsReached), DashboardFormat.integer(figures.deliveries),
        ]
    }
}
