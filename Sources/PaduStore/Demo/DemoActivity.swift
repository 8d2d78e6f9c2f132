import Foundation
import Logging
import PQ

/// Synthetic programme activity for the demo and the benchmarks: more Klaster 1 programmes,
/// each with a plan approved by Dinsos and deliveries to registry households that lean poor,
/// plus their budgets and realisation. Everything goes through the same rules as real data
/// (plan transitions, the delivery trigger), run as the owner with the right request context.
public struct DemoActivity: Sendable {
    let logger: Logger

    public init(logger: Logger) { self.logger = logger }

    /// Where a bulk load's time went, step by step (all programmes together): wall seconds,
    /// and the CPU seconds of the PostgreSQL backend that ran it when it runs on this machine
    /// (read from `/proc`; nil elsewhere), which a shared machine changes far less.
    public struct Timings: Sendable {
        public struct Step: Sendable {
            public var wall: Double = 0
            public var backendCPU: Double? = 0
            public init() {}
        }
        /// Plans drafted: the plan, its lines and the submission.
        public var plans = Step()
        /// The coordinator's approval of the lines and the plan.
        public var approvals = Step()
        /// The deliveries' INSERT statements alone.
        public var deliveries = Step()
        public init() {}
    }

    /// Runs `body`, adding its wall time and the backend's CPU time to `step`.
    private func timed<Result>(
        _ step: inout Timings.Step, backend: Int32?, _ body: () async throws -> Result
    ) async throws -> Result {
        let cpu0 = Self.cpuSeconds(backend)
        let start = ContinuousClock.now
        let result = try await body()
        let elapsed = ContinuousClock.now - start
        step.wall += Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        if let before = cpu0, let after = Self.cpuSeconds(backend), let sum = step.backendCPU {
            step.backendCPU = sum + after - before
        } else {
            step.backendCPU = nil
        }
        return result
    }

    /// User and system CPU seconds of process `pid` (fields 14 and 15 of `/proc/<pid>/stat`).
    static func cpuSeconds(_ pid: Int32?) -> Double? {
        guard let pid, let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // After the command name: state is field 3, utime 14, stime 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return ticks > 0 ? (user + system) / ticks : nil
    }

    static let extraProgrammes:
        [(agency: String, code: String, name: String, kind: String, target: String, unit: String, category: String)] = [
            (
                "DINKES", "LANSIA-SEHAT", "Pemeriksaan Kesehatan Lansia Miskin", "service", "person", "kunjungan",
                "health"
            ),
            (
                "DINKES", "IBU-HAMIL", "Pendampingan Ibu Hamil Keluarga Miskin", "service", "person", "kunjungan",
                "health"
            ),
            ("DISDIKBUD", "BEASISWA", "Beasiswa Siswa dari Keluarga Miskin", "cash", "person", "siswa", "education"),
            (
                "DISDIKBUD", "SERAGAM", "Bantuan Seragam dan Perlengkapan Sekolah", "in_kind", "person", "paket",
                "education"
            ),
            ("DISPERKIM", "RTLH", "Rehabilitasi Rumah Tidak Layak Huni", "in_kind", "household", "rumah", "housing"),
            ("DISPERKIM", "JAMBAN", "Jamban Sehat Keluarga", "in_kind", "household", "unit", "housing"),
            (
                "DPPPA", "PEKKA", "Pemberdayaan Perempuan Kepala Keluarga", "service", "person", "orang",
                "social_service"
            ),
            (
                "RSUD-SEKAYU", "BEROBAT-GRATIS", "Layanan Rawat Inap Gratis Warga Miskin", "service", "person",
                "pasien", "health"
            ),
            ("TP-PKK", "PEKARANGAN", "Pemanfaatan Pekarangan Pangan Lestari", "in_kind", "household", "paket", "food"),
            ("BAG-KESRA", "SEMBAKO-LANSIA", "Bantuan Sembako Lansia Terlantar", "in_kind", "person", "paket", "food"),
            ("BAZNAS", "ZAKAT-PRODUKTIF", "Zakat Produktif Usaha Mikro", "cash", "household", "paket", "business"),
            ("DINSOS", "RASTRADA", "Beras Sejahtera Daerah (Rastrada)", "in_kind", "household", "karung", "food"),
            (
                "BPS", "PENDATAAN", "Verifikasi Lapangan Data Keluarga Miskin", "service", "household", "keluarga",
                "other"
            ),
        ]

