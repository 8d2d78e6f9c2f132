import PQ
import PaduCore
import PaduStore
import PaduTestSupport
import Testing

/// One fixture per label for the whole test run: a suite whose tests do not interfere shares
/// one database instead of seeding its own per test.
actor SharedFixtures {
    static let instance = SharedFixtures()
    private var fixtures: [String: Task<Fixture, any Error>] = [:]

    func fixture(_ label: String, households: Int) async throws -> Fixture {
        if let task = fixtures[label] { return try await task.value }
        let task = Task { try await Fixture.make(label, households: households) }
        fixtures[label] = task
        return try await task.value
    }
}

extension Fixture {
    /// The suite's shared fixture (see `SharedFixtures`).
    static func shared(_ label: String, households: Int = 60) async throws -> Fixture {
        try await SharedFixtures.instance.fixture(label, households: households)
    }

    /// Runs `body` in a transaction as the named account, as a request would.
    func tx<Result>(_ account: String, _ body: (PaduTransaction) async throws -> Result) async throws -> Result {
        try await db.transaction(as: caller(account), body)
    }

    /// Whether a session whose `application_name` is `name` comes to wait for a lock within 30 s:
    /// a blocked statement seen in `pg_stat_activity`, not guessed from a sleep.
    func waitsForLock(_ name: String) async throws -> Bool {
        try await database.withAdmin { c in
            for _ in 0..<600 {
                let waiting = try await c.query(
                    """
                    SELECT count(*) FROM pg_stat_activity
                     WHERE application_name = \(name) AND wait_event_type = 'Lock'
                    """
                ).first(Int.self)
                if waiting == 1 { return true }
                try await Task.sleep(for: .milliseconds(50))
            }
            return false
        }
    }

    /// Registry persons with their current household's decile and KK, in id order.
    func registryPersons(decile: ClosedRange<Int> = 1...10) async throws -> [RegistryEntry] {
        try await database.withAdmin { c in
            try await c.query(
                """
                SELECT p.nik::text, k.kk::text, h.decile::int4, p.name, p.birth_date::text, p.sex,
                       h.region_code::text
                  FROM padu.persons p
                  JOIN padu.household_members m ON m.person_id = p.id AND m.valid_to IS NULL
                  JOIN padu.households h ON h.id = m.household_id
                  JOIN padu.household_kk k ON k.household_id = h.id AND k.valid_to IS NULL
                 WHERE h.decile BETWEEN \(Int32(decile.lowerBound)) AND \(Int32(decile.upperBound))
                 ORDER BY p.id
                """
            ).decode((String, String, Int, String, String, String, String).self).map {
                RegistryEntry(
                    nik: try NIK($0.0), kk: try KK($0.1), decile: $0.2, name: $0.3, birthDate: $0.4, sex: $0.5,
                    village: $0.6)
            }
        }
    }
}

/// A registry person as the tests pick them.
struct RegistryEntry: Sendable {
    var nik: NIK
    var kk: KK
    var decile: Int
    var name: String
    var birthDate: String
    var sex: String
    var village: String
}

/// The `DatabaseError` that `body` threw, recording an issue if it threw something else or nothing.
func databaseError(
    sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void
) async -> DatabaseError? {
    await #expect(throws: DatabaseError.self, sourceLocation: sourceLocation) { try await body() }
}
