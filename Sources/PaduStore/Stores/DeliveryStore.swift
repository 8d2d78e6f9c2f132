import Foundation
import PQ
import PaduCore

/// A delivery as an agency records it, validated.
public struct DeliveryInput: Sendable {
    /// A well-formed NIK or KK.
    public var recipient: RecipientID
    public var deliveredOn: CalendarDate
    public var quantity: Int64
    public var valueIDR: Rupiah

    public init(recipient: RecipientID, deliveredOn: CalendarDate, quantity: Int64, valueIDR: Rupiah) {
        self.recipient = recipient
        self.deliveredOn = deliveredOn
        self.quantity = quantity
        self.valueIDR = valueIDR
    }
}

public struct Delivery: Codable, Sendable, Equatable {
    public var id: Int64
    public var programID: Int64
    public var fiscalYear: FiscalYear
    public var nik: String?
    public var kk: String?
    public var deliveredOn: CalendarDate
    public var quantity: Int64
    public var valueIDR: Rupiah
    public var planLineID: Int64?
    public var createdAt: Date
    /// Reversed deliveries stay listed; totals, bounds and the summary no longer count them.
    public var reversed: Bool
    public var reversalReason: String?
}

/// A correction: the delivery it reverses, why, and when.
public struct DeliveryReversal: Codable, Sendable, Equatable {
    public var deliveryID: Int64
    public var reason: String
    public var reversedAt: Date
}

/// Why a batch of deliveries was not recorded.
/// A fiscal year's deliveries of a programme: those that stand (not reversed), their quantity and
/// value, and how many were reversed. Sums are decimal text: many rows of large values may add up
/// past `Int64`.
public struct DeliveryTotals: Codable, Sendable, Equatable {
    public var fiscalYear: FiscalYear
    public var deliveries: Int64
    public var quantity: String
    public var valueIDR: String
    public var reversed: Int64
}

public enum DeliveryError: Error, Sendable, Equatable {
    /// The rows at these positions (0-based) have no approved plan line of the programme for
    /// their recipient in their delivery year: `DatabaseRule.deliveryNeedsApprovedLine`, told
    /// for every row before the database refuses the first. `rejectionReasons` holds, by
    /// position, the coordinator's reason when the row's recipient has a rejected line instead.
    case noApprovedLine(positions: [Int], rejectionReasons: [Int: String] = [:])
}

/// Deliveries: recorded set-based; the database refuses a delivery of a programme that
/// requires coordination unless it names an approved plan line for the same recipient.
public struct DeliveryStore: Sendable {
    let connection: PQConnection

    /// Records the batch, all or nothing; returns how many rows were recorded. For a
    /// coordinated programme, every row without an approved line is named first. A row's line
    /// is found by NIK or by KK in two index lookups (`plan_lines_approved_nik`/`_kk`), with the
    /// year as the index's `int2`: an `OR` of the two, or a numeric year, scanned every approved
    /// line of the programme for each row.
    public func record(programID: Int64, coordinated: Bool, _ rows: [DeliveryInput]) async throws -> Int {
        let niks = rows.map { $0.recipient.kind == .nik ? $0.recipient.text : "" }
        let kks = rows.map { $0.recipient.kind == .kk ? $0.recipient.text : "" }
        let dates = rows.map(\.deliveredOn.description)
        if coordinated {
            let missing = try await connection.query(
                """
                SELECT (n - 1)::int8 FROM unnest(\(niks)::text[], \(kks)::text[], \(dates)::text[])
                       WITH ORDINALITY AS i(nik, kk, d, n)
                 WHERE NOT EXISTS (
                    SELECT 1 FROM padu.plan_lines l JOIN padu.distribution_plans p ON p.id = l.plan_id
                     WHERE l.program_id = \(programID) AND l.fiscal_year = extract(year FROM i.d::date)::int2
                       AND l.status = 'approved' AND p.status = 'approved' AND l.nik = nullif(i.nik, '')
                    UNION ALL
                    SELECT 1 FROM padu.plan_lines l JOIN padu.distribution_plans p ON p.id = l.plan_id
                     WHERE l.program_id = \(programID) AND l.fiscal_year = extract(year FROM i.d::date)::int2
                       AND l.status = 'approved' AND p.status = 'approved' AND l.kk = nullif(i.kk, ''))
                 ORDER BY n
                """
            ).decode(Int.self)
            if !missing.isEmpty {
                throw DeliveryError.noApprovedLine(
                    positions: missing,
                    rejectionReasons: try await rejectionReasons(programID: programID, rows, missing))
            }
        }
        let ids = rows.map(\.recipient.text)
        let kinds = rows.map(\.recipient.kind.rawValue)
        return try await connection.query(
            """
            INSERT INTO padu.deliveries (program_id, plan_line_id, nik, kk, person_id, household_id, delivered_on,
                                         quantity, value_idr)
            SELECT \(programID),
                   (SELECT min(x.id) FROM (
                        SELECT l.id FROM padu.plan_lines l JOIN padu.distribution_plans p ON p.id = l.plan_id
                         WHERE l.program_id = \(programID) AND l.fiscal_year = extract(year FROM i.d::date)::int2
                           AND l.status = 'approved' AND p.status = 'approved' AND l.nik = nullif(i.nik, '')
                        UNION ALL
                        SELECT l.id FROM padu.plan_lines l JOIN padu.distribution_plans p ON p.id = l.plan_id
                         WHERE l.program_id = \(programID) AND l.fiscal_year = extract(year FROM i.d::date)::int2
                           AND l.status = 'approved' AND p.status = 'approved' AND l.kk = nullif(i.kk, '')) x),
                   nullif(i.nik, ''), nullif(i.kk, ''), r.person_id, r.household_id, i.d::date, i.q, i.v
              FROM unnest(\(niks)::text[], \(kks)::text[], \(dates)::text[], \(rows.map(\.quantity))::int8[],
                          \(rows.map(\.valueIDR.amount))::int8[]) WITH ORDINALITY AS i(nik, kk, d, q, v, n)
              JOIN padu.resolve_recipients(\(ids)::text[], \(kinds)::text[]) r ON r.pos = i.n
            """
        ).affectedRows
    }

