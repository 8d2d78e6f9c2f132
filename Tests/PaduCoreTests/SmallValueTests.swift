import PaduCore
import Testing

@Suite("Decile and Sex")
struct SmallValueTests {
    @Test("deciles 1 to 4 are social assistance targets", arguments: 1...10)
    func targeted(value: Int) throws {
        #expect(try Decile(value).isTargeted == (value <= 4))
    }

    @Test("deciles outside 1 to 10 are refused", arguments: [0, 11, -1])
    func invalidDecile(value: Int) {
        #expect(problems { _ = try Decile(value) } == ["must be 1 to 10, got \(value)"])
        #expect(fields { _ = try Decile(value) } == ["decile"])
    }

    @Test("sex is M or F exactly")
    func sex() throws {
        #expect(try Sex("M") == .male)
        #expect(try Sex("F") == .female)
        #expect(Sex.female.rawValue == "F")
        #expect(problems { _ = try Sex("f") } == ["must be M or F"])
        #expect(Sex(rawValue: "L") == nil)
    }
}
