import PaduCore
import PaduStore

// The analytic sections of the summary page. Every ratio goes through DashboardFormat.ratio or
// DashboardFormat.percent, which return nil / "—" instead of dividing by zero. Tables show exact
// figures; headline text may be compact with the exact figure in `title`.

extension DashboardPages {
    // MARK: - Agencies

    static func agencySection(_ agencies: [AgencySummary], year: Int, extras: DashboardExtras) -> String {
        typealias Cell = DashboardHTML.Cell
        let heading = "Realisasi anggaran per OPD"
        let previous = Dictionary(extras.yearOverYear.map { ($0.agencyID, $0) }, uniquingKeysWith: { a, _ in a })
        let rows = agencies.map { agency -> [Cell] in
            let rate = DashboardFormat.percent(agency.realizationRate)
            let meter = rateMeter(agency.realizationRate)
            let lastYear = previous[agency.agencyID]
            let outputs = (extras.outputs[agency.agencyCode] ?? []).map {
                "\(DashboardFormat.integer(Int(clamping: $0.quantity))) \($0.unit)"
            }
            return [
                Cell(html: DashboardHTML.escape(shortAgencyLabel(agency.agency)), title: agency.agency),
                .number(DashboardFormat.rupiah(agency.allocatedIDR)),
                .number(DashboardFormat.rupiah(agency.realizedIDR)),
                Cell(html: "\(meter)\(DashboardHTML.escape(rate))", numeric: true),
                lastYear.map { .number(DashboardFormat.rupiah($0.realizedPreviousIDR)) }
                    ?? .number(DashboardFormat.missing),
                lastYear.map { .number(DashboardFormat.change($0.realizedIDR, from: $0.realizedPreviousIDR)) }
                    ?? .number(DashboardFormat.missing),
                .number(DashboardFormat.integer(agency.householdsReached)),
                lastYear.map { .number(DashboardFormat.integer($0.householdsPrevious)) }
                    ?? .number(DashboardFormat.missing),
                .text(outputs.isEmpty ? DashboardFormat.missing : outputs.joined(separator: ", ")),
            ]
        }
        let table = DashboardHTML.table(
            caption: "Pagu, realisasi, rumah tangga terjangkau dan keluaran per OPD, \(year) dibanding \(year - 1)",
            headers: [
                ("OPD", false), ("Pagu", true), ("Realisasi", true), ("Tingkat", true),
                ("Realisasi \(year - 1)", true), ("Perubahan", true), ("Keluarga terjangkau", true),
                ("Keluarga \(year - 1)", true), ("Keluaran", false),
            ],
            rows: rows, stacked: true, compact: true)
        let empty = agencies.isEmpty ? "<p class=\"empty\">Belum ada data realisasi OPD.</p>\n" : ""
        return DashboardHTML.section(id: "realisasi-opd", heading: heading, content: empty + table)
    }

