import Foundation
import PQ
import Testing

@Suite("Types round-trip through a real server")
struct TypeRoundTripTests {
    @Test("integers at their limits", arguments: [Int64.min, -1, 0, 1, Int64.max])
    func int64Limits(value: Int64) async throws {
        let back = try await TestServer.withClient { client in
            try await client.query("SELECT \(value)::int8").first(Int64.self)
        }
        #expect(back == value)
    }

    @Test("Int16, Int32, Int, Bool and Double keep their values")
    func scalars() async throws {
        let row = try await TestServer.withClient { client in
            try await client.query(
                "SELECT \(Int16.min), \(Int32.max), \(Int(-7)), \(true), \(false), \(3.25), \(-0.0001)"
            ).first((Int16, Int32, Int, Bool, Bool, Double, Double).self)
        }
        let (a, b, c, d, e, f, g) = try #require(row)
        #expect(a == Int16.min && b == Int32.max && c == -7 && d && !e && f == 3.25 && g == -0.0001)
    }

    @Test("strings: empty, unicode, quotes and backslashes come back verbatim")
    func strings() async throws {
        let samples = ["", "Musi Banyuasin", "Désa Sungai Lilin 🌾", "O'Brien \\ \"x\"", "قرية", "\t\n"]
        let back = try await TestServer.withClient { client in
            var out: [String] = []
            for sample in samples {
                out.append(try #require(try await client.query("SELECT \(sample)::text").first(String.self)))
            }
            return out
        }
        #expect(back == samples)
    }

    @Test("NULL decodes as nil and fails a non-optional")
    func nulls() async throws {
        try await TestServer.withClient { client in
            let missing: Int64? = nil
            let rows = try await client.query("SELECT \(missing), NULL::text")
            let (a, b) = try #require(try rows.first((Int64?, String?).self))
            #expect(a == nil && b == nil)
            #expect(throws: PQError.self) { try rows[0].decode(Int64.self, at: 0) }
        }
    }

    @Test("a 5 MiB bytea survives intact")
    func largeBytea() async throws {
        var bytes = [UInt8](repeating: 0, count: 5 * 1024 * 1024)
        for index in bytes.indices { bytes[index] = UInt8(truncatingIfNeeded: index &* 31 &+ 7) }
        let payload = PQBytes(bytes)
        let (back, length) = try await TestServer.withClient { client in
            try #require(try await client.query("SELECT \(payload), length(\(payload))").first((PQBytes, Int).self))
        }
        #expect(length == bytes.count)
        #expect(back == payload)
    }

    @Test("calendar dates and instants")
    func dates() async throws {
        let day = try #require(PQDate("1990-05-15"))
        let instant = Date(timeIntervalSince1970: 1_556_755_200.123456)
        let row = try await TestServer.withClient { client in
            try await client.query("SELECT \(day), \(instant), '2019-05-02'::date, \(day)::text").first(
                (PQDate, Date, PQDate, String).self)
        }
        let (a, b, c, d) = try #require(row)
        #expect(a == day)
        #expect(abs(b.timeIntervalSince(instant)) < 0.000_001)
        #expect(c.description == "2019-05-02")
        #expect(d == "1990-05-15")
    }

    @Test("arrays of Int64 and String, including empty ones")
    func arrays() async throws {
        let ids: [Int64] = [1, 2, Int64.max]
        let names = ["a", "", "ß"]
        let empty: [String] = []
        let row = try await TestServer.withClient { client in
            try await client.query("SELECT \(ids), \(names), \(empty), cardinality(\(names))").first(
                ([Int64], [String], [String], Int).self)
        }
        let (a, b, c, d) = try #require(row)
        #expect(a == ids && b == names && c.isEmpty && d == 3)
    }

    struct Payload: Codable, Sendable, Equatable {
        var agency: String
        var deciles: [Int]
    }

    @Test("JSON values are Codable round trips through jsonb")
    func json() async throws {
        let value = Payload(agency: "BAZNAS", deciles: [1, 2, 9])
        let back = try await TestServer.withClient { client in
            try await client.query("SELECT \(PQJSON(value)), \(PQJSON(value))->>'agency'").first(
                (PQJSON<Payload>, String).self)
        }
        #expect(back?.0.value == value)
        #expect(back?.1 == "BAZNAS")
    }

    @Test("numeric decodes to its exact decimal text and to Double")
    func numeric() async throws {
        let row = try await TestServer.withClient { client in
            try await client.query(
                "SELECT 332000000::numeric / 350000000, 0.000123::numeric, -12345.6789::numeric, 10000::numeric"
            ).first((Double, String, String, Int64).self)
        }
        let (rate, small, negative, whole) = try #require(row)
        #expect(abs(rate - 0.948571) < 0.000001)
        #expect(small == "0.000123")
        #expect(negative == "-12345.6789")
        #expect(whole == 10000)
    }

    struct Programme: Decodable, Equatable {
        enum Kind: String, Decodable {
            case cash
            case inKind = "in_kind"
        }
        var id: Int64
        var agencyCode: String
        var aidKind: Kind
        var note: String?
        var unitPrice: Double
    }

    @Test("rows decode into Decodable types by column name")
    func decodable() async throws {
        let rows = try await TestServer.withClient { client in
            try await client.query(
                "SELECT 7::int8 AS id, 'DINSOS' AS agency_code, 'in_kind' AS aid_kind, NULL::text AS note, 2.5::float8 AS unit_price"
            ).decode(as: Programme.self)
        }
        #expect(rows == [Programme(id: 7, agencyCode: "DINSOS", aidKind: .inKind, note: nil, unitPrice: 2.5)])
    }

    @Test("decoding a text column as an integer is a type mismatch, not a crash")
    func mismatch() async throws {
        try await TestServer.withClient { client in
            let rows = try await client.query("SELECT 'abc'::text")
            #expect(throws: PQError.self) { try rows[0].decode(Int.self, at: 0) }
        }
    }
}