    /// Adds programmes up to `programmes`, then `deliveries` deliveries in `year` spread over
    /// them (each recipient gets one to three), leaving the story's programmes (`DemoStory`) to
    /// their own figures. Returns the number of deliveries stored.
    @discardableResult
    public func seed(on connection: PQConnection, deliveries: Int, programmes: Int = 20, year: Int = 2019) async throws
        -> Int
    {
        try await seedTimed(on: connection, deliveries: deliveries, programmes: programmes, year: year).stored
    }

    /// `seed`, with where the time went.
    public func seedTimed(on connection: PQConnection, deliveries: Int, programmes: Int = 20, year: Int = 2019)
        async throws -> (stored: Int, timings: Timings)
    {
        var timings = Timings()
        let wanted = max(0, programmes - DemoSeeder.programmes.count)
        let extra = Array(Self.extraProgrammes.prefix(wanted))
        try await connection.withTransaction { connection in
            connection.deferUntilNextQuery("SET LOCAL ROLE padu_owner")
            try await connection.query(
                """
                INSERT INTO padu.programs (agency_id, code, name, cluster_id, aid_kind, target, unit, aid_category)
                SELECT a.id, x.code, x.name, 1, x.kind, x.target, x.unit, x.category
                  FROM unnest(\(extra.map(\.agency))::text[], \(extra.map(\.code))::text[], \(extra.map(\.name))::text[],
                              \(extra.map(\.kind))::text[], \(extra.map(\.target))::text[], \(extra.map(\.unit))::text[],
                              \(extra.map(\.category))::text[])
                       AS x(agency, code, name, kind, target, unit, category)
                  JOIN padu.agencies a ON a.code = x.agency
                ON CONFLICT (agency_id, code) DO NOTHING
                """)
            // A budget for every programme without one this year, and realisation of most of it.
            try await connection.query(
                """
                INSERT INTO padu.budget_allocations (program_id, agency_id, fiscal_year, funding_source, allocated_idr)
                SELECT p.id, p.agency_id, \(Int16(year)), 'APBD_KAB', (50 + (p.id * 37) % 400) * 1000000::bigint
                  FROM padu.programs p
                 WHERE NOT EXISTS (SELECT 1 FROM padu.budget_allocations b WHERE b.program_id = p.id AND b.fiscal_year = \(Int16(year)))
                """)
            try await connection.query(
                """
                INSERT INTO padu.realizations (program_id, agency_id, fiscal_year, month, funding_source, amount_idr)
                SELECT b.program_id, b.agency_id, b.fiscal_year, 12, b.funding_source,
                       b.allocated_idr * (55 + (b.program_id * 13) % 44) / 100
                  FROM padu.budget_allocations b
                 WHERE b.fiscal_year = \(Int16(year))
                   AND NOT EXISTS (SELECT 1 FROM padu.realizations r WHERE r.program_id = b.program_id AND r.fiscal_year = b.fiscal_year)
                """)
        }
        let list = try await connection.query(
            """
            SELECT p.id, p.agency_id, p.target, c.agency_id
              FROM padu.programs p JOIN padu.agencies a ON a.id = p.agency_id
              -- The coordinator of the programme's cluster in its agency's regency (0090).
              JOIN padu.cluster_coordinators c ON c.cluster_id = p.cluster_id AND c.regency_code = a.regency_code
             WHERE p.requires_coordination
               AND NOT (p.code = ANY (\(DemoStory.codes)::text[]))
             ORDER BY p.id
            """
        ).decode((Int64, Int64, String, Int64).self)
        guard deliveries > 0, !list.isEmpty else { return (0, timings) }
        let backend = try await connection.query("SELECT pg_backend_pid()").first(Int32.self)
        let perProgramme = deliveries / list.count
        var stored = 0
        for (index, (programID, agencyID, target, coordinatorID)) in list.enumerated() {
            let count = index == list.count - 1 ? deliveries - perProgramme * (list.count - 1) : perProgramme
            stored += try await seedProgramme(
                connection, programID: programID, agencyID: agencyID, target: target, coordinatorID: coordinatorID,
                deliveries: count, year: year, seed: Double(index + 1) / Double(list.count + 1), timings: &timings,
                backend: backend)
            logger.info("seeded deliveries", metadata: ["programme": "\(programID)", "total": "\(stored)"])
        }
        return (stored, timings)
    }

