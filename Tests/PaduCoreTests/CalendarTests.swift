import PaduCore
import Testing

@Suite("CalendarDate, Quarter, FiscalYear, Month")
struct CalendarTests {
    @Test("CalendarDate parses exactly YYYY-MM-DD and prints it back")
    func parse() throws {
        let date = try #require(CalendarDate("2019-05-01"))
        #expect((date.year, date.month, date.day) == (2019, 5, 1))
        #expect(date.description == "2019-05-01")
        #expect(CalendarDate(year: 5, month: 1, day: 2)?.description == "0005-01-02")
    }

    @Test(
        "malformed or impossible dates are refused",
        arguments: [
            "2019-5-01", "2019-05-1", "19-05-01", "2019/05/01", "2019-05-01T00:00", "2019-13-01", "2019-00-10",
            "2019-04-31", "2019-02-29", "1900-02-29", "0000-01-01", "", "2019-05-0a", "２０19-05-01",
        ])
    func invalid(text: String) {
        #expect(CalendarDate(text) == nil)
    }

    @Test("leap years follow the Gregorian 4/100/400 rule")
    func leapYears() {
        #expect(CalendarDate("2020-02-29") != nil)
        #expect(CalendarDate("2000-02-29") != nil)
        #expect(CalendarDate("2100-02-29") == nil)
        #expect(CalendarDate.isLeapYear(2024))
        #expect(!CalendarDate.isLeapYear(1900))
        #expect(CalendarDate.daysIn(month: 2, year: 2023) == 28)
        #expect(CalendarDate.daysIn(month: 13, year: 2023) == nil)
    }

    @Test("dates order chronologically")
    func ordering() throws {
        let dates = ["2019-12-31", "2019-01-01", "2018-12-31", "2019-02-01"].compactMap(CalendarDate.init)
        #expect(dates.sorted().map(\.description) == ["2018-12-31", "2019-01-01", "2019-02-01", "2019-12-31"])
    }

    @Test("validating init throws for the collector")
    func validating() {
        #expect(
            problems { _ = try CalendarDate(validating: "2019-02-30") } == [
                "must be a real date written as YYYY-MM-DD"
            ])
    }

    @Test(
        "a quarter parses and knows its first and last day",
        arguments: [
            ("2019-Q1", "2019-01-01", "2019-03-31"), ("2019-Q2", "2019-04-01", "2019-06-30"),
            ("2019-Q3", "2019-07-01", "2019-09-30"), ("2019-Q4", "2019-10-01", "2019-12-31"),
        ])
    func quarterDays(text: String, first: String, last: String) throws {
        let quarter = try Quarter(text)
        #expect(quarter.description == text)
        #expect(quarter.firstDay.description == first)
        #expect(quarter.lastDay.description == last)
    }

    @Test(
        "quarter text must be exactly YYYY-Qn with n 1-4",
        arguments: [
            "2019-Q5", "2019-Q0", "2019Q1", "2019-q1", "19-Q1", "2019-Q12", "2019-QQ", "", "0000-Q1",
        ])
    func badQuarter(text: String) {
        #expect(throws: ValidationError.self) { try Quarter(text) }
        #expect(Set(fields { _ = try Quarter(text) }) == ["quarter"])
    }

    @Test("containing and contains agree on quarter boundaries")
    func containing() throws {
        let q2 = try Quarter("2019-Q2")
        for (text, inside) in [
            ("2019-03-31", false), ("2019-04-01", true), ("2019-06-30", true), ("2019-07-01", false),
        ] {
            let date = try #require(CalendarDate(text))
            #expect(q2.contains(date) == inside)
            #expect((Quarter.containing(date) == q2) == inside)
        }
        #expect(Quarter.containing(try #require(CalendarDate("2020-11-15"))).description == "2020-Q4")
    }

    @Test("quarters order chronologically and step across years")
    func quarterOrder() throws {
        #expect(try Quarter("2019-Q4") < Quarter("2020-Q1"))
        #expect(try Quarter("2019-Q4").next == Quarter("2020-Q1"))
        #expect(try Quarter("2020-Q1").previous == Quarter("2019-Q4"))
        #expect(try Quarter("9999-Q4").next == nil)
        #expect(try Quarter("2019-Q2").fiscalYear == FiscalYear(2019))
    }

    @Test("fiscal years are 2000 to 2100 and span the calendar year")
    func fiscalYear() throws {
        let year = try FiscalYear(2019)
        #expect(year.firstDay.description == "2019-01-01")
        #expect(year.lastDay.description == "2019-12-31")
        #expect(year.quarters.map(\.description) == ["2019-Q1", "2019-Q2", "2019-Q3", "2019-Q4"])
        #expect(year.contains(try #require(CalendarDate("2019-07-17"))))
        #expect(try FiscalYear(2000) < FiscalYear(2100))
        #expect(problems { _ = try FiscalYear(1999) } == ["must be between 2000 and 2100, got 1999"])
        #expect(fields { _ = try FiscalYear(2101) } == ["fiscal_year"])
    }

    @Test("months are 1 to 12 with Indonesian names and quarters")
    func months() throws {
        let august = try Month(8)
        #expect(august.indonesianName == "Agustus")
        #expect(august.quarterNumber == 3)
        #expect(august.quarter(in: try FiscalYear(2019)).description == "2019-Q3")
        #expect(Month.all.count == 12)
        #expect(Month.all.last?.indonesianName == "Desember")
        #expect(problems { _ = try Month(0) } == ["must be 1 to 12, got 0"])
        #expect(fields { _ = try Month(13) } == ["month"])
    }
}
