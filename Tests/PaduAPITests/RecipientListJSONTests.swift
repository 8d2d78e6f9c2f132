import Foundation
import PaduStore
import Testing

@testable import PaduAPI

/// The recipient list's direct reader must read what `JSONDecoder` reads, and give way to it
/// (nil) on everything else, so that errors stay `JSONDecoder`'s.
@Suite("The recipient list's direct JSON reader agrees with JSONDecoder")
struct RecipientListJSONTests {
    /// The list as `JSONDecoder` reads it, or nil when it refuses it.
    func decoded(_ body: String) -> CoordinationRequest.RecipientList? {
        try? JSONCoding.decoder.decode(CoordinationRequest.RecipientList.self, from: Data(body.utf8))
    }

    func same(_ a: CoordinationRequest.RecipientList?, _ b: CoordinationRequest.RecipientList?) -> Bool {
        guard let a, let b else { return a == nil && b == nil }
        guard a.programID == b.programID, a.fiscalYear == b.fiscalYear, a.period == b.period,
            (a.recipients == nil) == (b.recipients == nil)
        else { return false }
        let left = a.recipients ?? []
        let right = b.recipients ?? []
        return left.count == right.count
            && zip(left, right).allSatisfy {
                $0.nik == $1.nik && $0.kk == $1.kk && $0.name == $1.name && $0.plannedValueIDR == $1.plannedValueIDR
                    && $0.plannedQuantity == $1.plannedQuantity
            }
    }

    static let plain = [
        #"{"program_id": 7, "fiscal_year": 2019, "recipients": [{"nik": "1606115409939000"}, {"kk": "1606110101190001"}]}"#,
        #"{"program_id":7,"fiscal_year":2019,"period":"2019-Q2","recipients":[{"nik":"1606115409939000","name":"Siti Aminah","planned_value_idr":350000000,"planned_quantity":7}]}"#,
        "{\n  \"recipients\" : [ { \"kk\" : \"1606110101190001\" , \"planned_quantity\" : 0 } ] ,\r\n\t\"program_id\" : 12 }\n",
        #"{"program_id": null, "fiscal_year": null, "period": null, "recipients": null}"#,
        #"{"program_id": 1, "fiscal_year": 2019, "recipients": []}"#,
        #"{"recipients": [{}, {"nik": null, "kk": null, "name": null, "planned_value_idr": null, "planned_quantity": null}]}"#,
        #"{"program_id": -9223372036854775808, "fiscal_year": 9223372036854775807, "recipients": [{"planned_value_idr": -0}]}"#,
        #"{"recipients": [{"nik": "16061154 0993900O", "name": "Wayan Ñoman ✓ 🌾", "kk": ""}]}"#,
        "{}",
    ]

    @Test("plain lists are read directly, with JSONDecoder's values")
    func plainLists() {
        for body in Self.plain {
            let direct = RecipientListJSON.read(Array(body.utf8))
            #expect(direct != nil, "\(body)")
            #expect(same(direct, decoded(body)), "\(body)")
        }
    }

    /// Each of these is outside the plain shape: the reader gives way, whatever JSONDecoder says.
    static let notPlain = [
        #"{"recipients": [{"name": "Siti \"Ami\" Aminah"}]}"#,  // an escape
        // An escaped NUL: JSONDecoder reads it, and the body's rule refuses it.
        #"{"recipients": [{"name": "Siti\u0000"}]}"#,
        "{\"recipients\": [{\"name\": \"Siti\tAminah\"}]}",  // a raw control character
        #"{"program_id": 7.0}"#, #"{"program_id": 7e2}"#, #"{"program_id": 07}"#, #"{"program_id": -}"#,
        #"{"program_id": 9223372036854775808}"#, #"{"program_id": -9223372036854775809}"#,
        #"{"program_id": "7"}"#, #"{"recipients": [{"nik": 1606115409939000}]}"#,
        #"{"recipients": {"nik": "1606115409939000"}}"#, #"{"recipients": ["1606115409939000"]}"#,
        #"{"programID": 7}"#, #"{"program_id": 7, "program_id": 8}"#, #"{"extra": 1}"#,
        #"{"recipients": [{"nik": "1606115409939000", "nik": "1606115409939001"}]}"#,
        #"{"recipients": [{"nik": "1606115409939000",}]}"#, #"{"recipients": [{"nik": "1"},]}"#,
        #"{"program_id": 7} x"#, #"{"program_id": 7}}"#, #"[{"program_id": 7}]"#, "", "   ", "null",
        #"{"program_id": true}"#, #"{"program_id": nul}"#, #"{"recipients": [{"nik": "1606"#,
        "\u{FEFF}{\"program_id\": 7}",
    ]

    @Test("anything else is left to JSONDecoder")
    func leftToJSONDecoder() {
        for body in Self.notPlain {
            #expect(RecipientListJSON.read(Array(body.utf8)) == nil, "\(body)")
        }
        // Not UTF-8: JSONDecoder's to refuse.
        let invalid = Array(#"{"recipients": [{"name": "Siti "#.utf8) + [0xC3, 0x28] + Array(#""}]}"#.utf8)
        #expect(RecipientListJSON.read(invalid) == nil)
    }

    /// Lists built from random pieces, some plain and some not: whenever the reader answers, it
    /// answers as JSONDecoder does.
    @Test("random lists: the reader's answers are JSONDecoder's")
    func randomLists() {
        var generator = SystemRandomNumberGenerator()
        let strings = [
            #""1606115409939000""#, #""""#, #""Siti Aminah""#, #""Ñoman 🌾""#, #""a\"b""#, "null", "12", #""\u0041""#,
        ]
        let numbers = [
            "0", "-1", "350000000", "9223372036854775807", "-9223372036854775808", "9223372036854775808", "1.5",
            "1e3", "null", #""7""#, "01", "-0",
        ]
        let spaces = ["", " ", "\n", "\t", " \r\n "]
        func pick(_ values: [String]) -> String { values.randomElement(using: &generator)! }
        var read = 0
        for _ in 0..<2000 {
            var members: [String] = []
            let recipientKeys = ["nik", "kk", "name", "planned_value_idr", "planned_quantity", "plannedQuantity"]
            var recipients: [String] = []
            for _ in 0..<Int.random(in: 0...4, using: &generator) {
                var fields: [String] = []
                for key in recipientKeys where Bool.random(using: &generator) {
                    let value = key.hasPrefix("planned") ? pick(numbers) : pick(strings)
                    fields.append("\(pick(spaces))\"\(key)\"\(pick(spaces)):\(pick(spaces))\(value)")
                }
                recipients.append("{" + fields.joined(separator: ",") + "}")
            }
            for (key, value) in [
                ("program_id", pick(numbers)), ("fiscal_year", pick(numbers)), ("period", pick(strings)),
                (
                    "recipients",
                    Int.random(in: 0..<10, using: &generator) == 0
                        ? "null" : "[" + recipients.joined(separator: ",") + "]"
                ),
            ] where Int.random(in: 0..<4, using: &generator) > 0 {
                members.append("\(pick(spaces))\"\(key)\"\(pick(spaces)):\(pick(spaces))\(value)\(pick(spaces))")
            }
            let body = "{" + members.shuffled(using: &generator).joined(separator: ",") + "}"
            guard let direct = RecipientListJSON.read(Array(body.utf8)) else { continue }
            read += 1
            #expect(same(direct, decoded(body)), "\(body)")
        }
        // The reader takes a good share of them (a reader that gave way every time would pass the rest).
        #expect(read > 100)
    }
}
