import Foundation
import Logging
import PQ

/// The 2 May 2019 meeting's story in the demo's data (`padu seed-demo`): the programmes the
/// meeting discussed reach the households it counted, through the same rules as real data. Each
/// gets one plan of the agency, approved line by line by Dinsos (Klaster 1's coordinator), one
/// delivery per line, and a realisation whose amount and output are what was delivered:
/// Baznas' house renovation reaches exactly 7 households (7 `rumah`, Rp140 juta); Kemensos
/// livestock, UEP and the staple food for poor parking attendants stay within their budgets.
/// Run after `DemoSeeder` (it needs the registry) and before `DemoActivity`, which leaves these
/// programmes alone. Running it again adds nothing.
public struct DemoStory: Sendable {
    let logger: Logger

    public init(logger: Logger) { self.logger = logger }

    /// A programme of the story: `recipients` households (or their heads, for a person
    /// programme), each planned and delivered `quantityEach` units worth `valueEach` rupiah.
    public struct Programme: Sendable {
        public var agency: String
        public var code: String
        public var year: Int
        public var recipients: Int
        public var quantityEach: Int64
        public var valueEach: Int64

        /// What the realisation says: the money and the output delivered.
        public var realizedIDR: Int64 { Int64(recipients) * valueEach }
        public var output: Int64 { Int64(recipients) * quantityEach }
    }

    public static let programmes: [Programme] = [
        // Rp140 juta of Rp140 juta: 7 houses at Rp20 juta.
        Programme(
            agency: "BAZNAS", code: "BEDAH-RUMAH", year: 2019, recipients: 7, quantityEach: 1, valueEach: 20_000_000),
        // Rp228 juta of Rp240 juta: 24 households, two goats each (48 ekor).
        Programme(
            agency: "DINSOS", code: "TERNAK-KEMENSOS", year: 2019, recipients: 24, quantityEach: 2,
            valueEach: 9_500_000),
        // Rp150 juta of Rp150 juta: 30 household businesses.
        Programme(agency: "DINSOS", code: "UEP", year: 2019, recipients: 30, quantityEach: 1, valueEach: 5_000_000),
        // Rp54 juta of Rp60 juta: 90 parking attendants, four packages each (360 paket).
        Programme(
            agency: "DINSOS", code: "SEMBAKO-JUKIR", year: 2019, recipients: 90, quantityEach: 4, valueEach: 600_000),
    ]

    /// Programme codes the synthetic activity must not touch.
    public static var codes: [String] { programmes.map(\.code) }

    /// Seeds every story programme that has no plan for its year yet. Returns the deliveries stored.
    @discardableResult
    public func seed(on connection: PQConnection) async throws -> Int {
        var stored = 0
        for programme in Self.programmes {
            stored += try await seed(programme, on: connection)
        }
        return stored
    }

