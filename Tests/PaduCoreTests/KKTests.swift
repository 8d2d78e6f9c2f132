import PaduCore
import Testing

@Suite("KK")
struct KKTests {
    @Test("a valid family card number exposes its region, date and serial")
    func valid() throws {
        let kk = try KK("1606012003150042")
        #expect(kk.districtCode.value == "16.06.01")
        #expect(kk.registrationDay == 20)
        #expect(kk.registrationMonth == 3)
        #expect(kk.registrationYearTwoDigits == 15)
        #expect(kk.serial == 42)
        #expect(kk.registrationDate(referenceYear: 2019)?.description == "2015-03-20")
        #expect(kk.value == "1606012003150042")
    }

    @Test("there is no +40 rule on a KK: day 55 is simply invalid")
    func noFemaleOffset() {
        #expect(problems { _ = try KK("1606015505900001") } == ["registration day 55 is not valid (must be 01-31)"])
    }

    @Test(
        "KK rejects impossible dates, serial 0000, bad regions and bad shapes",
        arguments: [
            ("1606013002150001", "registration date 30-02 is not a real date"),
            (
                "1606012902150001",
                "registration date 29-02-15 is not a real date (neither 1915 nor 2015 is a leap year)"
            ),
            ("1606011513150001", "registration month 13 is not valid (must be 01-12)"),
            ("1606012003150000", "serial 0000 is not valid"),
            ("0006012003150001", "province code 00 is not valid"),
            ("160601200315001", "must be 16 digits, got 15"),
            ("16060120031500O1", "must contain only the digits 0-9, with no spaces"),
        ])
    func invalid(text: String, problem: String) {
        #expect(problems { _ = try KK(text) } == [problem])
        #expect(fields { _ = try KK(text) } == ["kk"])
    }

    @Test("KK is masked in every human-facing rendering")
    func masked() throws {
        let kk = try KK("1606012003150042")
        #expect(kk.masked == "160601**********")
        #expect("\(kk)" == kk.masked)
        #expect(!String(reflecting: kk).contains(kk.value))
    }
}
