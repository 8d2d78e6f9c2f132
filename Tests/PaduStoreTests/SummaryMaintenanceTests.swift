import Foundation
import PQ
import PaduCore
import PaduTestSupport
import Testing

@testable import PaduStore

/// The summary maintained from the queue of changed cells (0046) equals a full rebuild.
@Suite("The maintained summary")
struct SummaryMaintenanceTests {
    /// Every row of the summary tables, as text, sorted.
    static func snapshot(_ c: PQConnection) async throws -> [String] {
        var tables: [String] = []
        for table in ["summary_agency", "summary_cluster", "summary_location", "summary_registry"] {
            let rows = try await c.query(
                PQQuery(
                    verbatim:
                        "SELECT coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '') FROM padu.\(table) t")
            ).first(String.self)
            tables.append(table + ":\n" + (rows ?? ""))
        }
        return tables
    }

    /// Drains the queue, snapshots, rebuilds, snapshots again: the two must be equal.
    static func expectMaintainedEqualsRebuild(
        _ f: Fixture, _ round: String, sourceLocation: SourceLocation = #_sourceLocation
    )
        async throws
    {
        let drained = try await f.db.refreshSummaryIfChanged()
        #expect(drained != nil, "round \(round): the writes queued cells", sourceLocation: sourceLocation)
        #expect(try await f.db.refreshSummaryIfChanged() == nil, "the queue is empty once drained")
        let (maintained, rebuilt) = try await f.database.withAdmin { c in
            let maintained = try await Self.snapshot(c)
            _ = try await c.query("SELECT padu.refresh_summary()")
            return (maintained, try await Self.snapshot(c))
        }
        for (m, r) in zip(maintained, rebuilt) where m != r {
            let mine = Set(m.split(separator: "\n"))
            let theirs = Set(r.split(separator: "\n"))
            Issue.record(
                """
                round \(round): maintained differs from a rebuild in \(m.prefix(while: { $0 != ":" })):
                only maintained: \(mine.subtracting(theirs).sorted().prefix(5))
                only rebuilt: \(theirs.subtracting(mine).sorted().prefix(5))
                """, sourceLocation: sourceLocation)
        }
    }

