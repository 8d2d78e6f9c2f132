import PQ
import Testing

@Suite("Query: interpolation binds parameters")
struct QueryTests {
    @Test("each interpolated value becomes the next $n parameter")
    func bindsParameters() {
        let id: Int64 = 42
        let name = "Dinas Sosial"
        let query: PQQuery = "SELECT * FROM t WHERE id = \(id) AND name = \(name)"
        #expect(query.sql == "SELECT * FROM t WHERE id = $1 AND name = $2")
        #expect(query.bindings.count == 2)
        #expect(query.bindings.types == [PQType.int8.oid, PQType.text.oid])
    }

    @Test("a nil optional binds NULL with the wrapped type")
    func bindsNull() {
        let missing: String? = nil
        let query: PQQuery = "SELECT \(missing)"
        #expect(query.bindings.lengths == [-1])
        #expect(query.bindings.types == [PQType.text.oid])
    }

    @Test("text that looks like SQL stays a parameter")
    func injectionStaysParameter() {
        let hostile = "x'; DROP TABLE persons; --"
        let query: PQQuery = "SELECT \(hostile)"
        #expect(query.sql == "SELECT $1")
        #expect(!query.description.contains("DROP"))
    }

    @Test("identifiers are quoted only through the named escape")
    func identifierEscape() {
        let table = "we\"ird"
        let query: PQQuery = "SELECT * FROM \(identifier: table)"
        #expect(query.sql == "SELECT * FROM \"we\"\"ird\"")
        #expect(query.bindings.count == 0)
    }

    @Test("literal quoting doubles single quotes")
    func literalQuoting() {
        #expect(PQQuery.quoteLiteral("it's") == "'it''s'")
    }

    @Test("an error's description never prints the server message or detail")
    func errorDescriptionHidesValues() {
        let error = PQError(
            code: .server, sqlState: "23505", message: "duplicate key 1606015505900001",
            detail: "Key (nik)=(1606015505900001) already exists.", table: "persons", constraint: "persons_nik_key")
        #expect(!error.description.contains("1606015505900001"))
        #expect(error.description.contains("23505"))
        #expect(error.description.contains("persons_nik_key"))
    }

    @Test("a connection string's password is redacted in its description")
    func redactsPassword() {
        let url = PQConnectionConfiguration("postgresql://padu_api:s3cret@db:5432/padu?sslmode=disable")
        #expect(!url.description.contains("s3cret"))
        let keywords = PQConnectionConfiguration("host=db user=padu password=s3cret")
        #expect(!keywords.description.contains("s3cret"))
    }

    @Test("calendar dates convert to and from day counts")
    func calendarDates() throws {
        let date = try #require(PQDate("2019-05-02"))
        #expect(PQDate(daysSinceUnixEpoch: date.daysSinceUnixEpoch) == date)
        #expect(PQDate("2019-02-29") == nil)
        #expect(PQDate("2020-02-29") != nil)
        #expect(try #require(PQDate("1970-01-01")).daysSinceUnixEpoch == 0)
        #expect(date.adding(days: 30).description == "2019-06-01")
    }
}
