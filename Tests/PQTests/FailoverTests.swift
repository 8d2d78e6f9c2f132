import Foundation
import PQ
import Testing

@Suite("Failover to a promoted standby")
struct FailoverTests {
    @Test("over a multi-host URL with target_session_attrs=read-write, the pool reaches the promoted standby")
    func reconnectsToNewPrimary() async throws {
        // Clusters of its own: the primary is killed.
        let primary = try PQLocalCluster.startTemporary(name: "pq-failover")
        let standby = try PQLocalCluster.startTemporaryStandby(of: primary)
        defer {
            try? standby.destroy()
            try? primary.destroy()
        }
        let url = PQLocalCluster.multiHostURL([primary, standby])
        try await TestServer.withClient(try TestServer.configuration(url: url, maximum: 4)) { client in
            #expect(try await client.query("SELECT current_setting('port')::int").first(Int.self) == primary.port)
            try await client.query("CREATE TABLE failover_marks (n int PRIMARY KEY)")
            try await client.query("INSERT INTO failover_marks VALUES (1)")
            // Asynchronous replication here (Patroni's synchronous mode is the drill's business),
            // and synchronous_commit = off on test clusters: wait until the standby has replayed
            // everything inserted into the WAL so far (the write position may lag the commit).
            let lsn = try await client.query("SELECT pg_current_wal_insert_lsn()::text").first(String.self) ?? ""
            // A record that ends beyond it (at a page boundary the insert position is past the
            // next page's header, which replay alone never reaches).
            try await client.query("SELECT txid_current()")
            try await TestServer.withClient(try TestServer.configuration(url: standby.url(), maximum: 1)) { replica in
                for _ in 0..<300 {
                    let replayed = try await replica.query("SELECT pg_last_wal_replay_lsn() >= \(lsn)::pg_lsn").first(
                        Bool.self)
                    if replayed == true { return }
                    try await Task.sleep(for: .milliseconds(50))
                }
                Issue.record("the standby did not replay \(lsn)")
            }

            // The primary crashes (immediate shutdown: no checkpoint, sessions cut); the standby
            // is promoted, as Patroni would.
            try primary.stop(immediate: true)
            let outage = ContinuousClock.now
            let failed = await #expect(throws: PQError.self) {
                try await client.query("INSERT INTO failover_marks VALUES (2)")
            }
            #expect(failed?.isConnectionError == true, "\(String(describing: failed))")
            try standby.promote()

            var port: Int?
            while ContinuousClock.now - outage < .seconds(15) {
                do {
                    port = try await client.query("SELECT current_setting('port')::int").first(Int.self)
                    try await client.query("INSERT INTO failover_marks VALUES (3)")
                    break
                } catch let error as PQError {
                    #expect(error.isConnectionError, "unexpected \(error)")
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            #expect(port == standby.port)
            // The commit acknowledged before the crash is there; the one refused is not.
            #expect(
                try await client.query("SELECT array_agg(n ORDER BY n)::text FROM failover_marks").first(String.self)
                    == "{1,3}")
        }
    }
}