    /// The coordinator's reason for the rows (by position) whose recipient's line of the programme
    /// and year was rejected: the latest decided, for the rows at `positions` only.
    private func rejectionReasons(programID: Int64, _ rows: [DeliveryInput], _ positions: [Int]) async throws
        -> [Int: String]
    {
        let picked = positions.map { rows[$0] }
        let found = try await connection.query(
            """
            SELECT i.pos, x.reason
              FROM unnest(\(positions.map(Int64.init))::int8[], \(picked.map(\.recipient.kind.rawValue))::text[],
                          \(picked.map(\.recipient.text))::text[], \(picked.map { Int64($0.deliveredOn.year) })::int8[])
                   AS i(pos, kind, id, year)
             CROSS JOIN LATERAL (
                SELECT l.rejection_reason AS reason
                  FROM padu.plan_lines l JOIN padu.distribution_plans p ON p.id = l.plan_id
                 WHERE l.program_id = \(programID) AND l.fiscal_year = i.year::int2 AND l.status = 'rejected'
                   AND ((i.kind = 'nik' AND l.nik = i.id) OR (i.kind = 'kk' AND l.kk = i.id))
                 ORDER BY p.decided_at DESC NULLS LAST, l.id DESC LIMIT 1) x
             WHERE x.reason IS NOT NULL
            """
        ).decode((Int, String).self)
        return Dictionary(found, uniquingKeysWith: { first, _ in first })
    }

    public func list(programID: Int64, year: FiscalYear?, after: Int64, limit: Int) async throws -> [Delivery] {
        try await connection.query(
            """
            SELECT d.id, d.program_id, d.fiscal_year::int4 AS fiscal_year, d.nik::text AS nik, d.kk::text AS kk,
                   d.delivered_on::text AS delivered_on, d.quantity, d.value_idr, d.plan_line_id, d.created_at,
                   r.delivery_id IS NOT NULL AS reversed, r.reason AS reversal_reason
              FROM padu.deliveries d LEFT JOIN padu.delivery_reversals r ON r.delivery_id = d.id
             WHERE d.program_id = \(programID) AND d.id > \(after)
               AND (\(year?.int16) IS NULL OR d.fiscal_year = \(year?.int16))
             ORDER BY d.id LIMIT \(limit + 1)
            """
        ).decode(as: Delivery.self)
    }

    /// The programme's latest deliveries, newest first (the programme page's list).
    public func latest(programID: Int64, limit: Int) async throws -> [Delivery] {
        try await connection.query(
            """
            SELECT d.id, d.program_id, d.fiscal_year::int4 AS fiscal_year, d.nik::text AS nik, d.kk::text AS kk,
                   d.delivered_on::text AS delivered_on, d.quantity, d.value_idr, d.plan_line_id, d.created_at,
                   r.delivery_id IS NOT NULL AS reversed, r.reason AS reversal_reason
              FROM padu.deliveries d LEFT JOIN padu.delivery_reversals r ON r.delivery_id = d.id
             WHERE d.program_id = \(programID)
             ORDER BY d.id DESC LIMIT \(limit)
            """
        ).decode(as: Delivery.self)
    }

