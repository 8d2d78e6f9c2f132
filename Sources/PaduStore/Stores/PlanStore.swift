import Foundation
import PQ

/// A recipient as an agency lists it: a NIK or a KK (validated by the caller), with what it plans.
public struct RecipientInput: Sendable {
    public var nik: String?
    public var kk: String?
    /// False when the identifier is not a structurally valid NIK or KK.
    public var wellFormed: Bool
    public var plannedValueIDR: Int64?
    public var plannedQuantity: Int64?

    public init(
        nik: String?, kk: String?, wellFormed: Bool, plannedValueIDR: Int64? = nil, plannedQuantity: Int64? = nil
    ) {
        self.nik = nik
        self.kk = kk
        self.wellFormed = wellFormed
        self.plannedValueIDR = plannedValueIDR
        self.plannedQuantity = plannedQuantity
    }

    var identifier: String { nik ?? kk ?? "" }
    var kind: String { nik != nil ? "nik" : "kk" }
}

/// Aid a recipient already received this year from another programme: no amounts.
public struct OtherAid: Codable, Sendable, Equatable {
    public var agency: String
    public var program: String
    public var aidKind: String
    public var deliveries: Int
    public var lastDeliveredOn: String
}

/// The check of one recipient, as the contract shapes it (plan lines add their own fields).
public struct RecipientCheck: Codable, Sendable {
    public var nik: String?
    public var kk: String?
    public var valid: Bool
    public var inRegistry: Bool
    public var decile: Int?
    public var registryAsOf: String?
    public var otherAid: [OtherAid]
    public var flags: [String]
    public var lineNo: Int?
    public var plannedValueIDR: Int64?
    public var plannedQuantity: Int64?
    public var status: String?
    public var rejectionReason: String?

    /// Registry ids behind the recipient, kept for the plan line; never sent out.
    var personID: Int64?
    var householdID: Int64?

    enum CodingKeys: String, CodingKey {
        case nik, kk, valid, inRegistry, decile, registryAsOf, otherAid, flags, lineNo, plannedValueIDR
        case plannedQuantity, status, rejectionReason
    }
}

public enum Flag {
    public static let invalidID = "INVALID_ID"
    public static let notInRegistry = "NOT_IN_REGISTRY"
    public static let decileAbove4 = "DECILE_ABOVE_4"
    public static let alreadyReceivingSameKind = "ALREADY_RECEIVING_SAME_KIND"
    public static let duplicateInPlan = "DUPLICATE_IN_PLAN"
    public static let possibleDuplicatePerson = "POSSIBLE_DUPLICATE_PERSON"
}

/// A distribution plan with its recipients.
public struct Plan: Codable, Sendable {
    public var id: Int64
    public var programID: Int64
    public var agencyID: Int64
    public var fiscalYear: Int
    public var period: String
    public var status: String
    public var createdAt: Date
    public var submittedAt: Date?
    public var decidedAt: Date?
    public var decisionReason: String?
    public var recipientCount: Int
    public var approvedCount: Int
    public var recipients: [RecipientCheck]?
}

