import PaduCore
import Testing

@Suite("Rupiah and Indonesian number formatting")
struct MoneyAndNumberTests {
    @Test(
        "rupiah formats with dot thousands and no decimals",
        arguments: [
            (Int64(0), "Rp0"), (1234, "Rp1.234"), (999, "Rp999"), (1000, "Rp1.000"), (350_000_000, "Rp350.000.000"),
            (1_000_000_000_000, "Rp1.000.000.000.000"),
        ])
    func rupiahFormatting(amount: Int64, expected: String) throws {
        let rupiah = try Rupiah(amount)
        #expect(rupiah.formatted == expected)
        #expect(rupiah.description == expected)
    }

    @Test("negative input is refused by the non-negative init")
    func negativeRefused() {
        #expect(problems { _ = try Rupiah(-1) } == ["must not be negative"])
        #expect(fields { _ = try Rupiah.nonNegative(-5000) } == ["amount"])
    }

    @Test("arithmetic can produce a deficit, which formats with the sign first")
    func arithmetic() throws {
        let budget = try Rupiah(10_000)
        let spent = try Rupiah(15_000)
        let balance = budget - spent
        #expect(balance.isNegative)
        #expect(balance.formatted == "-Rp5.000")
        #expect(budget + spent == (try Rupiah(25_000)))
        #expect(try Rupiah(600_000) * 4 == (try Rupiah(2_400_000)))
        #expect(3 * budget == (try Rupiah(30_000)))
        #expect([budget, spent, .zero].sum() == (try Rupiah(25_000)))
        #expect([Rupiah]().sum() == .zero)
        #expect(budget < spent)
    }

    @Test(
        "integers group by thousands, including the extremes",
        arguments: [
            (Int64(0), "0"), (7, "7"), (1_234_567, "1.234.567"), (-1_234_567, "-1.234.567"), (100_000, "100.000"),
            (Int64.max, "9.223.372.036.854.775.807"), (Int64.min, "-9.223.372.036.854.775.808"),
        ])
    func integers(value: Int64, expected: String) {
        #expect(IndonesianNumberFormat.integer(value) == expected)
    }

    @Test(
        "fractions become percentages with a decimal comma",
        arguments: [
            (0.9486, 1, "94,9%"), (1, 1, "100,0%"), (0, 1, "0,0%"), (0.5, 0, "50%"), (0.12345, 2, "12,35%"),
            (0.00145, 2, "0,15%"), (0.999_96, 1, "100,0%"), (123.456, 1, "12.345,6%"), (-0.0125, 1, "-1,3%"),
            (-0.000_01, 1, "0,0%"), (0.000_001, 4, "0,0001%"), (2e-10, 1, "0,0%"),
        ])
    func fractions(value: Double, digits: Int, expected: String) {
        #expect(IndonesianNumberFormat.fraction(value, digits: digits) == expected)
    }

    @Test("fraction defaults to one decimal; decimal formats plain numbers")
    func decimals() {
        #expect(IndonesianNumberFormat.fraction(0.25) == "25,0%")
        #expect(IndonesianNumberFormat.decimal(1234.5) == "1.234,5")
        #expect(IndonesianNumberFormat.decimal(2.5, digits: 0) == "3")
        #expect(IndonesianNumberFormat.decimal(-2.5, digits: 0) == "-3")
        #expect(IndonesianNumberFormat.decimal(1.5e20, digits: 0) == "150.000.000.000.000.000.000")
        #expect(IndonesianNumberFormat.fraction(.nan) == "NaN")
    }
}
