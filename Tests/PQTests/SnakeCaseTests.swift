import PQ
import Testing

@Suite("Property names map to column names")
struct SnakeCaseTests {
    @Test(
        "camelCase and runs of capitals",
        arguments: [
            ("id", "id"), ("agencyID", "agency_id"), ("allocatedIDR", "allocated_idr"),
            ("plannedValueIDR", "planned_value_idr"), ("URLPath", "url_path"), ("lastDeliveredOn", "last_delivered_on"),
            ("already_snake", "already_snake"), ("decile1To4", "decile1_to4"), ("", ""), ("X", "x"),
        ])
    func ascii(name: String, expected: String) {
        #expect(snakeCased(name) == expected)
    }

    @Test("names outside ASCII follow Unicode case")
    func unicode() {
        #expect(snakeCased("jumlahÉlan") == "jumlah_élan")
        #expect(snakeCased("ÜberID") == "über_id")
    }
}