/// Checks recipients against the registry and other agencies' aid; stores, submits and
/// decides plans. All under the caller's row-level security; the check runs through
/// `padu.check_recipients`, which reveals no name or address.
public enum PlanStore {
    /// One set-based pass over every recipient.
    public static func check(
        programID: Int64, fiscalYear: Int, recipients: [RecipientInput], programTarget: String,
        on connection: PQConnection
    ) async throws -> [RecipientCheck] {
        let ids = recipients.map { $0.wellFormed ? $0.identifier : "" }
        let kinds = recipients.map(\.kind)
        let rows = try await connection.query(
            """
            SELECT pos, person_id, household_id, district_known, in_registry, decile::int4, registry_as_of::text,
                   aid_agencies, aid_programs, aid_kinds, aid_deliveries, aid_last_on, same_kind, possible_duplicate
              FROM padu.check_recipients(\(programID), \(Int32(fiscalYear)), \(ids)::text[], \(kinds)::text[])
            """
        )
        // Other aid comes as parallel arrays, one element per other programme.
        var facts: [(Int, Int64?, Int64?, Bool, Bool, Int?, String?, Bool, Bool)] = []
        var aidLists: [[OtherAid]] = []
        facts.reserveCapacity(rows.count)
        aidLists.reserveCapacity(rows.count)
        for row in rows {
            let head = try row.decode((Int, Int64?, Int64?, Bool, Bool, Int?, String?).self)
            facts.append(
                (
                    head.0, head.1, head.2, head.3, head.4, head.5, head.6, try row.decode(Bool.self, at: 12),
                    try row.decode(Bool.self, at: 13)
                ))
            let agencies = try row.decode([String]?.self, at: 7) ?? []
            let programs = try row.decode([String]?.self, at: 8) ?? []
            let kinds = try row.decode([String]?.self, at: 9) ?? []
            let counts = try row.decode([Int64]?.self, at: 10) ?? []
            let lastOn = try row.decode([String]?.self, at: 11) ?? []
            aidLists.append(
                agencies.indices.map { index in
                    OtherAid(
                        agency: agencies[index], program: programs[index], aidKind: kinds[index],
                        deliveries: Int(counts[index]), lastDeliveredOn: lastOn[index])
                })
        }
        var occurrences: [String: Int] = [:]
        var householdOccurrences: [Int64: Int] = [:]
        for recipient in recipients { occurrences[recipient.kind + recipient.identifier, default: 0] += 1 }
        if programTarget == "household" {
            for row in facts { if let household = row.2 { householdOccurrences[household, default: 0] += 1 } }
        }
        return zip(recipients, zip(facts, aidLists)).map { recipient, pair in
            let (row, aid) = pair
            let (_, personID, householdID, districtKnown, inRegistry, decile, asOf, sameKind, possibleDuplicate) = row
            let valid = recipient.wellFormed && districtKnown
            var flags: [String] = []
            if !valid { flags.append(Flag.invalidID) }
            if valid && !inRegistry { flags.append(Flag.notInRegistry) }
            if let decile, decile > 4 { flags.append(Flag.decileAbove4) }
            if valid && sameKind { flags.append(Flag.alreadyReceivingSameKind) }
            if occurrences[recipient.kind + recipient.identifier, default: 0] > 1
                || (householdID.map { householdOccurrences[$0, default: 0] > 1 } ?? false)
            {
                flags.append(Flag.duplicateInPlan)
            }
            if valid && possibleDuplicate { flags.append(Flag.possibleDuplicatePerson) }
            return RecipientCheck(
                nik: recipient.nik, kk: recipient.kk, valid: valid, inRegistry: valid && inRegistry,
                decile: valid ? decile : nil, registryAsOf: valid ? asOf : nil, otherAid: valid ? aid : [],
                flags: flags, lineNo: nil, plannedValueIDR: recipient.plannedValueIDR,
                plannedQuantity: recipient.plannedQuantity, status: nil, rejectionReason: nil,
                personID: valid ? personID : nil, householdID: valid ? householdID : nil)
        }
    }

    /// The programme's target (`person` or `household`) if the caller may plan or check for it.
    public static func programTarget(_ programID: Int64, on connection: PQConnection) async throws -> String? {
        let rows = try await connection.query(
            "SELECT target FROM padu.programs WHERE id = \(programID) AND padu.may_check(id)")
        return try rows.first(String.self)
    }

    public static func create(
        programID: Int64, fiscalYear: Int, period: String, checks: [RecipientCheck], on connection: PQConnection
    ) async throws -> Int64 {
        let plan = try await connection.query(
            """
            INSERT INTO padu.distribution_plans (program_id, fiscal_year, period)
            VALUES (\(programID), \(Int16(fiscalYear)), \(period)) RETURNING id
            """
        ).first(Int64.self)!
        try await connection.query(
            """
            INSERT INTO padu.plan_lines (plan_id, program_id, fiscal_year, line_no, nik, kk, person_id, household_id,
                                         planned_value_idr, planned_quantity, decile, flags)
            SELECT \(plan), \(programID), \(Int16(fiscalYear)), n - 1, nullif(nik, ''), nullif(kk, ''),
                   nullif(person, 0), nullif(household, 0), nullif(value, -1), nullif(quantity, -1),
                   nullif(decile, 0)::int2, coalesce(string_to_array(nullif(flags, ''), ','), '{}')
              FROM unnest(\(checks.map { $0.nik ?? "" })::text[], \(checks.map { $0.kk ?? "" })::text[],
                          \(checks.map { $0.personID ?? 0 })::int8[], \(checks.map { $0.householdID ?? 0 })::int8[],
                          \(checks.map { $0.plannedValueIDR ?? -1 })::int8[], \(checks.map { $0.plannedQuantity ?? -1 })::int8[],
                          \(checks.map { Int64($0.decile ?? 0) })::int8[], \(checks.map { $0.flags.joined(separator: ",") })::text[])
                   WITH ORDINALITY AS t(nik, kk, person, household, value, quantity, decile, flags, n)
            """)
        return plan
    }

    static let planColumns: PQFragment = """
        p.id, p.program_id, p.agency_id, p.fiscal_year::int4 AS fiscal_year, p.period, p.status, p.created_at,
        p.submitted_at, p.decided_at, p.decision_reason,
        (SELECT count(*) FROM padu.plan_lines l WHERE l.plan_id = p.id)::int4 AS recipient_count,
        (SELECT count(*) FROM padu.plan_lines l WHERE l.plan_id = p.id AND l.status = 'approved')::int4 AS approved_count
        """