    /// A small bar for a rate (capped at 100%), decorative: the percentage is written beside it.
    static func rateMeter(_ rate: Double?) -> String {
        guard let rate, rate.isFinite else { return "" }
        let width = DashboardCharts.number(min(max(rate, 0), 1) * 60)
        return "<svg class=\"meter\" aria-hidden=\"true\" viewBox=\"0 0 60 8\" width=\"60\" height=\"8\">"
            + "<rect width=\"60\" height=\"8\" fill=\"\(DashboardCharts.trackColor)\"/>"
            + "<rect width=\"\(width)\" height=\"8\" fill=\"\(DashboardCharts.primaryColor)\"/></svg>"
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
            [
                .text(cluster.cluster), .number(DashboardFormat.rupiah(cluster.allocatedIDR)),
                .number(DashboardFormat.rupiah(cluster.realizedIDR)),
                .number(DashboardFormat.percent(cluster.realizationRate)),
                .number(DashboardFormat.integer(cluster.householdsReached)),
            ]
        }
        let table = DashboardHTML.table(
            caption: "Pagu dan realisasi per klaster program",
            headers: [
                ("Klaster", false), ("Pagu", true), ("Realisasi", true), ("Tingkat realisasi", true),
                ("Rumah tangga terjangkau", true),
            ],
            rows: rows, stacked: true)
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
            summary: "Grafik batang rumah tangga penerima per desil kesejahteraan: "
                + description.joined(separator: ", ")
                + ".",
            axisLabel: "Desil (1 = termiskin)")
        let esc = DashboardHTML.escape
        let html = """
            <p><strong>\(DashboardFormat.percent(targeting.shareDecile1To4))</strong> rumah tangga penerima termasuk \
            40% termiskin (desil 1–4): \(DashboardFormat.integer(targeting.decile1To4)) dari \
            \(DashboardFormat.integer(targeting.recipients)) rumah tangga penerima. \
            \(DashboardFormat.integer(targeting.outsideRegistry)) penerima tidak tercatat di DTKS.</p>
            <div class="chart-box">\(chart)</div>
            <ul class="legend">
            <li><span class="swatch swatch-primary" aria-hidden="true"></span>\(esc("Desil 1–4 (sasaran)"))</li>
            <li><span class="swatch swatch-secondary" aria-hidden="true"></span>\(esc("Desil 5–10"))</li>
            </ul>
            """
        return DashboardHTML.section(id: "ketepatan-sasaran", heading: "Bantuan tepat sasaran", content: html)
    }

    // MARK: - Coordination

    /// Plain words for the flags that made the coordinator reject a line.
    static let flagWords: [String: String] = [
        "DECILE_ABOVE_4": "bukan 40% termiskin (desil di atas 4)",
        "NOT_IN_REGISTRY": "tidak tercatat di DTKS",
        "INVALID_ID": "NIK/KK tidak valid",
        "DUPLICATE_IN_PLAN": "tercatat ganda dalam daftar",
        "POSSIBLE_DUPLICATE_PERSON": "mungkin orang yang sama dengan data lain",
        "SAME_CATEGORY_RECEIVED": "sudah menerima bantuan sejenis dari OPD lain",
        "SAME_CATEGORY_PLANNED": "sudah direncanakan OPD lain untuk bantuan sejenis",
        "ALREADY_RECEIVING_SAME_KIND": "sudah menerima bantuan sejenis",
    ]

    /// What the check and the coordinator kept from going off target: lines reviewed, rejected,
    /// the value not spent on them, and why (by the flags the rejected lines carried).
    static func coordinationSection(_ coordination: Coordination) -> String {
        let esc = DashboardHTML.escape
        // lines_submitted counts every line put before the coordinator, decided or not.
        let pending = max(0, coordination.linesSubmitted - coordination.linesApproved - coordination.linesRejected)
        var html = "<p>Dinas Sosial menerima \(DashboardFormat.integer(coordination.linesSubmitted)) baris rencana "
        html += "penerima: \(DashboardFormat.integer(coordination.linesApproved)) disetujui, "
        html += "<strong>\(DashboardFormat.integer(coordination.linesRejected)) ditolak</strong>"
        if coordination.rejectedValueIDR > 0 {
            html += " senilai <span title=\"\(esc(DashboardFormat.rupiah(coordination.rejectedValueIDR)))\">"
            html +=
                "\(esc(DashboardFormat.compactRupiah(coordination.rejectedValueIDR)))</span> yang tidak jadi salah sasaran"
        }
        html += ". \(DashboardFormat.integer(pending)) baris masih menunggu keputusan.</p>\n"
        let reasons = coordination.rejectedByFlag.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
        if !reasons.isEmpty {
            html += "<p>Baris yang ditolak menurut tanda hasil pemeriksaan:</p>\n<ul class=\"plain\">\n"
            for (flag, count) in reasons {
                html += "<li>\(esc(flagWords[flag] ?? flag)): \(DashboardFormat.integer(count))</li>\n"
            }
            html += "</ul>\n"
        }
        return DashboardHTML.section(
            id: "koordinasi", heading: "Bantuan yang dijaga tetap tepat sasaran", content: html)
    }

    // MARK: - Overlap

    static let programCountKeys = ["1", "2", "3", "4+"]

    static func overlapSection(_ overlap: Overlap, pairs: [AgencyPair]) -> String {
        typealias Cell = DashboardHTML.Cell
        let extra = overlap.householdsByProgramCount.keys.filter { !programCountKeys.contains($0) }.sorted()
        let keys = programCountKeys + extra
        let counts = keys.map { max(overlap.householdsByProgramCount[$0] ?? 0, 0) }
        let multiple = counts.dropFirst().reduce(0) { $0.addingReportingOverflow($1).overflow ? Int.max : $0 + $1 }
        let list = zip(keys, counts).map { "\($0) program: \(DashboardFormat.integer($1))" }
        var html = """
            <p><strong>\(DashboardFormat.integer(multiple))</strong> rumah tangga menerima lebih dari satu program \
            (\(DashboardHTML.escape(list.joined(separator: "; "))) rumah tangga).</p>

            """
        let shown = pairs.prefix(10)
        let rows = shown.map { pair -> [Cell] in
            [
                .text("\(shortAgencyLabel(pair.agencyA)) + \(shortAgencyLabel(pair.agencyB))"),
                .count(pair.households),
            ]
        }
        html += DashboardHTML.table(
            caption: "Pasangan OPD yang membantu keluarga yang sama",
            headers: [("Pasangan OPD", false), ("Keluarga yang sama", true)], rows: rows, stacked: true)
        if pairs.count > shown.count {
            html += "<p class=\"note\">\(pairs.count - shown.count) pasangan lain dengan lebih sedikit keluarga "
            html += "yang sama tidak ditampilkan.</p>"
        }
        return DashboardHTML.section(
            id: "tumpang-tindih", heading: "Keluarga yang dibantu lebih dari satu OPD", content: html)
    }

    // MARK: - The poorest not reached

    static func exclusionSection(_ exclusion: Exclusion, year: Int, extras: DashboardExtras) -> String {
        typealias Cell = DashboardHTML.Cell
        let esc = DashboardHTML.escape
        let total = exclusion.decile1Households
        let notReached = max(total - exclusion.decile1HouseholdsReached, 0)
        var html = """
            <p><strong>\(DashboardFormat.integer(notReached))</strong> dari \(DashboardFormat.integer(total)) \
            keluarga termiskin (desil 1) di DTKS belum menerima bantuan apa pun pada \(year) \
            (\(DashboardFormat.percent(DashboardFormat.ratio(notReached, of: total)))).</p>

            """
        let place = extras.district.map { "desa di Kecamatan \($0.name)" } ?? "kecamatan"
        let rows = extras.poorest.map { region -> [Cell] in
            let name: Cell =
                extras.district == nil
                ? Cell(
                    html: "<a href=\"?year=\(year)&amp;period=\(extras.quarter.description)&amp;kecamatan="
                        + "\(esc(region.regionCode))#termiskin\">\(esc(region.region))</a>")
                : .text(region.region)
            return [name, .count(region.registryHouseholds), .count(region.notReached)]
        }
        html += DashboardHTML.table(
            caption: "Keluarga desil 1–2 yang belum terjangkau per \(place), terbanyak di atas",
            headers: [
                (extras.district == nil ? "Kecamatan" : "Desa", false), ("Keluarga desil 1–2", true),
                ("Belum terjangkau", true),
            ],
            rows: rows, stacked: true)
        if let district = extras.district {
            html += "<p><a href=\"?year=\(year)&amp;period=\(extras.quarter.description)#termiskin\">"
            html += "Kembali ke semua kecamatan</a> (sekarang: \(esc(district.name)))</p>"
        } else if !rows.isEmpty {
            html += "<p class=\"note\">Pilih kecamatan untuk melihat desanya.</p>"
        }
        return DashboardHTML.section(
            id: "termiskin", heading: "Keluarga termiskin yang belum terjangkau", content: html)
    }

    // MARK: - Regions

    static func regionSection(_ regions: [RegionSummary]) -> String {
        typealias Cell = DashboardHTML.Cell
        let rows = regions.map { region -> [Cell] in
            let coverage = DashboardFormat.ratio(region.householdsReached, of: region.registryHouseholds)
            let coverageCell: Cell =
                region.registryHouseholds == nil || region.householdsReached == nil
                ? .suppressed
                : Cell(
                    html: rateMeter(coverage) + DashboardHTML.escape(DashboardFormat.percent(coverage)), numeric: true)
            return [
                .text(region.region), .count(region.registryHouseholds), .count(region.householdsReached),
                .count(region.decile1To4HouseholdsReached), coverageCell,
            ]
        }
        let table = DashboardHTML.table(
            caption: "Rumah tangga DTKS yang terjangkau per kecamatan",
            headers: [
                ("Kecamatan", false), ("Rumah tangga DTKS", true), ("Terjangkau", true),
                ("Desil 1–4 terjangkau", true), ("Cakupan", true),
            ],
            rows: rows, stacked: true)
        let empty = regions.isEmpty ? "<p class=\"empty\">Belum ada data kecamatan.</p>\n" : ""
        return DashboardHTML.section(id: "cakupan-kecamatan", heading: "Cakupan per kecamatan", content: empty + table)
    }
}
