import PaduCore
import Testing

@testable import PaduAPI
@testable import PaduStore

@Suite("Indonesian number formatting")
struct FormatTests {
    @Test("rupiah uses dot thousands separators, no decimals, and a leading minus for negatives")
    func rupiah() {
        #expect(DashboardFormat.rupiah(350_000_000) == "Rp350.000.000")
        #expect(DashboardFormat.rupiah(332_000_000) == "Rp332.000.000")
        #expect(DashboardFormat.rupiah(0) == "Rp0")
        #expect(DashboardFormat.rupiah(999) == "Rp999")
        #expect(DashboardFormat.rupiah(1_000) == "Rp1.000")
        #expect(DashboardFormat.rupiah(-5_000) == "-Rp5.000")
        #expect(DashboardFormat.rupiah(nil) == "—")
        #expect(DashboardFormat.rupiah(Int64.max) == "Rp9.223.372.036.854.775.807")
        #expect(DashboardFormat.rupiah(Int64.min) == "-Rp9.223.372.036.854.775.808")
    }

    @Test("integers group thousands with dots")
    func integers() {
        #expect(DashboardFormat.integer(1_234_567) == "1.234.567")
        #expect(DashboardFormat.integer(0) == "0")
        #expect(DashboardFormat.integer(12) == "12")
        #expect(DashboardFormat.integer(123_456) == "123.456")
        #expect(DashboardFormat.integer(-1_000) == "-1.000")
        #expect(DashboardFormat.integer(nil) == "—")
    }

    @Test("percentages have one decimal with a comma; nil and non-finite values show a dash")
    func percentages() {
        #expect(DashboardFormat.percent(332_000_000.0 / 350_000_000.0) == "94,9%")
        #expect(DashboardFormat.percent(1) == "100,0%")
        #expect(DashboardFormat.percent(0) == "0,0%")
        #expect(DashboardFormat.percent(1.05) == "105,0%")
        #expect(DashboardFormat.percent(12.345) == "1.234,5%")
        #expect(DashboardFormat.percent(nil) == "—")
        #expect(DashboardFormat.percent(.nan) == "—")
        #expect(DashboardFormat.percent(.infinity) == "—")
        #expect(DashboardFormat.percent(-.infinity) == "—")
    }

    @Test("percentages round half away from zero and never print minus zero")
    func percentRounding() {
        // 0.0625 and 0.0375 are exact in binary, so these are true ties.
        #expect(DashboardFormat.percent(0.0625) == "6,3%")
        #expect(DashboardFormat.percent(0.0375) == "3,8%")
        #expect(DashboardFormat.percent(-0.0625) == "-6,3%")
        #expect(DashboardFormat.percent(-0.0001) == "0,0%")
    }

    @Test("ratio guards against missing values and non-positive denominators")
    func ratio() {
        #expect(DashboardFormat.ratio(1, of: 4) == 0.25)
        #expect(DashboardFormat.ratio(5, of: 0) == nil)
        #expect(DashboardFormat.ratio(5, of: -3) == nil)
        #expect(DashboardFormat.ratio(nil, of: 10) == nil)
        #expect(DashboardFormat.ratio(3, of: nil) == nil)
    }

    @Test("HTML escaping covers & < > \" and '")
    func escaping() {
        #expect(
            DashboardHTML.escape(#"<a href="x">Tom & Jerry's</a>"#)
                == "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;")
        #expect(DashboardHTML.escape("Sekayu — Musi Banyuasin") == "Sekayu — Musi Banyuasin")
    }

    @Test("SVG coordinates print with at most one decimal and never as NaN")
    func svgNumbers() {
        #expect(DashboardCharts.number(12) == "12")
        #expect(DashboardCharts.number(12.25) == "12.3")
        #expect(DashboardCharts.number(-3.2) == "-3.2")
        #expect(DashboardCharts.number(.nan) == "0")
        #expect(DashboardCharts.number(.infinity) == "0")
    }

    @Test("compact rupiah: three significant digits in juta, miliar, triliun; exact below a million")
    func compactRupiah() {
        #expect(DashboardFormat.compactRupiah(4_940_000_000) == "Rp4,94 miliar")
        #expect(DashboardFormat.compactRupiah(4_944_999_999) == "Rp4,94 miliar")
        #expect(DashboardFormat.compactRupiah(4_945_000_000) == "Rp4,95 miliar")
        #expect(DashboardFormat.compactRupiah(350_000_000) == "Rp350 juta")
        #expect(DashboardFormat.compactRupiah(332_000_000) == "Rp332 juta")
        #expect(DashboardFormat.compactRupiah(1_500_000) == "Rp1,5 juta")
        #expect(DashboardFormat.compactRupiah(1_000_000) == "Rp1 juta")
        #expect(DashboardFormat.compactRupiah(12_345_678_901) == "Rp12,3 miliar")
        #expect(DashboardFormat.compactRupiah(999_600_000) == "Rp1 miliar", "rounding carries to the next word")
        #expect(DashboardFormat.compactRupiah(999_400_000) == "Rp999 juta")
        #expect(DashboardFormat.compactRupiah(1_200_000_000_000) == "Rp1,2 triliun")
        #expect(DashboardFormat.compactRupiah(850_000) == "Rp850.000")
        #expect(DashboardFormat.compactRupiah(0) == "Rp0")
        #expect(DashboardFormat.compactRupiah(-5_000_000) == "-Rp5 juta")
        #expect(DashboardFormat.compactRupiah(Int64.max) == "Rp9.223.372 triliun")
        #expect(DashboardFormat.compactRupiah(Int64.min) == "-Rp9.223.372 triliun")
        #expect(DashboardFormat.compactRupiah(nil) == "—")
    }

    @Test("instants in Western Indonesian Time with Indonesian month names")
    func wib() {
        #expect(DashboardFormat.wib("2026-12-02T00:15:00Z") == "2 Desember 2026 07.15 WIB")
        #expect(DashboardFormat.wib("2019-06-30T17:00:00Z") == "1 Juli 2019 00.00 WIB", "past midnight in Jakarta")
        #expect(DashboardFormat.wib("not a date") == "not a date")
        #expect(DashboardFormat.wib(nil as String?) == "—")
    }

    @Test("quarters as Triwulan with Roman numerals; changes with a sign")
    func quartersAndChanges() throws {
        #expect(DashboardFormat.quarter(try Quarter("2019-Q3")) == "Triwulan III 2019")
        #expect(DashboardFormat.quarter(try Quarter("2020-Q1")) == "Triwulan I 2020")
        #expect(DashboardFormat.quarter(try Quarter("2020-Q4")) == "Triwulan IV 2020")
        #expect(DashboardFormat.change(110, from: 100) == "+10,0%")
        #expect(DashboardFormat.change(90, from: 100) == "-10,0%")
        #expect(DashboardFormat.change(5, from: 0) == "baru")
        #expect(DashboardFormat.change(0, from: 0) == "—")
        #expect(DashboardFormat.change(Int64.max, from: Int64.min) == "+200,0%")
    }
}
