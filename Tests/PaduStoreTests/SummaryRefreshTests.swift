import Foundation
import PQ
import PaduTestSupport
import Testing

@testable import PaduStore

@Suite("The summary refresh")
struct SummaryRefreshTests {
    @Test("a refresh that waited for another one reports its own rebuild, not the wait, and sees the data")
    func waitedRefresh() async throws {
        let f = try await Fixture.make("sum_wait")
        let hold = Duration.seconds(2)
        let (waiting, released) = try await f.database.withAdmin { holder in
            try await holder.withTransaction { tx in
                // Another refresher holds the lock, and rows are committed while this one waits.
                try await tx.query("SELECT 1 FROM padu.locks WHERE name = 'refresh_summary' FOR UPDATE")
                let waiting = Task {
                    try await f.database.withAdmin { c in
                        try await c.query("SELECT padu.refresh_summary()").first(Int64.self)!
                    }
                }
                try await Task.sleep(for: hold)
                return (waiting, try await tx.query("SELECT clock_timestamp()").first(Date.self)!)
            }
        }
        let milliseconds = try await waiting.value
        #expect(milliseconds >= 0)
        #expect(milliseconds < 2000, "the rebuild of a 60-household registry took \(milliseconds) ms")
        let (asOf, registryCounted) = try await f.database.withAdmin { c in
            try await c.query(
                """
                SELECT (SELECT as_of FROM padu.summary_state) >= \(released),
                       (SELECT sum(households) FROM padu.summary_registry)::int8
                         = (SELECT count(*) FROM padu.households WHERE decile IS NOT NULL)
                """
            ).first((Bool, Bool).self)!
        }
        #expect(asOf, "as_of is when the rebuild began, after the wait")
        #expect(registryCounted)
    }

    @Test("the background refresher skips while a refresh runs, instead of waiting to rebuild again")
    func refresherSkipsBusy() async throws {
        let f = try await Fixture.make("sum_busy")
        try await f.database.withAdmin { c in try await c.query("UPDATE padu.summary_state SET as_of = NULL") }
        let whileBusy = try await f.database.withAdmin { holder in
            try await holder.withTransaction { tx in
                try await tx.query("SELECT 1 FROM padu.locks WHERE name = 'refresh_summary' FOR UPDATE")
                return try await f.database.withAdmin { c in
                    // Waiting would block on the lock held above: fail in seconds, not hang.
                    try await c.query("SET statement_timeout = '5s'")
                    return try await SummaryStore(connection: c).refreshIfChanged()
                }
            }
        }
        #expect(whileBusy == nil)
        let afterwards = try await f.database.withAdmin { c in try await SummaryStore(connection: c).refreshIfChanged()
        }
        #expect(afterwards != nil)
    }
}