    /// A plan the caller may see, without its recipients.
    public static func header(_ id: Int64, on connection: PQConnection) async throws -> Plan? {
        try await connection.query("SELECT \(planColumns) FROM padu.distribution_plans p WHERE p.id = \(id)")
            .decode(as: Plan.self).first
    }

    /// A plan the caller may see, with its recipients' stored checks and, live, their other aid.
    public static func find(_ id: Int64, on connection: PQConnection) async throws -> Plan? {
        guard var plan = try await header(id, on: connection) else { return nil }
        let lines = try await connection.query(
            """
            SELECT line_no, nik, kk, planned_value_idr, planned_quantity, decile::int4, flags, status, rejection_reason
              FROM padu.plan_lines WHERE plan_id = \(id) ORDER BY line_no
            """
        ).decode((Int, String?, String?, Int64?, Int64?, Int?, [String], String, String?).self)
        let inputs = lines.map { RecipientInput(nik: $0.1, kk: $0.2, wellFormed: !$0.6.contains(Flag.invalidID)) }
        let target = try await programTarget(plan.programID, on: connection) ?? "person"
        let live = try await check(
            programID: plan.programID, fiscalYear: plan.fiscalYear, recipients: inputs, programTarget: target,
            on: connection)
        plan.recipients = zip(lines, live).map { line, current in
            var recipient = current
            recipient.lineNo = line.0
            recipient.plannedValueIDR = line.3
            recipient.plannedQuantity = line.4
            recipient.status = line.7
            recipient.rejectionReason = line.8
            return recipient
        }
        return plan
    }

    public static func list(after: Int64, limit: Int, status: String?, on connection: PQConnection) async throws
        -> [Plan]
    {
        try await connection.query(
            """
            SELECT \(planColumns) FROM padu.distribution_plans p
             WHERE p.id > \(after) AND (\(status) IS NULL OR p.status = \(status))
             ORDER BY p.id LIMIT \(limit + 1)
            """
        ).decode(as: Plan.self)
    }

    /// The owning agency submits a draft; nil if the caller cannot see the plan.
    public static func submit(_ id: Int64, on connection: PQConnection) async throws -> Bool {
        try await connection.query(
            "UPDATE padu.distribution_plans SET status = 'submitted' WHERE id = \(id) AND agency_id = padu.current_agency()"
        ).affectedRows == 1
    }

    /// Whether the caller is the coordinator that decides this (visible) plan.
    public static func decides(_ id: Int64, on connection: PQConnection) async throws -> Bool {
        try await connection.query("SELECT padu.decidable_plan(\(id))").first(Bool.self) ?? false
    }

    /// Approves (all lines but the rejected ones) or rejects (every line), with reasons.
    public static func decide(
        _ id: Int64, approve: Bool, reason: String?, rejectedLines: [Int], lineReasons: [String],
        on connection: PQConnection
    ) async throws {
        let results = try await connection.pipeline([
            """
            UPDATE padu.plan_lines l SET status = 'rejected', rejection_reason = coalesce(nullif(r.reason, ''), \(reason))
              FROM unnest(\(rejectedLines.map(Int64.init))::int8[], \(lineReasons)::text[]) AS r(line_no, reason)
             WHERE l.plan_id = \(id) AND l.line_no = r.line_no
            """,
            """
            UPDATE padu.plan_lines SET status = CASE WHEN \(approve) THEN 'approved' ELSE 'rejected' END,
                   rejection_reason = CASE WHEN \(approve) THEN NULL ELSE \(reason) END
             WHERE plan_id = \(id) AND status = 'pending'
            """,
            """
            UPDATE padu.distribution_plans SET status = CASE WHEN \(approve) THEN 'approved' ELSE 'rejected' END,
                   decision_reason = \(reason)
             WHERE id = \(id)
            """,
            """
            INSERT INTO padu.plan_decisions (plan_id, decision, reason, rejected_lines)
            VALUES (\(id), CASE WHEN \(approve) THEN 'approve' ELSE 'reject' END, \(reason), \(Int32(rejectedLines.count)))
            """,
            """
            SELECT padu.audit('decide', 'plan', \(String(id)),
                              jsonb_build_object('decision', CASE WHEN \(approve) THEN 'approve' ELSE 'reject' END,
                                                 'rejected_lines', \(Int64(rejectedLines.count))))
            """,
        ])
        _ = results
    }

    /// Line numbers of the plan by identifier (NIK or KK).
    public static func lineNumbers(_ id: Int64, on connection: PQConnection) async throws -> [String: Int] {
        let rows = try await connection.query(
            "SELECT coalesce(nik, kk), line_no FROM padu.plan_lines WHERE plan_id = \(id)"
        ).decode((String, Int).self)
        return Dictionary(rows, uniquingKeysWith: { first, _ in first })
    }
}
