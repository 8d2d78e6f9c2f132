import Foundation
import Logging
import PQ
import PaduCore

/// `padu seed-demo`: Musi Banyuasin's agencies and Klaster 1, the programmes and figures of
/// the 2 May 2019 coordination meeting, and a synthetic registry in Muba's real villages.
public struct DemoSeeder: Sendable {
    public static let regency = "16.06"
    let logger: Logger

    public init(logger: Logger) { self.logger = logger }

    public struct Report: Sendable {
        public var agencies: Int
        public var programs: Int
        public var households: Int
        public var persons: Int
        public var registrySeconds: Double
    }

    /// Seeds on a connection of the migrating user. The registry is generated only into an
    /// empty registry, so running this twice adds nothing.
    /// `regencies` above 1 spreads the registry over Muba and the next regencies of South
    /// Sumatra by code (a province's registry); each of those regencies gets its own agencies
    /// (Muba's list, codes suffixed with the regency: `DINSOS-1607`), its own Klaster 1 and its
    /// own coordinator (its Dinsos). The programmes and the meeting's story stay Muba's.
    public func seed(on connection: PQConnection, households: Int, seed: UInt64 = 2019, regencies: Int = 1)
        async throws -> Report
    {
        let agencies = try await seedReference(connection, regencies: regencies)
        let programs = try await seedProgrammes(connection)
        let existing = try await connection.query("SELECT count(*) FROM padu.households").first(Int.self) ?? 0
        guard existing == 0, households > 0 else {
            if existing > 0 { logger.info("the registry already has households; not adding synthetic ones") }
            return Report(agencies: agencies, programs: programs, households: 0, persons: 0, registrySeconds: 0)
        }
        let clock = ContinuousClock()
        var persons = 0
        let elapsed = try await clock.measure {
            persons = try await seedRegistry(connection, households: households, seed: seed, regencies: regencies)
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Report(
            agencies: agencies, programs: programs, households: households, persons: persons, registrySeconds: seconds)
    }

    // MARK: reference

    private func seedReference(_ connection: PQConnection, regencies: Int) async throws -> Int {
        let csv = try PaduResources.file("data/opd-muba.csv")
        var codes: [String] = []
        var names: [String] = []
        var shorts: [String] = []
        var kinds: [String] = []
        var roles: [String] = []
        for line in csv.split(separator: "\n").dropFirst() where !line.isEmpty {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 5 else { throw StoreError.invalidArgument("bad line in opd-muba.csv: \(line)") }
            codes.append(fields[0])
            names.append(fields[1])
            shorts.append(fields[2])
            kinds.append(fields[3])
            roles.append(fields[4])
        }
        let quarters = (2018...2019).flatMap { year in (1...4).map { "\(year)-Q\($0)" } }
        try await connection.withTransaction { connection in
            connection.deferUntilNextQuery("SET LOCAL ROLE padu_owner")
            try await connection.pipeline([
                """
                INSERT INTO padu.agencies (code, name, short_name, kind, region_code)
                SELECT code, name, short_name, kind, \(Self.regency)
                  FROM unnest(\(codes)::text[], \(names)::text[], \(shorts)::text[], \(kinds)::text[])
                       AS a(code, name, short_name, kind)
                ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, short_name = EXCLUDED.short_name,
                    kind = EXCLUDED.kind
                """,
                """
                INSERT INTO padu.cluster_members (cluster_id, agency_id, role)
                SELECT 1, a.id, r.role FROM unnest(\(codes)::text[], \(roles)::text[]) AS r(code, role)
                  JOIN padu.agencies a ON a.code = r.code
                ON CONFLICT (cluster_id, agency_id) DO UPDATE SET role = EXCLUDED.role
                """,
                "UPDATE padu.clusters SET coordinator_agency_id = (SELECT id FROM padu.agencies WHERE code = 'DINSOS') WHERE id = 1",
                // Every other regency of the seed: the same agencies, its own cluster and coordinator.
                """
                WITH extra AS (
                    SELECT r.code, g.name, replace(r.code, '.', '') AS suffix
                      FROM (SELECT code FROM padu.regions
                             WHERE level = 2 AND starts_with(code, '16.')
                             ORDER BY code <> \(Self.regency), code LIMIT \(max(1, regencies))) r
                      JOIN padu.regions g ON g.code = r.code
                     WHERE r.code <> \(Self.regency)
                ), agencies AS (
                    INSERT INTO padu.agencies (code, name, short_name, kind, region_code)
                    SELECT a.code || '-' || e.suffix,
                           replace(replace(a.name, 'Kabupaten Musi Banyuasin', e.name), 'Sekayu', e.name),
                           replace(a.short_name, 'Sekayu', e.name), a.kind, e.code
                      FROM unnest(\(codes)::text[], \(names)::text[], \(shorts)::text[], \(kinds)::text[])
                           AS a(code, name, short_name, kind)
                     CROSS JOIN extra e
                    ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, short_name = EXCLUDED.short_name
                    RETURNING id, code
                ), members AS (
                    INSERT INTO padu.cluster_members (cluster_id, agency_id, role)
                    SELECT 1, n.id, r.role
                      FROM unnest(\(codes)::text[], \(roles)::text[]) AS r(code, role)
                      CROSS JOIN extra e JOIN agencies n ON n.code = r.code || '-' || e.suffix
                    ON CONFLICT (cluster_id, agency_id) DO UPDATE SET role = EXCLUDED.role
                )
                INSERT INTO padu.cluster_coordinators (cluster_id, regency_code, agency_id)
                SELECT 1, e.code, n.id FROM extra e JOIN agencies n ON n.code = 'DINSOS-' || e.suffix
                ON CONFLICT (cluster_id, regency_code) DO NOTHING
                """,
                """
                INSERT INTO padu.reporting_periods (period, status, closed_at)
                SELECT p, CASE WHEN p < '2019' THEN 'closed' ELSE 'open' END,
                       CASE WHEN p < '2019' THEN now() END
                  FROM unnest(\(quarters)::text[]) AS p ON CONFLICT DO NOTHING
                """,
            ])
        }
        return codes.count
    }

    /// The programmes named at the meeting, with their 2018 and 2019 figures.
    struct DemoProgramme {
        var agency, code, name, aidKind, target, unit: String
        var aidCategory: String
        var requiresCoordination = true
        var budgets: [(year: Int, source: String, allocated: Int64, realized: Int64, output: Int64)]
    }

    static let programmes: [DemoProgramme] = [
        DemoProgramme(
            agency: "DINSOS", code: "BSTBK", name: "Program Bantuan Sosial Terpadu Berbasis Keluarga",
            aidKind: "in_kind",
            target: "household", unit: "paket", aidCategory: "social_service",
            budgets: [(2018, "APBD_KAB", 350_000_000, 332_000_000, 1_200), (2019, "APBD_KAB", 375_000_000, 0, 0)]),
        DemoProgramme(
            agency: "DINSOS", code: "TERNAK-KEMENSOS", name: "Bantuan Ternak untuk Kelompok Miskin (Kemensos)",
            aidKind: "in_kind", target: "household", unit: "ekor", aidCategory: "livestock",
            budgets: [(2019, "APBN", 240_000_000, 0, 0)]),
        DemoProgramme(
            agency: "DINSOS", code: "UEP", name: "Bantuan Usaha Ekonomi Produktif (UEP)", aidKind: "cash",
            target: "household", unit: "paket usaha", aidCategory: "business",
            budgets: [(2019, "APBN", 150_000_000, 0, 0)]),
        DemoProgramme(
            agency: "DINSOS", code: "SEMBAKO-JUKIR", name: "Paket Sembako bagi Juru Parkir Miskin", aidKind: "in_kind",
            target: "person", unit: "paket", aidCategory: "food",
            budgets: [(2019, "APBD_KAB", 60_000_000, 0, 0)]),
        DemoProgramme(
            agency: "BAZNAS", code: "BEDAH-RUMAH", name: "Bedah Rumah Tidak Layak Huni (Rutilahu)", aidKind: "in_kind",
            target: "household", unit: "rumah", aidCategory: "housing",
            budgets: [(2019, "BAZNAS", 140_000_000, 140_000_000, 7)]),
        DemoProgramme(
            agency: "BPJS", code: "PBI-JK", name: "Pendaftaran Penerima Bantuan Iuran Jaminan Kesehatan",
            aidKind: "insurance", target: "person", unit: "jiwa", aidCategory: "insurance", requiresCoordination: false,
            budgets: [(2019, "APBD_KAB", 500_000_000, 0, 0)]),
        DemoProgramme(
            agency: "DINKES", code: "PMT-BALITA", name: "Pemberian Makanan Tambahan Balita Gizi Kurang",
            aidKind: "in_kind", target: "person", unit: "paket", aidCategory: "health",
            budgets: [(2019, "APBD_KAB", 90_000_000, 0, 0)]),
    ]

    private func seedProgrammes(_ connection: PQConnection) async throws -> Int {
        try await connection.withTransaction { connection in
            connection.deferUntilNextQuery("SET LOCAL ROLE padu_owner")
            for programme in Self.programmes {
                let id = try await connection.query(
                    """
                    INSERT INTO padu.programs (agency_id, code, name, cluster_id, aid_kind, aid_category, target, unit,
                                               requires_coordination)
                    SELECT id, \(programme.code), \(programme.name), 1, \(programme.aidKind), \(programme.aidCategory),
                           \(programme.target), \(programme.unit), \(programme.requiresCoordination)
                      FROM padu.agencies WHERE code = \(programme.agency)
                    ON CONFLICT (agency_id, code) DO UPDATE SET name = EXCLUDED.name, aid_category = EXCLUDED.aid_category
                    RETURNING id, agency_id
                    """
                ).first((Int64, Int64).self)
                guard let (programID, agencyID) = id else { continue }
                for budget in programme.budgets {
                    try await connection.query(
                        """
                        INSERT INTO padu.budget_allocations (program_id, agency_id, fiscal_year, funding_source, allocated_idr)
                        VALUES (\(programID), \(agencyID), \(Int16(budget.year)), \(budget.source), \(budget.allocated))
                        ON CONFLICT DO NOTHING
                        """)
                    if budget.realized > 0 {
                        try await connection.query(
                            """
                            INSERT INTO padu.realizations (program_id, agency_id, fiscal_year, month, funding_source,
                                                           amount_idr, output_quantity)
                            VALUES (\(programID), \(agencyID), \(Int16(budget.year)), 12, \(budget.source),
                                    \(budget.realized), \(budget.output))
                            ON CONFLICT DO NOTHING
                            """)
                    }
                }
            }
            return Self.programmes.count
        }
    }

    // MARK: registry

    static let registryTables =
        "ARRAY['padu.households', 'padu.household_kk', 'padu.persons', 'padu.household_members', "
        + "'padu.registry_entries']::regclass[]"

    /// The registry tables' secondary indexes, unique keys no foreign key relies on, and
    /// foreign keys, with the statements that drop and recreate each (indexes, then keys, then
    /// foreign keys).
    static let saveRegistryKeys = PQQuery(
        verbatim: """
            CREATE TEMP TABLE deferred_keys ON COMMIT DROP AS
            SELECT 0 AS step, pg_get_indexdef(i.indexrelid) AS create_sql,
                   format('DROP INDEX %s', i.indexrelid::regclass) AS drop_sql
              FROM pg_index i
             WHERE i.indrelid = ANY (\(registryTables)) AND NOT i.indisprimary
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)
            UNION ALL
            SELECT CASE c.contype WHEN 'u' THEN 1 ELSE 2 END,
                   format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid)),
                   format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname)
              FROM pg_constraint c
             WHERE c.conrelid = ANY (\(registryTables)) AND c.contype IN ('u', 'f')
               AND NOT (c.contype = 'u' AND EXISTS (
                       SELECT 1 FROM pg_constraint r WHERE r.contype = 'f' AND r.conindid = c.conindid))
            """)

    /// Runs the saved drop or create statements, in order (drops in reverse).
    static func runDeferredKeys(column: String) -> PQQuery {
        let order = column == "drop_sql" ? "step DESC" : "step"
        return PQQuery(
            verbatim: """
                DO $$
                DECLARE
                    statement text;
                BEGIN
                    FOR statement IN SELECT \(column) FROM deferred_keys ORDER BY \(order) LOOP
                        EXECUTE statement;
                    END LOOP;
                END
                $$
                """)
    }

    private func seedRegistry(_ connection: PQConnection, households count: Int, seed: UInt64, regencies: Int)
        async throws -> Int
    {
        let villages = try await connection.query(
            """
            WITH chosen AS (
                SELECT code FROM padu.regions
                 WHERE level = 2 AND starts_with(code, '16.')
                 ORDER BY code <> \(Self.regency), code LIMIT \(max(1, regencies)))
            SELECT v.code FROM padu.regions v JOIN chosen c ON starts_with(v.code, c.code || '.')
             WHERE v.level = 4 ORDER BY v.code
            """
        ).decode(String.self)
        var generator = SyntheticRegistry(villages: villages, seed: seed)
        logger.info("generating the synthetic registry", metadata: ["households": "\(count)"])
        var households: [SyntheticRegistry.Household] = []
        households.reserveCapacity(count)
        for _ in 0..<count { households.append(generator.household()) }
        let personCount = households.reduce(0) { $0 + $1.members.count }
        return try await connection.withTransaction { connection in
            try await connection.execute(
                script: """
                    SET LOCAL ROLE padu_owner;
                    -- As in the registry import (not measured apart for the seed).
                    SET LOCAL jit = off;
                    -- The foreign keys' validating anti-joins stay in memory.
                    SET LOCAL work_mem = '256MB';
                    -- The registry's indexes and keys are built after the load (below).
                    SET LOCAL maintenance_work_mem = '512MB';
                    """)
            // Ids for the whole load, reserved at once: the rows go straight into their tables
            // by COPY (which writes identity columns as given), with no staging table to join.
            let firstHousehold = try await Self.reserveIDs("padu.households", count, on: connection)
            let firstPerson = try await Self.reserveIDs("padu.persons", personCount, on: connection)
            // Secondary indexes, unique keys and foreign keys of the registry tables are
            // dropped for the load and rebuilt from their own definitions after it: sorted
            // builds and one anti-join per key instead of a million index insertions and
            // per-row foreign-key triggers. Rebuilding validates every row, in this
            // transaction: the constraints hold when the load commits.
            try await connection.pipeline([Self.saveRegistryKeys, Self.runDeferredKeys(column: "drop_sql")])
            // Households carry their registry entry's decile from the start, so the entry
            // trigger's update of every household finds nothing to change.
            try await connection.copyFrom(
                "COPY padu.households (id, region_code, address, decile, registry_source, registry_as_of) FROM STDIN"
            ) { writer in
                for (index, household) in households.enumerated() {
                    try await writer.writeRow([
                        String(firstHousehold + index), household.village, household.address,
                        String(household.decile), "DTKS", "2019-01-31",
                    ])
                }
            }
            try await connection.copyFrom("COPY padu.household_kk (household_id, kk, valid_from) FROM STDIN") {
                writer in
                for (index, household) in households.enumerated() {
                    try await writer.writeRow([
                        String(firstHousehold + index), household.kk, household.kkIssued.description,
                    ])
                }
            }
            try await connection.copyFrom(
                "COPY padu.persons (id, nik, name, birth_date, sex, region_code) FROM STDIN"
            ) { writer in
                var id = firstPerson
                for household in households {
                    for member in household.members {
                        try await writer.writeRow([
                            String(id), member.nik, member.name, member.birthDate.description, member.sex.rawValue,
                            household.village,
                        ])
                        id += 1
                    }
                }
            }
            try await connection.copyFrom(
                "COPY padu.household_members (household_id, person_id, relationship, valid_from) FROM STDIN"
            ) { writer in
                var id = firstPerson
                for (index, household) in households.enumerated() {
                    let householdID = String(firstHousehold + index)
                    let from = household.kkIssued.description
                    for member in household.members {
                        try await writer.writeRow([householdID, String(id), member.relationship, from])
                        id += 1
                    }
                }
            }
            try await connection.copyFrom(
                "COPY padu.registry_entries (household_id, source, as_of, decile) FROM STDIN"
            ) { writer in
                for (index, household) in households.enumerated() {
                    try await writer.writeRow([
                        String(firstHousehold + index), "DTKS", "2019-01-31", String(household.decile),
                    ])
                }
            }
            try await connection.pipeline([
                Self.runDeferredKeys(column: "create_sql"),
                "ANALYZE padu.households, padu.household_kk, padu.persons, padu.household_members, padu.registry_entries",
            ])
            return personCount
        }
    }

    /// Reserves `count` consecutive ids of a table's identity sequence; returns the first.
    static func reserveIDs(_ table: String, _ count: Int, on connection: PQConnection) async throws -> Int {
        let first =
            try await connection.query("SELECT nextval(pg_get_serial_sequence(\(table), 'id'))").first(Int.self) ?? 1
        if count > 1 {
            _ = try await connection.query(
                "SELECT setval(pg_get_serial_sequence(\(table), 'id'), \(first + count - 1))")
        }
        return first
    }
}
