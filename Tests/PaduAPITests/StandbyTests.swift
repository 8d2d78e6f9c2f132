import Foundation
import Hummingbird
import Logging
import PQ
import PaduAPI
import PaduStore
import PaduTestSupport
import Testing

/// Read scaling: a streaming standby (`pg_basebackup -R` of a real primary, the code
/// `padu db start --standby` uses) serves the summary, regions and dashboard, and analysts.
@Suite("Streaming standby for reads", .serialized)
struct StandbyTests {
    static let password = "standby-test-password"
    static let analystPassword = "a long analyst passphrase"

    /// A primary of its own (the standby replicates a whole cluster), migrated and seeded,
    /// with accounts, an analyst and a refreshed summary; its standby, caught up.
    struct Pair {
        let primary: PQLocalCluster
        let standby: PQLocalCluster
        let analyst: String

        func primaryURL(_ user: String = PQLocalCluster.superuser) -> String {
            primary.url(user: user, database: "padu")
        }

        /// Waits until the standby has replayed everything the primary wrote so far.
        func waitForReplay() async throws {
            let target = try await withAdminConnection(
                PQConnectionConfiguration(primaryURL()), logger: StandbyTests.logger
            ) { connection in
                let target =
                    try await connection.query("SELECT pg_current_wal_insert_lsn()::text").first(String.self) ?? ""
                // A commit record after the target, so that a record ends beyond it: when the
                // last one ended on a page boundary (a WAL switch after pg_basebackup), the insert
                // position is past the next page's header, which replay alone never reaches.
                try await connection.query("SELECT txid_current()")
                return target
            }
            let standbyURL = standby.url(database: "padu")
            for _ in 0..<300 {
                let caughtUp = try await withAdminConnection(
                    PQConnectionConfiguration(standbyURL), logger: StandbyTests.logger
                ) {
                    try await $0.query(
                        "SELECT pg_last_wal_replay_lsn() >= \(target)::pg_lsn"
                    ).first(Bool.self) ?? false
                }
                if caughtUp { return }
                try await Task.sleep(for: .milliseconds(50))
            }
            throw TestFailure("the standby did not replay \(target) within 15 s")
        }
    }

    static let logger: Logger = {
        var logger = Logger(label: "padu-standby-test")
        logger.logLevel = .critical
        return logger
    }()

    static func makePair() async throws -> Pair {
        let primary = try PQLocalCluster.startTemporary(name: "padu-primary")
        try await DatabaseLocation.createDatabase("padu", serverURL: primary.url(), logger: logger)
        let client = PQClient(
            configuration: PQClientConfiguration(
                connection: PQConnectionConfiguration(primary.url(database: "padu")), maximumConnections: 1),
            logger: logger)
        defer { client.close() }
        try await Migrator(client: client, logger: logger).migrate()
        let hash = try await PasswordHasher(cost: 4).hash(password)
        let analyst = "bps_\(UInt16.random(in: 1000...9999))"
        try await client.withConnection { connection in
            _ = try await DemoSeeder(logger: logger).seed(on: connection, households: 300)
            _ = try await DemoActivity(logger: logger).seed(on: connection, deliveries: 1_500, programmes: 10)
            for (name, role, agency) in [("bupati", "executive", nil), ("baznas", "agency", "BAZNAS")]
                as [(String, String, String?)]
            {
                try await AccountAdmin.createAccount(
                    on: connection, username: name, passwordHash: hash, role: role, agencyCode: agency, scope: "16.06")
            }
            try await AccountAdmin.createAnalyst(on: connection, name: analyst, password: analystPassword)
            try await connection.query("SELECT padu.refresh_summary()")
        }
        let standby = try PQLocalCluster.startTemporaryStandby(of: primary)
        let pair = Pair(primary: primary, standby: standby, analyst: analyst)
        try await pair.waitForReplay()
        return pair
    }

    /// `padu serve` over the pair: writes to the primary, aggregates from the standby.
    static func serve(_ pair: Pair) async throws -> (port: Int, task: Task<Void, any Error>) {
        var configuration = APIConfiguration()
        configuration.bcryptCost = 4
        let location = DatabaseLocation(
            kind: .external(url: pair.primaryURL()), readURLs: [pair.standby.url(database: "padu")])
        let database = PaduDatabase(
            connection: location.apiConnection, readConnections: location.readConnections, maximumConnections: 4,
            logger: logger)
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        let app = try PaduServer.makeApplication(
            listen: .tcp(host: "127.0.0.1", port: 0), database: database, configuration: configuration,
            logger: logger,
            onServerRunning: { port in
                continuation.yield(port ?? 0)
                continuation.finish()
            })
        let task = Task { try await app.run() }
        var port = 0
        for await value in stream { port = value }
        return (port, task)
    }