    /// `lines` plan lines in `year` with no deliveries, for the check's `other_plans`: one plan
    /// per coordinated programme of an agency other than `except`, alternately left submitted and
    /// approved, naming random registry households (by KK, or their head's NIK). Returns the
    /// number of lines stored.
    @discardableResult
    public func seedPlanLines(on connection: PQConnection, lines: Int, year: Int = 2019, except: String = "DINKES")
        async throws -> Int
    {
        let list = try await connection.query(
            """
            SELECT p.id, p.agency_id, p.target, c.agency_id
              FROM padu.programs p JOIN padu.agencies a ON a.id = p.agency_id
              JOIN padu.cluster_coordinators c ON c.cluster_id = p.cluster_id AND c.regency_code = a.regency_code
             WHERE p.requires_coordination AND a.code <> \(except)
             ORDER BY p.id
            """
        ).decode((Int64, Int64, String, Int64).self)
        guard lines > 0, !list.isEmpty else { return 0 }
        var stored = 0
        for (index, (programID, agencyID, target, coordinatorID)) in list.enumerated() {
            let count = lines / list.count + (index < lines % list.count ? 1 : 0)
            stored += try await connection.withTransaction { connection in
                connection.deferUntilNextQuery("SET LOCAL ROLE padu_owner")
                try await connection.query("SELECT setseed(\(Double(index + 1) / Double(list.count + 2)))")
                try await connection.query("SELECT set_config('padu.agency_id', \(String(agencyID)), true)")
                let plan = try await connection.query(
                    """
                    INSERT INTO padu.distribution_plans (program_id, agency_id, fiscal_year, period)
                    VALUES (\(programID), \(agencyID), \(Int16(year)), \("\(year)-Q\(1 + index % 4)")) RETURNING id
                    """
                ).first(Int64.self)!
                let inserted = try await connection.query(
                    """
                    INSERT INTO padu.plan_lines (plan_id, program_id, fiscal_year, agency_id, line_no, nik, kk, person_id,
                                                 household_id, decile, planned_quantity)
                    SELECT \(plan), \(programID), \(Int16(year)), \(agencyID), row_number() OVER () - 1,
                           CASE WHEN \(target) = 'person' THEN head.nik END, CASE WHEN \(target) = 'household' THEN k.kk END,
                           CASE WHEN \(target) = 'person' THEN head.id END, h.id, h.decile, 1
                      FROM (SELECT id, decile FROM padu.households ORDER BY random() LIMIT \(count)) h
                      JOIN padu.household_kk k ON k.household_id = h.id AND k.valid_to IS NULL
                      JOIN LATERAL (SELECT p.id, p.nik FROM padu.household_members m JOIN padu.persons p ON p.id = m.person_id
                                     WHERE m.household_id = h.id AND m.valid_to IS NULL ORDER BY m.relationship <> 'head', p.id
                                     LIMIT 1) head ON true
                    """
                ).affectedRows
                try await connection.query("UPDATE padu.distribution_plans SET status = 'submitted' WHERE id = \(plan)")
                if index % 2 == 1 {
                    try await connection.query("SELECT set_config('padu.agency_id', \(String(coordinatorID)), true)")
                    try await connection.query("UPDATE padu.plan_lines SET status = 'approved' WHERE plan_id = \(plan)")
                    try await connection.query(
                        "UPDATE padu.distribution_plans SET status = 'approved', decision_reason = 'data demo' WHERE id = \(plan)"
                    )
                }
                return inserted
            }
            logger.info("seeded plan lines", metadata: ["programme": "\(programID)", "total": "\(stored)"])
        }
        return stored
    }

