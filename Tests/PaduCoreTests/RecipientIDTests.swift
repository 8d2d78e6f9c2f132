import PaduCore
import Testing

@Suite("Recipient identifiers")
struct RecipientIDTests {
    static let nik = "1606015505900001"  // female, born 15 May 1990, Sekayu
    static let kk = "1606011505190001"  // issued 15 May 2019, Sekayu

    @Test("a well-formed NIK or KK becomes the typed number")
    func wellFormed() throws {
        #expect(RecipientID(.nik, Self.nik) == .nik(try NIK(Self.nik)))
        #expect(RecipientID(.kk, Self.kk) == .kk(try KK(Self.kk)))
        for id in [RecipientID(.nik, Self.nik), RecipientID(.kk, Self.kk)] {
            #expect(id.isWellFormed)
        }
        #expect(RecipientID(.nik, Self.nik).kind == .nik)
        #expect(RecipientID(.kk, Self.kk).kind == .kk)
        #expect(RecipientID(.nik, Self.nik).text == Self.nik)
        #expect(RecipientID(.kk, Self.kk).text == Self.kk)
    }

    @Test(
        "a malformed number is kept as written, with its kind, so the check can flag it",
        arguments: ["", "160601550590000", "16060155059000011", "1606015505900000", " 1606015505900001", "abc"])
    func malformed(text: String) {
        for kind in RecipientKind.allCases {
            let id = RecipientID(kind, text)
            #expect(id == .malformed(kind, text))
            #expect(!id.isWellFormed)
            #expect(id.kind == kind)
            #expect(id.text == text)
        }
    }

    @Test("the kind decides the rules: a KK's date has no +40, so a woman's NIK is no KK")
    func kindDecides() {
        #expect(RecipientID(.kk, Self.nik) == .malformed(.kk, Self.nik))
        #expect(RecipientID(.nik, Self.kk).isWellFormed, "a KK's digits also read as a man's NIK")
        #expect(RecipientID(.nik, Self.kk).kind == .nik)
    }

    @Test("the same number named as a person and as a household are different recipients")
    func hashable() {
        let asPerson = RecipientID(.nik, Self.kk)
        let asHousehold = RecipientID(.kk, Self.kk)
        #expect(asPerson != asHousehold)
        #expect(Set([asPerson, asHousehold, RecipientID(.kk, Self.kk)]).count == 2)
        #expect(RecipientKind.allCases.map(\.rawValue) == ["nik", "kk"])
    }
}