    /// The programme's deliveries per fiscal year, newest year first; reversed ones are counted
    /// apart and add nothing to the sums.
    public func totals(programID: Int64) async throws -> [DeliveryTotals] {
        try await connection.query(
            """
            SELECT d.fiscal_year::int4 AS fiscal_year, count(*) FILTER (WHERE r.delivery_id IS NULL) AS deliveries,
                   coalesce(sum(d.quantity::numeric) FILTER (WHERE r.delivery_id IS NULL), 0)::text AS quantity,
                   coalesce(sum(d.value_idr::numeric) FILTER (WHERE r.delivery_id IS NULL), 0)::text AS value_idr,
                   count(r.delivery_id) AS reversed
              FROM padu.deliveries d LEFT JOIN padu.delivery_reversals r ON r.delivery_id = d.id
             WHERE d.program_id = \(programID)
             GROUP BY d.fiscal_year ORDER BY d.fiscal_year DESC
            """
        ).decode(as: DeliveryTotals.self)
    }

    /// Reverses a delivery of the programme, with a reason (1 to 1000 characters, validated by the
    /// caller and the schema). Nil when the caller cannot see such a delivery (another agency's:
    /// row-level security hides it). A second reversal of the same delivery throws
    /// `DatabaseError.duplicate` (the reversal's primary key).
    public func reverse(programID: Int64, deliveryID: Int64, reason: String) async throws -> DeliveryReversal? {
        let rows = try await connection.query(
            """
            INSERT INTO padu.delivery_reversals (delivery_id, reason)
            SELECT d.id, \(reason) FROM padu.deliveries d WHERE d.id = \(deliveryID) AND d.program_id = \(programID)
            RETURNING delivery_id, reason, reversed_at
            """
        ).decode(as: DeliveryReversal.self)
        guard let reversal = rows.first else { return nil }
        try await connection.query(
            """
            SELECT padu.audit('reverse', 'delivery', \(String(deliveryID)), jsonb_build_object('reason', \(reason)::text))
            """)
        return reversal
    }
}

/// A coordinator's finding on a pair of possibly identical persons.
public enum DuplicateStatus: String, Sendable, Codable, CaseIterable {
    case pending
    case samePerson = "same_person"
    case different
}

/// The coordinator's review queue of possible duplicate persons.
public struct DuplicateStore: Sendable {
    let connection: PQConnection

    public struct Person: Codable, Sendable {
        public var id: Int64
        public var nik: String
        public var name: String
        public var birthDate: String
        public var regionCode: String?
    }

    public struct Pair: Codable, Sendable {
        public var personA: Person
        public var personB: Person
        public var similarity: Double
        public var status: DuplicateStatus
        public var foundAt: Date
    }

    public func list(status: DuplicateStatus, limit: Int) async throws -> [Pair] {
        let rows = try await connection.query(
            """
            SELECT a.id, a.nik::text, a.name, a.birth_date::text, a.region_code::text,
                   b.id, b.nik::text, b.name, b.birth_date::text, b.region_code::text,
                   x.similarity::float8, x.status, x.found_at
              FROM padu.possible_duplicates x
              JOIN padu.persons a ON a.id = x.person_a
              JOIN padu.persons b ON b.id = x.person_b
             WHERE x.status = \(status.rawValue)
             ORDER BY x.similarity DESC, x.person_a, x.person_b LIMIT \(limit)
            """
        ).decode(
            (Int64, String, String, String, String?, Int64, String, String, String, String?, Double, String, Date).self)
        return rows.map {
            Pair(
                personA: Person(id: $0.0, nik: $0.1, name: $0.2, birthDate: $0.3, regionCode: $0.4),
                personB: Person(id: $0.5, nik: $0.6, name: $0.7, birthDate: $0.8, regionCode: $0.9),
                similarity: $0.10, status: DuplicateStatus(rawValue: $0.11) ?? .pending, foundAt: $0.12)
        }
    }

    /// Records the coordinator's finding; never merges the persons. False if the pair is not visible.
    public func decide(personA: Int64, personB: Int64, _ status: DuplicateStatus) async throws -> Bool {
        let (a, b) = (min(personA, personB), max(personA, personB))
        let changed = try await connection.query(
            """
            UPDATE padu.possible_duplicates SET status = \(status.rawValue), decided_by = padu.current_account(),
                   decided_at = now()
             WHERE person_a = \(a) AND person_b = \(b)
            """
        ).affectedRows
        if changed == 1 {
            try await connection.query(
                """
                SELECT padu.audit('review_duplicate', 'person_pair', \("\(a)-\(b)"),
                                  jsonb_build_object('status', \(status.rawValue)::text))
                """)
        }
        return changed == 1
    }
}
