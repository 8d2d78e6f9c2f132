import ArgumentParser
import Foundation
import Logging
import PQ

/// Single-row prepared SELECT by primary key through PQ, next to `pgbench -M prepared`
/// running the same statement against the same server in the same run.
@main
struct PQBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pq-bench",
        abstract: "Measure PQ's query rate against pgbench on the same query and server.")

    @Option(help: "Database URL; default: a throwaway local cluster.")
    var url: String?

    @Option(help: "Concurrent tasks (and pgbench clients), comma-separated.")
    var concurrency: String = "1,8,32"

    @Option(help: "Pool size; default: one connection per task.")
    var connections: Int?

    @Option(help: "Seconds per measurement.")
    var seconds: Int = 10

    @Option(help: "Rows in the benchmark table.")
    var rows: Int = 100_000

    @Flag(help: "Skip pgbench.")
    var noPgbench = false

    func run() async throws {
        var cluster: PQLocalCluster?
        let databaseURL: String
        if let url {
            databaseURL = url
        } else {
            cluster = try PQLocalCluster.startTemporary(name: "pq-bench")
            databaseURL = cluster!.url()
        }
        defer { try? cluster?.destroy() }
        let logger = Logger(label: "pq-bench")
        try await prepareTable(url: databaseURL, logger: logger)

        let levels = concurrency.split(separator: ",").compactMap { Int($0) }
        print("single-row prepared SELECT by primary key, \(seconds) s per measurement, \(rows) rows")
        print("tasks   PQ q/s      pgbench tps   PQ/pgbench")
        for level in levels {
            let ours = try await measurePQ(url: databaseURL, tasks: level, logger: logger)
            let theirs = noPgbench ? nil : try measurePgbench(url: databaseURL, clients: level)
            let ratio = theirs.map { String(format: "%5.0f%%", ours / $0 * 100) } ?? "  -"
            print(
                String(
                    format: "%5d   %9.0f   %11@   %@", level, ours, theirs.map { String(format: "%11.0f", $0) } ?? "-",
                    ratio))
        }
    }

    func prepareTable(url: String, logger: Logger) async throws {
        let client = PQClient(
            configuration: PQClientConfiguration(connection: PQConnectionConfiguration(url), maximumConnections: 1),
            logger: logger)
        defer { client.close() }
        try await client.withConnection { connection in
            try await connection.execute(
                script: """
                    DROP TABLE IF EXISTS pq_bench;
                    CREATE TABLE pq_bench (id int8 PRIMARY KEY, name text NOT NULL, amount int8 NOT NULL);
                    INSERT INTO pq_bench SELECT g, 'programme ' || g, g * 1000 FROM generate_series(1, \(rows)) g;
                    """)
            try await connection.execute(script: "VACUUM ANALYZE pq_bench")
        }
    }

    func measurePQ(url: String, tasks: Int, logger: Logger) async throws -> Double {
        let poolSize = min(tasks, connections ?? tasks)
        let client = PQClient(
            configuration: PQClientConfiguration(
                connection: PQConnectionConfiguration(url), minimumConnections: poolSize,
                maximumConnections: poolSize),
            logger: logger)
        let rowCount = rows
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            group.addTask {
                try await client.run()
                return 0
            }
            // Warm up: open every connection and prepare the statement on it.
            try await withThrowingTaskGroup(of: Void.self) { warm in
                for _ in 0..<poolSize {
                    warm.addTask {
                        for _ in 0..<50 {
                            _ = try await client.query("SELECT id, name, amount FROM pq_bench WHERE id = \(Int64(1))")
                        }
                    }
                }
                try await warm.waitForAll()
            }
            let deadline = ContinuousClock.now + .seconds(seconds)
            let counts = try await withThrowingTaskGroup(of: Int.self) { inner in
                for worker in 0..<tasks {
                    inner.addTask {
                        var done = 0
                        var id = Int64(worker * 7919 % rowCount + 1)
                        while ContinuousClock.now < deadline {
                            let row = try await client.query(
                                "SELECT id, name, amount FROM pq_bench WHERE id = \(id)"
                            ).first((Int64, String, Int64).self)
                            precondition(row?.0 == id)
                            done += 1
                            id = id % Int64(rowCount) + 1
                        }
                        return done
                    }
                }
                return try await inner.reduce(0, +)
            }
            group.cancelAll()
            return counts
        }
        return Double(total) / Double(seconds)
    }

    func measurePgbench(url: String, clients: Int) throws -> Double? {
        let script = NSTemporaryDirectory() + "pq-bench-\(getpid()).sql"
        try """
        \\set id random(1, \(rows))
        SELECT id, name, amount FROM pq_bench WHERE id = :id;
        """.write(toFile: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: script) }
        let arguments: [String] = [
            "-n", "-M", "prepared", "-f", script, "-c", String(clients), "-j", String(min(clients, 2)),
            "-T", String(seconds), url,
        ]
        let text = try PostgresTools.locate().run("pgbench", arguments).output
        if ProcessInfo.processInfo.environment["PQ_BENCH_DEBUG"] != nil { print(text) }
        // "tps = 12345.678901 (without initial connection time)"
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("tps = ") }),
            let value = Double(line.dropFirst(6).split(separator: " ")[0])
        else { return nil }
        return value
    }
}
