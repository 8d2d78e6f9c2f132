import PaduCore
import Testing

@Suite("ValidationError and ValidationCollector")
struct ValidationTests {
    @Test("prefixing places a field under the caller's path")
    func prefixing() {
        let error = ValidationError(field: "nik", problem: "must be 16 digits, got 15")
        #expect(
            error.prefixed(with: "recipients[3]").problems == [
                .init(field: "recipients[3].nik", problem: "must be 16 digits, got 15")
            ])
        #expect(error.prefixed(with: "").problems.first?.field == "nik")
        #expect(ValidationError(field: "", problem: "x").prefixed(with: "body").problems.first?.field == "body")
        #expect(ValidationError(field: "[0]", problem: "x").prefixed(with: "items").problems.first?.field == "items[0]")
    }

    @Test("replacing and merging keep every problem")
    func replacingAndMerging() {
        let a = ValidationError(field: "date", problem: "p1")
        let b = ValidationError(field: "nik", problem: "p2")
        #expect(a.replacingField(with: "birth_date").problems.first?.field == "birth_date")
        #expect(a.merging(b).problems.map(\.problem) == ["p1", "p2"])
        #expect(a.merging(b).description == "date: p1; nik: p2")
    }

    @Test("the collector gathers problems from several checks and throws them together")
    func collector() throws {
        var collector = ValidationCollector()
        let nik = collector.check("nik") { try NIK("16060115059000") }
        let kk = collector.check("kk") { try KK("1606012003150042") }
        let decile = collector.check("desil") { try Decile(11) }
        let period = collector.check("period") { try Quarter("2019Q1") }
        #expect(nik == nil)
        #expect(kk != nil)
        #expect(decile == nil)
        #expect(period == nil)
        #expect(!collector.isEmpty)

        let error = try #require(throws: ValidationError.self) { try collector.throwIfAny() }
        #expect(error.problems.map(\.field) == ["nik", "desil", "period"])
        #expect(error.problems.first?.problem == "must be 16 digits, got 14")
    }

    @Test("a collector with a path prefixes its fields and keeps several problems of one value")
    func collectorPath() throws {
        var collector = ValidationCollector(path: "recipients[3]")
        collector.check("nik") { try NIK("0006013202900000") }
        collector.require(false, field: "name", problem: "must not be empty")
        let fields = collector.problems.map(\.field)
        #expect(fields == ["recipients[3].nik", "recipients[3].nik", "recipients[3].nik", "recipients[3].name"])
    }

    @Test("nested validation keeps the inner field names under a prefix")
    func nested() {
        struct Recipient {
            let nik: NIK
            let kk: KK
            init(nik: String, kk: String) throws(ValidationError) {
                var collector = ValidationCollector()
                let nik = collector.check("nik") { try NIK(nik) }
                let kk = collector.check("kk") { try KK(kk) }
                try collector.throwIfAny()
                self.nik = nik!
                self.kk = kk!
            }
        }
        var collector = ValidationCollector(path: "body")
        collector.nested("recipients[0]") { try Recipient(nik: "1606015505900001", kk: "1606012003150042") }
        collector.nested("recipients[1]") { try Recipient(nik: "x", kk: "y") }
        #expect(collector.problems.map(\.field) == ["body.recipients[1].nik", "body.recipients[1].kk"])
    }

    @Test("a collector with nothing wrong does not throw and returns the values")
    func clean() throws {
        var collector = ValidationCollector()
        let region = collector.check("region") { try RegionCode("16.06") }
        #expect(region?.level == .regency)
        #expect(collector.isEmpty)
        #expect(collector.error == nil)
        try collector.throwIfAny()
    }
}

@Suite("ValidationCollector edge cases")
struct ValidationCollectorEdgeTests {
    private struct Unexpected: Error {}

    @Test("an error that is not a ValidationError still rejects, without leaking its details")
    func foreignError() {
        var collector = ValidationCollector()
        let value: Int? = collector.check("amount") { throw Unexpected() }
        #expect(value == nil)
        #expect(collector.problems == [.init(field: "amount", problem: "is not valid")])
    }
}
