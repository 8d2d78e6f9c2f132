import Foundation
import PaduCore
import Testing

@testable import PaduAPI
@testable import PaduStore

@Suite("Hostile data and empty inputs")
struct SafetyTests {
    static let hostile = #"<script>alert(1)</script> & "Dinas""#
    static let escaped = "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Dinas&quot;"

    @Test("hostile agency, region, user and reporting names are escaped in HTML text and SVG title/text")
    func hostileNames() throws {
        var agency = Fixtures.dinsos
        agency.agency = Self.hostile
        agency.agencyCode = "x'y"
        var summary = Fixtures.summary(agencies: [agency], missing: [Self.hostile])
        summary.scopeName = "<b>Muba</b>"
        summary.asOf = "\"><script>"
        summary.byCluster[0].cluster = Self.hostile
        var region = Fixtures.regions[0]
        region.region = Self.hostile
        let html = Fixtures.page(summary: summary, regions: [region], username: Self.hostile)

        #expect(!html.lowercased().contains("<script"))
        #expect(!html.contains(Self.hostile))
        #expect(!html.contains("<b>Muba</b>"))
        #expect(html.contains("&lt;b&gt;Muba&lt;/b&gt;"))
        #expect(html.contains("<strong>\(Self.escaped)</strong>"), "username")

        let agencySection = try #require(html.section("realisasi-opd"))
        #expect(
            agencySection.contains("<th scope=\"row\" title=\"\(Self.escaped)\">\(Self.escaped)</th>"), "table text")
        #expect(try #require(html.section("cakupan-kecamatan")).contains("<th scope=\"row\">\(Self.escaped)</th>"))
        #expect(try #require(html.section("realisasi-klaster")).contains("<th scope=\"row\">\(Self.escaped)</th>"))
        let fallback = Fixtures.page(summary: summary, regions: [region], username: Self.hostile, extras: nil)
        #expect(try #require(fallback.section("pelaporan")).contains("<li>\(Self.escaped)</li>"))
        #expect(!fallback.lowercased().contains("<script"))
    }

    @Test("hostile names in the meeting pack are escaped, the narrative included")
    func hostileMeetingPack() {
        let programme = MeetingProgramme(
            programCode: "X", program: Self.hostile, unit: "<u>", clusterID: 1, allocatedIDR: 1, realizedIDR: 2,
            outputQuantity: 3, reportStatus: "submitted", targetQuantity: nil, achievedQuantity: nil,
            narrative: Self.hostile, submittedAt: "\"><script>")
        let agency = MeetingAgency(
            agencyID: 1, agencyCode: "\"><script>", agency: Self.hostile, allocatedIDR: 0, realizedIDR: 0,
            householdsReached: 0, personsReached: 0, deliveries: 0, byDecile: [], outsideRegistry: nil,
            programmes: [programme])
        let pack = MeetingPack(
            period: "2019-Q3", year: 2019, scope: "16.06", scopeName: Self.hostile, asOf: nil, agencies: [agency])
        let html = DashboardPages.rakorPage(
            pack: pack, clusters: [], reporting: [], quarters: [], username: Self.hostile)
        #expect(!html.lowercased().contains("<script"))
        #expect(!html.contains(Self.hostile))
        #expect(html.contains("<p class=\"story\">\(Self.escaped)</p>"))
        #expect(!html.containsNonFiniteNumber)
    }

    @Test("empty agencies, regions, deciles and overlap render without NaN, infinity or crashes")
    func emptyInputs() throws {
        let summary = Summary(
            year: 2020, scope: "16.06", scopeName: "Kabupaten Musi Banyuasin", asOf: "2020-01-01T00:00:00Z",
            totals: SummaryTotals(
                allocatedIDR: 0, realizedIDR: 0, realizationRate: nil, personsReached: 0, householdsReached: 0,
                deliveries: 0),
            byAgency: [], byCluster: [],
            targeting: Targeting(
                recipients: 0, inRegistry: 0, decile1To4: 0, outsideRegistry: 0, shareDecile1To4: nil, byDecile: []),
            overlap: Overlap(householdsByProgramCount: [:]),
            exclusion: Exclusion(decile1Households: 0, decile1HouseholdsReached: 0),
            reporting: Reporting(period: "2020-Q1", submitted: 0, missing: []))
        let html = DashboardPages.summaryPage(
            summary: summary, regions: [], years: [], username: "",
            extras: DashboardExtras(quarter: try Quarter("2020-Q1")))

        #expect(!html.containsNonFiniteNumber)
        #expect(html.contains("<dt>Tingkat realisasi</dt><dd><span class=\"figure\">—</span>"))
        #expect(html.contains("Belum ada data realisasi OPD."))
        #expect(html.contains("Belum ada data kecamatan."))
        #expect(html.occurrences(of: "Tidak ada data.") == 5)
        #expect(html.contains("<option value=\"2020\" selected>2020</option>"))
        let deciles = try #require(html.section("ketepatan-sasaran"))
        #expect(deciles.elements(opening: "<rect class=\"bar\"", closing: "/>").count == 10)
        #expect(deciles.contains("<strong>—</strong> rumah tangga penerima termasuk 40% termiskin"))
        #expect(try #require(html.section("termiskin")).contains("(—)"))
        #expect(html.contains("<p>Semua OPD sudah melapor.</p>"))
    }

    @Test("non-finite and inconsistent figures from upstream still render safely")
    func nonFiniteFigures() {
        var agency = Fixtures.dinsos
        agency.realizationRate = .nan
        var summary = Fixtures.summary(agencies: [agency, Fixtures.baznas])
        summary.totals.realizationRate = .infinity
        summary.targeting.shareDecile1To4 = -.infinity
        summary.targeting.byDecile = [5, 4, 3, 2, 1, 0, 0, 0, 0, 0, 99, 100]
        summary.exclusion = Exclusion(decile1Households: 10, decile1HouseholdsReached: 12)
        let regions = [
            RegionSummary(
                regionCode: "16.06.03", region: "Lais", registryHouseholds: 0, householdsReached: 0,
                decile1To4HouseholdsReached: 0, valueDeliveredIDR: -5_000)
        ]
        let html = Fixtures.page(summary: summary, regions: regions)
        #expect(!html.containsNonFiniteNumber)
        #expect(html.contains("<th scope=\"row\">Lais</th>"))
        #expect(!html.contains("desil 11"))
    }
}