    private func seed(_ story: Programme, on connection: PQConnection) async throws -> Int {
        try await connection.withTransaction { connection in
            connection.deferUntilNextQuery("SET LOCAL ROLE padu_owner")
            let found = try await connection.query(
                """
                SELECT p.id, p.agency_id, p.target, c.agency_id,
                       (SELECT b.funding_source FROM padu.budget_allocations b
                         WHERE b.program_id = p.id AND b.fiscal_year = \(Int16(story.year))
                         ORDER BY b.funding_source LIMIT 1),
                       EXISTS (SELECT 1 FROM padu.distribution_plans d
                                WHERE d.program_id = p.id AND d.fiscal_year = \(Int16(story.year)))
                  FROM padu.programs p JOIN padu.agencies a ON a.id = p.agency_id
                  LEFT JOIN padu.cluster_coordinators c ON c.cluster_id = p.cluster_id AND c.regency_code = a.regency_code
                 WHERE a.code = \(story.agency) AND p.code = \(story.code)
                """
            ).first((Int64, Int64, String, Int64?, String?, Bool).self)
            guard let (programID, agencyID, target, coordinator, source, planned) = found, let coordinator,
                let source, !planned
            else { return 0 }
            let year = Int16(story.year)
            // Recipients: poor households (decile 1-4) in a fixed pseudo-random order per
            // programme; a person programme serves each household's head.
            let recipients = try await connection.query(
                """
                SELECT k.kk::text, head.nik::text, head.id, h.id, h.decile
                  FROM padu.households h
                  JOIN padu.household_kk k ON k.household_id = h.id AND k.valid_to IS NULL
                  JOIN LATERAL (SELECT p.id, p.nik FROM padu.household_members m JOIN padu.persons p ON p.id = m.person_id
                                 WHERE m.household_id = h.id AND m.valid_to IS NULL
                                 ORDER BY m.relationship <> 'head', p.id LIMIT 1) head ON true
                 WHERE h.decile <= 4
                 ORDER BY md5(h.id::text || \(story.code)) LIMIT \(Int32(story.recipients))
                """
            ).decode((String, String, Int64, Int64, Int16).self)
            guard recipients.count == story.recipients else {
                logger.info(
                    "too few poor households for the story programme",
                    metadata: ["programme": "\(story.code)", "found": "\(recipients.count)"])
                return 0
            }
            let person = target == "person"
            try await connection.query("SELECT set_config('padu.agency_id', \(String(agencyID)), true)")
            let plan = try await connection.query(
                """
                INSERT INTO padu.distribution_plans (program_id, agency_id, fiscal_year, period)
                VALUES (\(programID), \(agencyID), \(year), \("\(story.year)-Q2")) RETURNING id
                """
            ).first(Int64.self)
            guard let plan else { return 0 }
            try await connection.query(
                """
                INSERT INTO padu.plan_lines (plan_id, program_id, fiscal_year, agency_id, line_no, nik, kk, person_id,
                                             household_id, decile, planned_quantity, planned_value_idr)
                SELECT \(plan), \(programID), \(year), \(agencyID), n - 1,
                       CASE WHEN \(person) THEN nik END, CASE WHEN NOT \(person) THEN kk END,
                       CASE WHEN \(person) THEN person_id END, household_id, decile,
                       \(story.quantityEach), \(story.valueEach)
                  FROM unnest(\(recipients.map(\.0))::text[], \(recipients.map(\.1))::text[],
                              \(recipients.map(\.2))::int8[], \(recipients.map(\.3))::int8[], \(recipients.map(\.4))::int2[])
                       WITH ORDINALITY AS r(kk, nik, person_id, household_id, decile, n)
                """)
            try await connection.query("UPDATE padu.distribution_plans SET status = 'submitted' WHERE id = \(plan)")
            // Dinsos decides, as Klaster 1's coordinator.
            try await connection.query("SELECT set_config('padu.agency_id', \(String(coordinator)), true)")
            try await connection.query("UPDATE padu.plan_lines SET status = 'approved' WHERE plan_id = \(plan)")
            try await connection.query(
                """
                UPDATE padu.distribution_plans SET status = 'approved',
                       decision_reason = 'Rapat koordinasi Klaster 1, 2 Mei 2019'
                 WHERE id = \(plan)
                """)
            try await connection.query("SELECT set_config('padu.agency_id', \(String(agencyID)), true)")
            let delivered = try await connection.query(
                """
                INSERT INTO padu.deliveries (program_id, agency_id, plan_line_id, nik, kk, person_id, household_id,
                                             delivered_on, quantity, value_idr)
                SELECT l.program_id, l.agency_id, l.id, l.nik, l.kk, l.person_id, l.household_id,
                       make_date(\(Int32(story.year)), 7 + (l.line_no % 3), 1 + (l.line_no * 3) % 28),
                       l.planned_quantity, l.planned_value_idr
                  FROM padu.plan_lines l WHERE l.plan_id = \(plan) ORDER BY l.line_no
                """
            ).affectedRows
            // The realisation is what was delivered (Baznas' was seeded with the programme).
            try await connection.query(
                """
                INSERT INTO padu.realizations (program_id, agency_id, fiscal_year, month, funding_source, amount_idr,
                                               output_quantity)
                VALUES (\(programID), \(agencyID), \(year), 12, \(source), \(story.realizedIDR), \(story.output))
                ON CONFLICT DO NOTHING
                """)
            return delivered
        }
    }
}
