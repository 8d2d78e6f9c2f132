import PQ
import Testing

@Suite("Errors and transactions")
struct ErrorAndTransactionTests {
    static func scratchTable(_ client: PQClient, _ name: String) async throws {
        try await client.withConnection { connection in
            try await connection.execute(
                script: """
                    DROP TABLE IF EXISTS \(name);
                    CREATE TABLE \(name) (id int8 PRIMARY KEY, code text NOT NULL UNIQUE,
                                          amount int8 CHECK (amount >= 0));
                    """)
        }
    }

    @Test("SQL errors carry SQLSTATE, constraint and table")
    func sqlState() async throws {
        try await TestServer.withClient { client in
            try await Self.scratchTable(client, "err_t")
            try await client.query("INSERT INTO err_t VALUES (1, 'a', 1)")
            let unique = await #expect(throws: PQError.self) {
                try await client.query("INSERT INTO err_t VALUES (2, 'a', 1)")
            }
            #expect(unique?.sqlState == PQError.SQLState.uniqueViolation)
            #expect(unique?.constraint == "err_t_code_key")
            #expect(unique?.table == "err_t")
            let check = await #expect(throws: PQError.self) {
                try await client.query("INSERT INTO err_t VALUES (3, 'b', -5)")
            }
            #expect(check?.sqlState == PQError.SQLState.checkViolation)
            let syntax = await #expect(throws: PQError.self) { try await client.query("SELEC 1") }
            #expect(syntax?.sqlState == "42601")
            // The connection and its statement cache survive errors.
            #expect(try await client.query("SELECT count(*) FROM err_t").first(Int.self) == 1)
        }
    }

    struct Boom: Error {}

    @Test("a transaction rolls back when its body throws")
    func rollbackOnThrow() async throws {
        try await TestServer.withClient { client in
            try await Self.scratchTable(client, "tx_t")
            await #expect(throws: Boom.self) {
                try await client.withTransaction { connection in
                    try await connection.query("INSERT INTO tx_t VALUES (1, 'x', 1)")
                    throw Boom()
                }
            }
            #expect(try await client.query("SELECT count(*) FROM tx_t").first(Int.self) == 0)
            try await client.withTransaction { connection in
                try await connection.query("INSERT INTO tx_t VALUES (2, 'y', 1)")
            }
            #expect(try await client.query("SELECT count(*) FROM tx_t").first(Int.self) == 1)
        }
    }

    @Test("committing a transaction whose statement failed throws and commits nothing")
    func abortedCommit() async throws {
        try await TestServer.withClient { client in
            try await Self.scratchTable(client, "abort_t")
            let error = await #expect(throws: PQError.self) {
                try await client.withTransaction { connection in
                    try await connection.query("INSERT INTO abort_t VALUES (1, 'x', 1)")
                    _ = try? await connection.query("INSERT INTO abort_t VALUES (1, 'x', 1)")
                }
            }
            #expect(error?.code == .transactionAborted)
            #expect(try await client.query("SELECT count(*) FROM abort_t").first(Int.self) == 0)
        }
    }

    @Test("a read-only transaction refuses writes")
    func readOnly() async throws {
        try await TestServer.withClient { client in
            try await Self.scratchTable(client, "ro_t")
            let error = await #expect(throws: PQError.self) {
                try await client.withTransaction(readOnly: true) { connection in
                    try await connection.query("INSERT INTO ro_t VALUES (1, 'x', 1)")
                }
            }
            #expect(error?.sqlState == PQError.SQLState.readOnlyTransaction)
        }
    }

    @Test("BEGIN and settings travel with the first statement in one pipeline")
    func deferredBegin() async throws {
        try await TestServer.withClient { client in
            let (setting, inTransaction) = try await client.withTransaction(readOnly: true) { connection in
                connection.deferUntilNextQuery("SELECT set_config('pq.test', \("42"), true)")
                return try #require(
                    try await connection.query(
                        "SELECT current_setting('pq.test'), now() = statement_timestamp() IS NOT NULL"
                    ).first((String, Bool).self))
            }
            #expect(setting == "42")
            #expect(inTransaction)
            // is_local settings end with the transaction.
            let after = try await client.query("SELECT current_setting('pq.test', true)").first(String?.self)
            #expect(after == "" || after == nil)
        }
    }

    @Test("a pipeline runs several statements and returns each one's rows")
    func pipeline() async throws {
        try await TestServer.withClient { client in
            let results = try await client.withConnection { connection in
                try await connection.pipeline([
                    "SELECT 1::int8", "SELECT \("two")", "SELECT 3::int8 UNION ALL SELECT 4",
                ])
            }
            #expect(results.count == 3)
            #expect(try results[0].first(Int.self) == 1)
            #expect(try results[1].first(String.self) == "two")
            #expect(results[2].count == 2)
        }
    }

    @Test("a statement is prepared once per connection and reused")
    func preparedReuse() async throws {
        try await TestServer.withClient(try TestServer.configuration(maximum: 1)) { client in
            for value in 0..<5 {
                _ = try await client.query("SELECT \(Int64(value)) + 1000")
            }
            let count = try await client.query(
                "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%+ 1000' AND statement NOT LIKE '%pg_prepared%'"
            ).first(Int.self)
            #expect(count == 1)
        }
    }
}

@Suite("Read-only transactions end without waiting")
struct UnacknowledgedCommitTests {
    @Test("a read-only transaction's COMMIT is read before the connection's next use")
    func commitReadLater() async throws {
        try await TestServer.withClient(try TestServer.configuration(maximum: 1)) { client in
            for round in 0..<50 {
                let value = try await client.withTransaction(readOnly: true) { connection in
                    try await connection.query("SELECT \(Int64(round))").first(Int.self)
                }
                #expect(value == round)
            }
            // The connection is idle and usable for writes afterwards, outside any transaction.
            let state = try await client.query("SELECT current_setting('transaction_read_only')").first(String.self)
            #expect(state == "off")
            let pid1 = try await client.query("SELECT pg_backend_pid()").first(Int32.self)
            let pid2 = try await client.withTransaction { c in
                try await c.query("SELECT pg_backend_pid()").first(Int32.self)
            }
            #expect(pid1 == pid2)
        }
    }
}
