import PQ
import Testing

@Suite("COPY FROM STDIN")
struct CopyTests {
    @Test("100,000 rows stream in, with NULLs and characters that need escaping")
    func hundredThousandRows() async throws {
        try await TestServer.withClient { client in
            try await client.withConnection { connection in
                try await connection.execute(
                    script: "DROP TABLE IF EXISTS copy_t; CREATE TABLE copy_t (id int8, name text, note text)")
                let stored = try await connection.copyFrom("COPY copy_t (id, name, note) FROM STDIN") { writer in
                    for index in 0..<100_000 {
                        try await writer.writeRow([
                            String(index), "warga \(index)\ttab\\slash\nline", index % 10 == 0 ? nil : "ok",
                        ])
                    }
                }
                #expect(stored == 100_000)
                let row = try await connection.query(
                    "SELECT count(*), count(note), sum(id), max(name) FILTER (WHERE id = 7) FROM copy_t"
                ).first((Int, Int, Int, String).self)
                #expect(row?.0 == 100_000)
                #expect(row?.1 == 90_000)
                #expect(row?.2 == (0..<100_000).reduce(0, +))
                #expect(row?.3 == "warga 7\ttab\\slash\nline")
            }
        }
    }

    struct Stop: Error {}

    @Test("a COPY whose producer throws stores nothing and leaves the connection usable")
    func abortedCopy() async throws {
        try await TestServer.withClient(try TestServer.configuration(maximum: 1)) { client in
            try await client.withConnection { connection in
                try await connection.execute(
                    script: "DROP TABLE IF EXISTS copy_abort; CREATE TABLE copy_abort (id int8)")
                await #expect(throws: Stop.self) {
                    try await connection.copyFrom("COPY copy_abort FROM STDIN") { writer in
                        for index in 0..<1000 { try await writer.writeRow([String(index)]) }
                        throw Stop()
                    }
                }
                #expect(try await connection.query("SELECT count(*) FROM copy_abort").first(Int.self) == 0)
            }
        }
    }

    @Test("a row the server rejects fails the COPY with its SQLSTATE")
    func badRow() async throws {
        try await TestServer.withClient { client in
            try await client.withConnection { connection in
                try await connection.execute(
                    script: "DROP TABLE IF EXISTS copy_bad; CREATE TABLE copy_bad (id int8 NOT NULL)")
                let error = await #expect(throws: PQError.self) {
                    try await connection.copyFrom("COPY copy_bad FROM STDIN") { writer in
                        try await writer.writeRow(["1"])
                        try await writer.writeRow(["not a number"])
                    }
                }
                #expect(error?.sqlState == PQError.SQLState.invalidTextRepresentation)
            }
        }
    }
}
