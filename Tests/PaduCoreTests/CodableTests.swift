import Foundation
import PaduCore
import Testing

/// A request-shaped value using every type, to check the JSON an API would actually carry.
private struct Payload: Codable, Equatable {
    var nik: NIK
    var kk: KK
    var region: RegionCode
    var amount: Rupiah
    var fiscalYear: FiscalYear
    var quarter: Quarter
    var month: Month
    var decile: Decile
    var sex: Sex
    var date: CalendarDate
}

@Suite("Codable")
struct CodableTests {
    private func sample() throws -> Payload {
        Payload(
            nik: try NIK("1606015505900001"), kk: try KK("1606012003150042"), region: try RegionCode("16.06.01.2001"),
            amount: try Rupiah(350_000_000), fiscalYear: try FiscalYear(2019), quarter: try Quarter("2019-Q2"),
            month: try Month(8), decile: try Decile(3), sex: .female, date: try #require(CalendarDate("2019-05-01")))
    }

    @Test("every value encodes as its canonical string or integer")
    func canonicalJSON() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(try sample()), as: UTF8.self)
        #expect(
            json == """
                {"amount":350000000,"date":"2019-05-01","decile":3,"fiscalYear":2019,"kk":"1606012003150042",\
                "month":8,"nik":"1606015505900001","quarter":"2019-Q2","region":"16.06.01.2001","sex":"F"}
                """)
    }

    @Test("values round-trip through JSON")
    func roundTrip() throws {
        let original = try sample()
        let decoded = try JSONDecoder().decode(Payload.self, from: try JSONEncoder().encode(original))
        #expect(decoded == original)
        #expect(decoded.nik.sex == .female)
        let deficit = Rupiah(signed: -5000)
        #expect(try JSONDecoder().decode(Rupiah.self, from: try JSONEncoder().encode(deficit)) == deficit)
    }

    @Test(
        "invalid values in JSON fail decoding with the validation message",
        arguments: [
            #""1606015505900000""#, #""16.060""#, #""2019-Q5""#, #""2019-02-30""#, "11", "1999", #""X""#,
        ])
    func invalidJSON(json: String) {
        let data = Data(json.utf8)
        #expect(throws: DecodingError.self) {
            switch json {
            case #""1606015505900000""#: _ = try JSONDecoder().decode(NIK.self, from: data)
            case #""16.060""#: _ = try JSONDecoder().decode(RegionCode.self, from: data)
            case #""2019-Q5""#: _ = try JSONDecoder().decode(Quarter.self, from: data)
            case #""2019-02-30""#: _ = try JSONDecoder().decode(CalendarDate.self, from: data)
            case "11": _ = try JSONDecoder().decode(Decile.self, from: data)
            case "1999": _ = try JSONDecoder().decode(FiscalYear.self, from: data)
            default: _ = try JSONDecoder().decode(Sex.self, from: data)
            }
        }
    }

    @Test("a decoding failure explains the problem without echoing the NIK")
    func decodingMessage() throws {
        let data = Data(#"["1606015505900000"]"#.utf8)
        let error = try #require(throws: DecodingError.self) { try JSONDecoder().decode([NIK].self, from: data) }
        guard case .dataCorrupted(let context) = error else {
            Issue.record("expected dataCorrupted, got \(error)")
            return
        }
        #expect(context.debugDescription == "nik: serial 0000 is not valid")
        #expect(!context.debugDescription.contains("1606015505900000"))
    }

    @Test("ValidationError encodes as the problems list an API returns")
    func validationErrorJSON() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let error = ValidationError(field: "recipients[0].nik", problem: "serial 0000 is not valid")
        let json = String(decoding: try encoder.encode(error), as: UTF8.self)
        #expect(json == #"{"problems":[{"field":"recipients[0].nik","problem":"serial 0000 is not valid"}]}"#)
    }
}