    @Test("after random deliveries, reversals, realisations, budgets and registry changes, maintained equals a rebuild")
    func randomWorkload() async throws {
        let f = try await Fixture.make("sum_maintained", households: 300)
        try await f.database.withAdmin { c in
            _ = try await DemoActivity(logger: TestDatabases.logger).seed(on: c, deliveries: 3_000, programmes: 8)
        }
        _ = try await f.tx("admin") { tx in try await tx.summary.refresh() }
        #expect(try await f.db.refreshSummaryIfChanged() == nil)

        // A programme without coordination, so random deliveries need no plan.
        let programme = try await f.tx("dinkes") { tx in
            try await tx.programs.create(
                NewProgram(
                    code: "ACAK", name: "Bantuan acak", clusterID: 1, aidKind: .service, aidCategory: .other,
                    target: .person, unit: "orang")
            )
        }
        _ = try await f.tx("admin") { tx in try await tx.programs.setRequiresCoordination(programme.id, false) }
        let people = try await f.registryPersons()
        var random = SplitMix(seed: 20_191_231)
        print("summary workload seed 20191231")

        for round in 1...6 {
            // Deliveries to random registry persons and households, across two years.
            let rows = try (0..<25).map { _ in
                let person = people[Int(random.next() % UInt64(people.count))]
                let year = random.next() % 2 == 0 ? 2019 : 2020
                return DeliveryInput(
                    recipient: random.next() % 3 == 0 ? .kk(person.kk) : .nik(person.nik),
                    deliveredOn: CalendarDate(year: year, month: 1 + Int(random.next() % 12), day: 5)!,
                    quantity: 1, valueIDR: try Rupiah(Int64(random.next() % 1_000_000)))
            }
            _ = try await f.tx("dinkes") { tx in
                try await tx.deliveries.record(programID: programme.id, coordinated: false, rows)
            }
            let seed = Double(random.next() % 1000) / 1000
            try await f.database.withAdmin { c in
                try await c.query("SELECT setseed(\(seed))")
                // Reversals of random deliveries, of every agency.
                try await c.query(
                    """
                    INSERT INTO padu.delivery_reversals (delivery_id, reason)
                    SELECT id, 'acak' FROM padu.deliveries d
                     WHERE NOT EXISTS (SELECT 1 FROM padu.delivery_reversals r WHERE r.delivery_id = d.id)
                     ORDER BY random() LIMIT 15
                    """)
                // Registry imports: corrected deciles, a household that moves village, a person who
                // moves to another household, and one who leaves a household for none.
                try await c.query(
                    """
                    UPDATE padu.households SET decile = 1 + floor(random() * 10)::int
                     WHERE id IN (SELECT id FROM padu.households ORDER BY random() LIMIT 20)
                    """)
                try await c.query(
                    """
                    UPDATE padu.households h SET region_code = (SELECT region_code FROM padu.households
                                                                  WHERE region_code <> h.region_code ORDER BY random() LIMIT 1)
                     WHERE id IN (SELECT household_id FROM padu.deliveries WHERE household_id IS NOT NULL
                                   ORDER BY random() LIMIT 3)
                    """)
                try await c.query(
                    """
                    WITH moved AS (
                        UPDATE padu.household_members m SET valid_to = greatest(m.valid_from + 1, current_date)
                         WHERE (m.person_id, m.valid_from) IN (
                                SELECT m2.person_id, m2.valid_from FROM padu.household_members m2
                                  JOIN padu.deliveries d ON d.person_id = m2.person_id
                                 WHERE m2.valid_to IS NULL ORDER BY random() LIMIT 4)
                        RETURNING m.person_id, m.valid_to
                    ), numbered AS (SELECT person_id, valid_to, row_number() OVER () AS n FROM moved)
                    INSERT INTO padu.household_members (household_id, person_id, relationship, valid_from)
                    SELECT (SELECT id FROM padu.households ORDER BY random() LIMIT 1), person_id, 'other', valid_to
                      FROM numbered WHERE n > 1
                    """)
                // Deliveries without a household: a person's household forgotten at delivery time.
                try await c.query(
                    """
                    UPDATE padu.deliveries SET household_id = NULL
                     WHERE id IN (SELECT id FROM padu.deliveries WHERE person_id IS NOT NULL AND household_id IS NOT NULL
                                   ORDER BY random() LIMIT 5)
                    """)
            }
            // Budgets and realisations are read live; they must not disturb the tables.
            let uep = f.programs["UEP"]!
            _ = try await f.tx("dinsos") { tx in
                try await tx.budgets.replace(
                    programID: uep, year: try FiscalYear(2020),
                    allocations: [
                        BudgetAllocation(fundingSource: .apbn, allocatedIDR: try Rupiah(Int64(round) * 1_000_000))
                    ])
            }
            try await Self.expectMaintainedEqualsRebuild(f, "\(round)")
        }
        // A programme moved to another cluster: everything recomputed.
        try await f.database.withAdmin { c in
            try await c.query("UPDATE padu.programs SET cluster_id = 2 WHERE id = \(programme.id)")
        }
        try await Self.expectMaintainedEqualsRebuild(f, "cluster move")
    }

    @Test("a delivery is in the summary as soon as the queue is drained, a reversal leaves it at once")
    func drainShowsDelivery() async throws {
        let f = try await Fixture.shared("store_summary_drain")
        _ = try await f.tx("admin") { tx in try await tx.summary.refresh() }
        let programme = try await f.tx("dinkes") { tx in
            try await tx.programs.create(
                NewProgram(
                    code: "SEGAR", name: "Bantuan segar", clusterID: 1, aidKind: .service, aidCategory: .other,
                    target: .person, unit: "anak"
                ))
        }
        _ = try await f.tx("admin") { tx in try await tx.programs.setRequiresCoordination(programme.id, false) }
        let person = try #require(try await f.registryPersons().first)
        func dinkes() async throws -> AgencySummary? {
            try await f.tx("bupati") { tx in try await tx.summary.summary(year: try FiscalYear(2019)) }
                .byAgency.first { $0.agencyCode == "DINKES" }
        }
        let before = try #require(try await dinkes())
        _ = try await f.tx("dinkes") { tx in
            try await tx.deliveries.record(
                programID: programme.id, coordinated: false,
                [
                    DeliveryInput(
                        recipient: .nik(person.nik), deliveredOn: CalendarDate(year: 2019, month: 8, day: 1)!,
                        quantity: 1, valueIDR: try Rupiah(5_000))
                ])
        }
        #expect(try await f.db.refreshSummaryIfChanged() != nil)
        let after = try #require(try await dinkes())
        #expect(after.deliveries == before.deliveries + 1)
        let id = try #require(
            try await f.tx("dinkes") { tx in
                try await tx.deliveries.list(programID: programme.id, year: nil, after: 0, limit: 10)
            }.first?.id)
        _ = try await f.tx("dinkes") { tx in
            try await tx.deliveries.reverse(programID: programme.id, deliveryID: id, reason: "salah orang")
        }
        #expect(try await f.db.refreshSummaryIfChanged() != nil)
        #expect(try await dinkes()?.deliveries == before.deliveries)
    }
}

/// A small deterministic generator, so a failing workload can be replayed.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