    private func seedProgramme(
        _ connection: PQConnection, programID: Int64, agencyID: Int64, target: String, coordinatorID: Int64,
        deliveries: Int, year: Int, seed: Double, timings: inout Timings, backend: Int32?
    ) async throws -> Int {
        // About two deliveries per recipient.
        let recipients = max(1, deliveries / 2)
        // The agency drafts and submits in one transaction, the coordinator decides and the
        // agency delivers in another, as over the API: a line updated in the transaction that
        // inserted it has each of its foreign keys checked again.
        let plan = try await timed(&timings.plans, backend: backend) {
            try await connection.withTransaction { connection in
                connection.deferUntilNextQuery("SET LOCAL ROLE padu_owner")
                try await connection.query("SELECT setseed(\(seed))")
                try await connection.query("SELECT set_config('padu.agency_id', \(String(agencyID)), true)")
                let plan = try await connection.query(
                    """
                    INSERT INTO padu.distribution_plans (program_id, agency_id, fiscal_year, period)
                    VALUES (\(programID), \(agencyID), \(Int16(year)), \("\(year)-Q1")) RETURNING id
                    """
                ).first(Int64.self)!
                // Recipients lean poor: decile 1-4 households first, some others mixed in.
                try await connection.query(
                    """
                    INSERT INTO padu.plan_lines (plan_id, program_id, fiscal_year, agency_id, line_no, nik, kk, person_id,
                                                 household_id, decile, status, planned_quantity)
                    SELECT \(plan), \(programID), \(Int16(year)), \(agencyID), row_number() OVER () - 1,
                           CASE WHEN \(target) = 'person' THEN head.nik END, CASE WHEN \(target) = 'household' THEN k.kk END,
                           CASE WHEN \(target) = 'person' THEN head.id END, h.id, h.decile, 'pending', 3
                      FROM ((SELECT id, decile FROM padu.households WHERE decile <= 4 ORDER BY random()
                              LIMIT \(recipients * 17 / 20))
                            UNION ALL
                            (SELECT id, decile FROM padu.households WHERE decile > 4 ORDER BY random()
                              LIMIT \(recipients * 3 / 20))) h
                      JOIN padu.household_kk k ON k.household_id = h.id AND k.valid_to IS NULL
                      JOIN LATERAL (SELECT p.id, p.nik FROM padu.household_members m JOIN padu.persons p ON p.id = m.person_id
                                     WHERE m.household_id = h.id AND m.valid_to IS NULL ORDER BY m.relationship <> 'head', p.id
                                     LIMIT 1) head ON true
                    """)
                // A few recipients of person programmes are not in the registry at all (serial 9999).
                if target == "person" {
                    try await connection.query(
                        """
                        INSERT INTO padu.plan_lines (plan_id, program_id, fiscal_year, agency_id, line_no, nik, status,
                                                     planned_quantity)
                        SELECT \(plan), \(programID), \(Int16(year)), \(agencyID), 1000000 + n,
                               '1606' || lpad((1 + n % 15)::text, 2, '0')
                               || to_char(DATE '1950-01-01' + ((n * 7919 + \(programID) * 104729) % 20000)::int, 'DDMMYY') || '9999',
                               'pending', 3
                          FROM generate_series(1, \(max(1, recipients / 30))) n
                        ON CONFLICT DO NOTHING
                        """)
                }
                try await connection.query("UPDATE padu.distribution_plans SET status = 'submitted' WHERE id = \(plan)")
                return plan
            }
        }
        return try await connection.withTransaction { connection in
            connection.deferUntilNextQuery("SET LOCAL ROLE padu_owner")
            try await connection.query("SELECT set_config('padu.agency_id', \(String(coordinatorID)), true)")
            try await timed(&timings.approvals, backend: backend) {
                try await connection.query("UPDATE padu.plan_lines SET status = 'approved' WHERE plan_id = \(plan)")
                try await connection.query(
                    "UPDATE padu.distribution_plans SET status = 'approved', decision_reason = 'data demo' WHERE id = \(plan)"
                )
            }
            return try await timed(&timings.deliveries, backend: backend) {
                try await connection.query(
                    """
                    INSERT INTO padu.deliveries (program_id, agency_id, plan_line_id, nik, kk, person_id, household_id,
                                                 delivered_on, quantity, value_idr)
                    SELECT l.program_id, l.agency_id, l.id, l.nik, l.kk, l.person_id, l.household_id,
                           make_date(\(Int32(year)), 1 + ((l.id + g * 4) % 12)::int, 1 + (l.id % 28)::int), 1,
                           (100 + (l.id % 20) * 25) * 1000
                      FROM padu.plan_lines l, generate_series(1, 3) g
                     WHERE l.plan_id = \(plan) AND g <= 1 + (l.id + \(Int64(seed * 1000))) % 3
                     LIMIT \(deliveries)
                    """
                ).affectedRows
            }
        }
    }
}
