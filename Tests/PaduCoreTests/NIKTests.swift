import PaduCore
import Testing

@Suite("NIK")
struct NIKTests {
    @Test("a woman's NIK carries her birth day plus 40")
    func female() throws {
        let nik = try NIK("1606015505900001")
        #expect(nik.sex == .female)
        #expect(nik.birthDay == 15)
        #expect(nik.birthMonth == 5)
        #expect(nik.birthYearTwoDigits == 90)
        #expect(nik.serial == 1)
        #expect(nik.districtCode == (try RegionCode("16.06.01")))
        #expect(nik.value == "1606015505900001")
    }

    @Test("a man's NIK carries the plain birth day")
    func male() throws {
        let nik = try NIK("1606011505900001")
        #expect(nik.sex == .male)
        #expect(nik.birthDay == 15)
        #expect(nik.birthMonth == 5)
    }

    @Test("day boundaries: 01, 31, 41 and 71 are valid", arguments: ["01", "31", "41", "71"])
    func validDayBoundaries(day: String) throws {
        _ = try NIK("160601\(day)0190" + "0001")
    }

    @Test("day 00, 32-40 and 72 or more are not a day", arguments: ["00", "32", "40", "72", "99"])
    func invalidDay(day: String) {
        #expect(
            problems { _ = try NIK("160601\(day)0190" + "0001") } == [
                "birth day \(day) is not valid (must be 01-31, or 41-71 for women)"
            ])
    }

    @Test("month 00 and 13 are rejected", arguments: ["00", "13"])
    func invalidMonth(month: String) {
        #expect(
            problems { _ = try NIK("16060115\(month)90" + "0001") } == [
                "birth month \(month) is not valid (must be 01-12)"
            ])
    }

    @Test("30 February and 31 April are not real dates, for men and women")
    func impossibleDates() {
        #expect(problems { _ = try NIK("1606013002900001") } == ["birth date 30-02 is not a real date"])
        #expect(problems { _ = try NIK("1606017002900001") } == ["birth date 30-02 is not a real date"])
        #expect(problems { _ = try NIK("1606013104900001") } == ["birth date 31-04 is not a real date"])
    }

    @Test("29 February needs a year that could be a leap year: 02 no, 04 and 00 yes")
    func leapDay() throws {
        #expect(
            problems { _ = try NIK("1606012902020001") } == [
                "birth date 29-02-02 is not a real date (neither 1902 nor 2002 is a leap year)"
            ])
        #expect(try NIK("1606012902040001").birthDay == 29)
        #expect(try NIK("1606016902000001").sex == .female)
    }

    @Test("serial 0000 is not issued")
    func serialZero() {
        #expect(problems { _ = try NIK("1606011505900000") } == ["serial 0000 is not valid"])
    }

    @Test(
        "anything but 16 ASCII digits is refused without cleaning it up",
        arguments: [
            "160601150590000A", "1606 0115 0590 0001", "1606-01-15-05-90-0001", " 1606011505900001",
            "١٦٠٦٠١١٥٠٥٩٠٠٠٠١", "１６０６０１１５０５９０００１",
        ])
    func nonDigits(text: String) {
        #expect(problems { _ = try NIK(text) } == ["must contain only the digits 0-9, with no spaces"])
    }

    @Test("15, 17 or 0 digits are the wrong length", arguments: ["160601150590001", "16060115059000011", ""])
    func wrongLength(text: String) {
        #expect(problems { _ = try NIK(text) } == ["must be 16 digits, got \(text.count)"])
    }

    @Test("province, regency and district 00 are not regions")
    func zeroRegion() {
        #expect(problems { _ = try NIK("0006011505900001") } == ["province code 00 is not valid"])
        #expect(problems { _ = try NIK("1600011505900001") } == ["regency code 00 is not valid"])
        #expect(problems { _ = try NIK("1606001505900001") } == ["district code 00 is not valid"])
    }

    @Test("every problem is reported at once, all under the field nik")
    func severalProblems() {
        let text = "0006013202900000"
        #expect(problems { _ = try NIK(text) }.count == 3)
        #expect(Set(fields { _ = try NIK(text) }) == ["nik"])
    }

    @Test("description, debug output and dump show only the masked number")
    func masking() throws {
        let nik = try NIK("1606015505900001")
        #expect(nik.masked == "160601**********")
        #expect(nik.description == "160601**********")
        #expect("\(nik)" == "160601**********")
        #expect(!String(reflecting: nik).contains(nik.value))
        var dumped = ""
        dump(nik, to: &dumped)
        #expect(!dumped.contains(nik.value))
        #expect(!dumped.contains("5505900001"))
    }

    @Test(
        "birth year century is chosen so the birth is not after the reference year",
        arguments: [
            ("1606011505050001", 2019, "2005-05-15"), ("1606011505450001", 2019, "1945-05-15"),
            ("1606011505190001", 2019, "2019-05-15"), ("1606011505200001", 2019, "1920-05-15"),
            ("1606011505990001", 2000, "1999-05-15"),
        ])
    func birthDate(text: String, referenceYear: Int, expected: String) throws {
        #expect(try NIK(text).birthDate(referenceYear: referenceYear)?.description == expected)
    }

    @Test("29 February YY=00 exists in 2000 but not in 1900")
    func leapDayCentury() throws {
        let nik = try NIK("1606012902000001")
        #expect(nik.birthDate(referenceYear: 2019)?.description == "2000-02-29")
        #expect(nik.birthDate(referenceYear: 1999) == nil)
    }

    @Test("consistency with a separately recorded birth date and sex")
    func consistency() throws {
        let nik = try NIK("1606015505900001")
        let birth = try #require(CalendarDate("1990-05-15"))
        #expect(nik.isConsistent(withBirthDate: birth, sex: .female))
        #expect(!nik.isConsistent(withBirthDate: birth, sex: .male))
        #expect(!nik.isConsistent(withBirthDate: try #require(CalendarDate("1990-05-16")), sex: .female))
        #expect(!nik.isConsistent(withBirthDate: try #require(CalendarDate("1991-05-15")), sex: .female))
        #expect(nik.isConsistent(withBirthDate: try #require(CalendarDate("1890-05-15")), sex: .female))
    }
}