    static func login(_ port: Int, _ username: String) async throws -> String {
        let body = Array(try JSONSerialization.data(withJSONObject: ["username": username, "password": password]))
        let result = try await HTTPClient.request(
            port: port, "POST", "/api/v1/auth/login", headers: [("Content-Type", "application/json")], body: body)
        guard result.status == 200, let token = try? result.decode(LoginResponse.self).token else {
            throw TestFailure("login of \(username): \(result.status) \(result.text)")
        }
        return token
    }

    @Test("the standby serves the summary, regions and dashboard, even with the primary stopped")
    func standbyServesAggregates() async throws {
        let pair = try await Self.makePair()
        let (port, task) = try await Self.serve(pair)
        defer { task.cancel() }

        // A token the standby may not have replayed yet still works: the primary vouches for it.
        let fresh = try await Self.login(port, "bupati")
        let first = try await HTTPClient.request(
            port: port, "GET", "/api/v1/summary?year=2019", headers: [("Authorization", "Bearer \(fresh)")])
        #expect(first.status == 200, "\(first.text)")

        let bupati = try await Self.login(port, "bupati")
        let baznas = try await Self.login(port, "baznas")
        try await pair.waitForReplay()
        let before = try await HTTPClient.request(
            port: port, "GET", "/api/v1/summary?year=2019", headers: [("Authorization", "Bearer \(bupati)")])
        #expect(before.status == 200)

        // With the primary down only the standby can answer.
        try pair.primary.stop()
        let auth = [("Authorization", "Bearer \(bupati)")]
        let summary = try await HTTPClient.request(port: port, "GET", "/api/v1/summary?year=2019", headers: auth)
        #expect(summary.status == 200, "\(summary.text)")
        let totals = try summary.decode(Summary.self).totals
        #expect(totals == (try before.decode(Summary.self).totals))
        #expect(totals.deliveries > 0)
        let regions = try await HTTPClient.request(
            port: port, "GET", "/api/v1/summary/regions?year=2019&level=village", headers: auth)
        #expect(regions.status == 200, "\(regions.text)")
        #expect(!(try regions.decode(RegionsSummary.self).items.isEmpty))
        let csv = try await HTTPClient.request(
            port: port, "GET", "/api/v1/summary?year=2019", headers: auth + [("Accept", "text/csv")])
        #expect(csv.status == 200)
        #expect(csv.header("Content-Type")?.hasPrefix("text/csv") == true)
        let page = try await HTTPClient.request(
            port: port, "GET", "/?year=2019", headers: [("Cookie", "padu_session=\(bupati)")])
        #expect(page.status == 200)
        #expect(page.text.contains("<svg"))

        // Writes and the agencies' own lists stay on the primary: unavailable now.
        let write = try await HTTPClient.request(
            port: port, "POST", "/api/v1/programs",
            headers: [("Authorization", "Bearer \(baznas)"), ("Content-Type", "application/json")],
            body: Array(
                #"{"code":"SB-1","name":"Uji","cluster_id":1,"aid_kind":"service","aid_category":"health","target":"household","unit":"kunjungan"}"#
                    .utf8))
        #expect(write.status == 503)
        #expect(write.header("Retry-After") != nil)
        let list = try await HTTPClient.request(
            port: port, "GET", "/api/v1/programs", headers: [("Authorization", "Bearer \(baznas)")])
        #expect(list.status == 503)
    }

    @Test("an analyst reads the analytics schema on the standby and cannot write there")
    func analystOnStandby() async throws {
        let pair = try await Self.makePair()
        let url =
            "postgresql://\(pair.analyst):\(Self.analystPassword.replacingOccurrences(of: " ", with: "%20"))@127.0.0.1:\(pair.standby.port!)/padu"
        let client = PQClient(
            configuration: PQClientConfiguration(connection: PQConnectionConfiguration(url), maximumConnections: 1),
            logger: Self.logger)
        defer { client.close() }
        let (inRecovery, persons, deliveries) = try await client.withConnection { c in
            (
                try await c.query("SELECT pg_is_in_recovery()").first(Bool.self),
                try await c.query("SELECT count(*) FROM analytics.persons").first(Int.self),
                try await c.query("SELECT count(*) FROM analytics.deliveries").first(Int.self)
            )
        }
        #expect(inRecovery == true)
        #expect((persons ?? 0) > 0)
        #expect((deliveries ?? 0) > 0)
        // Still only analytics, and read-only even when the session asks otherwise: it is a standby.
        let denied = await #expect(throws: PQError.self) { try await client.query("SELECT nik FROM padu.persons") }
        #expect(denied?.sqlState == PQError.SQLState.insufficientPrivilege)
        let write = await #expect(throws: PQError.self) {
            try await client.withConnection { c in
                try await c.query("SET default_transaction_read_only = off")
                try await c.query("CREATE TEMP TABLE scratch (i int)")
            }
        }
        #expect(write?.sqlState == PQError.SQLState.readOnlyTransaction)
    }
}
