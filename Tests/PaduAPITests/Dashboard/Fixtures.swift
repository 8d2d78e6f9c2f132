import Foundation
import PaduCore
import Testing

@testable import PaduAPI
@testable import PaduStore

enum Fixtures {
    static let dinsos = AgencySummary(
        agencyID: 1, agencyCode: "1.06.01", agency: "Dinas Sosial Kabupaten Musi Banyuasin",
        allocatedIDR: 350_000_000, realizedIDR: 332_000_000, realizationRate: 332_000_000.0 / 350_000_000.0,
        personsReached: 4_210, householdsReached: 1_234, deliveries: 5_678)

    static let baznas = AgencySummary(
        agencyID: 2, agencyCode: "BAZNAS", agency: "Badan Amil Zakat Nasional Kabupaten Musi Banyuasin",
        allocatedIDR: 120_000_000, realizedIDR: 126_000_000, realizationRate: 1.05,
        personsReached: 900, householdsReached: 300, deliveries: 310)

    static let dinkes = AgencySummary(
        agencyID: 3, agencyCode: "1.02.01", agency: "Dinas Kesehatan", allocatedIDR: 0, realizedIDR: 0,
        realizationRate: nil, personsReached: 0, householdsReached: 0, deliveries: 0)

    static func summary(
        agencies: [AgencySummary] = [dinsos, baznas, dinkes], missing: [String] = ["Dinas Pendidikan"]
    ) -> Summary {
        Summary(
            year: 2019, scope: "16.06", scopeName: "Kabupaten Musi Banyuasin", asOf: "2019-07-01T08:00:00Z",
            totals: SummaryTotals(
                allocatedIDR: 470_000_000, realizedIDR: 458_000_000, realizationRate: 458.0 / 470.0,
                personsReached: 1_234_567, householdsReached: 1_534, deliveries: 5_988),
            byAgency: agencies,
            byCluster: [
                ClusterSummary(
                    clusterID: 1, cluster: "Klaster I — Bantuan sosial", allocatedIDR: 350_000_000,
                    realizedIDR: 332_000_000, realizationRate: 332.0 / 350.0, personsReached: 4_210,
                    householdsReached: 1_234, deliveries: 5_678),
                ClusterSummary(
                    clusterID: 4, cluster: "Klaster IV — Pemberdayaan usaha", allocatedIDR: 0, realizedIDR: 0,
                    realizationRate: nil, personsReached: 0, householdsReached: 0, deliveries: 0),
            ],
            targeting: Targeting(
                recipients: 1_534, inRegistry: 1_400, decile1To4: 1_100, outsideRegistry: 134,
                shareDecile1To4: 1_100.0 / 1_534.0, byDecile: [500, 300, 200, 100, 90, 80, 60, 40, 20, 10]),
            overlap: Overlap(householdsByProgramCount: ["1": 1_000, "2": 400, "3": 100, "4+": 34]),
            exclusion: Exclusion(decile1Households: 2_000, decile1HouseholdsReached: 500),
            reporting: Reporting(period: "2019-Q2", submitted: 2, missing: missing))
    }

    static let regions = [
        RegionSummary(
            regionCode: "16.06.01", region: "Sekayu", registryHouseholds: 4_000, householdsReached: 1_200,
            decile1To4HouseholdsReached: 900, valueDeliveredIDR: 250_000_000),
        RegionSummary(
            regionCode: "16.06.02", region: "Babat Toman", registryHouseholds: 2_500, householdsReached: 330,
            decile1To4HouseholdsReached: 200, valueDeliveredIDR: 80_000_000),
        RegionSummary(
            regionCode: "16.06.09", region: "Batanghari Leko", registryHouseholds: 900, householdsReached: nil,
            decile1To4HouseholdsReached: nil, valueDeliveredIDR: nil),
    ]

    static let years = [2019, 2018, 2017]

    static let extras = DashboardExtras(
        quarter: try! Quarter("2019-Q3"), quarters: [],
        reporting: [
            ReportingStatus(
                agencyID: 2, agencyCode: "BAZNAS", agency: baznas.agency, programmes: 1, submitted: 1, drafts: 0,
                lastSubmittedAt: nil),
            ReportingStatus(
                agencyID: 1, agencyCode: "1.06.01", agency: dinsos.agency, programmes: 4, submitted: 1, drafts: 1,
                lastSubmittedAt: nil),
        ],
        yearOverYear: [
            AgencyYearOverYear(
                agencyID: 1, agencyCode: "1.06.01", agency: dinsos.agency, realizedIDR: 332_000_000,
                realizedPreviousIDR: 300_000_000, householdsReached: 1_234, householdsPrevious: 1_000)
        ],
        pairs: [
            AgencyPair(
                agencyACode: "1.06.01", agencyA: dinsos.agency, agencyBCode: "BAZNAS", agencyB: baznas.agency,
                households: 120),
            AgencyPair(
                agencyACode: "1.02.01", agencyA: dinkes.agency, agencyBCode: "BAZNAS", agencyB: baznas.agency,
                households: nil),
        ],
        poorest: [
            PoorestNotReached(regionCode: "16.06.02", region: "Babat Toman", registryHouseholds: 800, notReached: 640),
            PoorestNotReached(regionCode: "16.06.01", region: "Sekayu", registryHouseholds: 700, notReached: 300),
            PoorestNotReached(
                regionCode: "16.06.09", region: "Batanghari Leko", registryHouseholds: 9, notReached: nil),
        ],
        outputs: ["BAZNAS": [(unit: "rumah", quantity: 7)]])

    static func page(
        summary: Summary = summary(), regions: [RegionSummary] = regions, years: [Int] = years,
        username: String = "bappeda.admin", extras: DashboardExtras? = extras
    ) -> String {
        DashboardPages.summaryPage(summary: summary, regions: regions, years: years, username: username, extras: extras)
    }
}

/// Helpers for looking into the generated markup.
extension String {
    func occurrences(of needle: String) -> Int {
        components(separatedBy: needle).count - 1
    }

    /// The text of every `<svg …>…</svg>` element, in order.
    var svgElements: [String] {
        elements(opening: "<svg", closing: "</svg>")
    }

    func elements(opening: String, closing: String) -> [String] {
        var found: [String] = []
        var rest = self[...]
        while let start = rest.range(of: opening), let end = rest[start.upperBound...].range(of: closing) {
            found.append(String(rest[start.lowerBound..<end.upperBound]))
            rest = rest[end.upperBound...]
        }
        return found
    }

    /// The section with the given id, from `<section id="…"` to its `</section>`.
    func section(_ id: String) -> String? {
        guard let start = range(of: "<section id=\"\(id)\""),
            let end = self[start.upperBound...].range(of: "</section>")
        else { return nil }
        return String(self[start.lowerBound..<end.upperBound])
    }

    var containsNonFiniteNumber: Bool {
        range(of: #"\b(nan|inf|infinity)\b"#, options: [.regularExpression, .caseInsensitive]) != nil
    }
}
