import Foundation
import PaduStore
import Testing

@testable import PaduAPI
@testable import PaduStore

/// The direct writer must produce exactly what `JSONEncoder` would: same bytes for ordinary
/// text, the same JSON values when strings hold control characters (escaped either way).
@Suite("Large responses written directly equal JSONEncoder's output")
struct DirectJSONTests {
    static let recipients = """
        [
          {"nik": "1606115409939000", "valid": true, "in_registry": true, "decile": 5, "registry_as_of": "2019-01-31",
           "other_aid": [], "other_plans": [], "flags": ["DECILE_ABOVE_4"]},
          {"kk": "1606110101190001", "valid": true, "in_registry": false, "other_aid": [
             {"agency": "Baznas", "program": "Bedah rumah \\"layak huni\\"", "aid_kind": "house", "deliveries": 2,
              "aid_category": "housing", "last_delivered_on": "2019-06-30"},
             {"agency": "Dinas Sosial / Dinsos", "program": "Sembako ✓ für Pädagogen", "aid_kind": "food",
              "aid_category": "food", "deliveries": 1, "last_delivered_on": "2019-03-01"}],
           "other_plans": [{"agency": "Disperkim", "program": "RTLH \\"2019\\"", "aid_category": "housing",
                            "status": "submitted", "period": "2019-Q3"}],
           "flags": ["SAME_CATEGORY_PLANNED"], "acknowledged_flags": ["SAME_CATEGORY_PLANNED"], "line_no": 3,
           "planned_value_idr": 350000000, "planned_quantity": 7, "status": "rejected",
           "rejection_reason": "desil 9; ' OR 1=1 --", "program": "Bedah Rumah", "agency": "Baznas",
           "village": "Kayuara", "head_of_household": "Siti \\u0007 Aminah"},
          {"nik": "0000000000000000", "valid": false, "in_registry": false, "other_aid": [], "other_plans": [],
           "flags": ["INVALID_ID", "DUPLICATE_IN_PLAN"], "line_no": 0}
        ]
        """

    func recipients() throws -> [RecipientCheck] {
        try JSONCoding.decoder.decode([RecipientCheck].self, from: Data(Self.recipients.utf8))
    }

    @Test("a registry check answer, byte for byte")
    func check() throws {
        let response = CheckResponse(recipients: try recipients())
        let direct = try JSONCoding.encode(response)
        #expect(
            String(decoding: direct, as: UTF8.self)
                == String(decoding: try JSONCoding.encoder.encode(response), as: UTF8.self))
        #expect(try JSONCoding.encode(CheckResponse(recipients: [])) == Array(#"{"recipients":[]}"#.utf8))
    }

    @Test("a plan with and without its recipients, instants included")
    func plan() throws {
        let json = """
            {"id": 12, "program_id": 3, "agency_id": 4, "fiscal_year": 2019, "period": "2019-Q2", "status": "submitted",
             "created_at": "2019-05-01T08:30:00Z", "submitted_at": "2019-05-02T23:59:59Z", "recipient_count": 3,
             "approved_count": 0}
            """
        var plan = try JSONCoding.decoder.decode(Plan.self, from: Data(json.utf8))
        for recipients in [nil, try recipients()] {
            plan.recipients = recipients
            plan.decisionReason = recipients == nil ? nil : "Tidak\tsesuai"
            let direct = try JSONCoding.encode(plan)
            #expect(
                String(decoding: direct, as: UTF8.self)
                    == String(decoding: try JSONCoding.encoder.encode(plan), as: UTF8.self))
        }
    }

    @Test("control characters, quotes and backslashes escape to the same strings")
    func escaping() throws {
        var recipient = try recipients()[0]
        let nasty = "a\u{0}b\u{1}c\u{1F}\"\\/\n\r\t\u{8}\u{C}é🇮🇩"
        recipient.rejectionReason = nasty
        let direct = try JSONCoding.encode(CheckResponse(recipients: [recipient]))
        let decoded = try ContractJSON.decoder.decode(CheckResult.self, from: Data(direct))
        #expect(decoded.recipients.first?.rejectionReason == nasty)
        let viaEncoder = try JSONCoding.encoder.encode(CheckResponse(recipients: [recipient]))
        #expect(
            try JSONDecoder().decode(JSONValue.self, from: Data(direct))
                == JSONDecoder().decode(JSONValue.self, from: viaEncoder))
    }
}
