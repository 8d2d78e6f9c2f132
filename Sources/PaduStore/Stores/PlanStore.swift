import Foundation
import PQ
import PaduCore

/// A recipient as an agency lists it, with what it plans.
public struct RecipientInput: Sendable {
    public var id: RecipientID
    public var plannedValueIDR: Rupiah?
    public var plannedQuantity: Int64?
    /// The name the agency has, to verify against the registry's (never revealed).
    public var name: String?

    public init(_ id: RecipientID, plannedValueIDR: Rupiah? = nil, plannedQuantity: Int64? = nil, name: String? = nil) {
        self.id = id
        self.plannedValueIDR = plannedValueIDR
        self.plannedQuantity = plannedQuantity
        self.name = name
    }
}

/// Aid a recipient already received this year from another programme: no amounts.
public struct OtherAid: Codable, Sendable, Equatable {
    public var agency: String
    public var program: String
    public var aidKind: String
    public var aidCategory: String
    public var deliveries: Int
    public var lastDeliveredOn: String
}

/// Another agency's submitted or approved plan line naming the recipient (or its household)
/// this year: no amounts, no names.
public struct OtherPlan: Codable, Sendable, Equatable {
    public var agency: String
    public var program: String
    public var aidCategory: String
    /// `submitted` (pending in a submitted plan) or `approved`.
    public var status: String
    public var period: String

    public init(agency: String, program: String, aidCategory: String, status: String, period: String) {
        self.agency = agency
        self.program = program
        self.aidCategory = aidCategory
        self.status = status
        self.period = period
    }
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
    public var otherPlans: [OtherPlan]
    public var flags: [CheckFlag]
    public var lineNo: Int?
    public var plannedValueIDR: Rupiah?
    public var plannedQuantity: Int64?
    public var status: LineStatus?
    public var rejectionReason: String?
    /// Whether the name the agency sent matches the registry's; nil when it sent none or the
    /// registry has nobody to compare with.
    public var nameMatches: Bool?
    /// On a plan line: its programme's and agency's names; for a KK line, its village and, to
    /// the coordinator or once approved, the head of household's name (`padu.plan_line_places`).
    public var program: String?
    public var agency: String?
    public var village: String?
    public var headOfHousehold: String?
    /// On a decided line: the flags the coordinator acknowledged in approving it.
    public var acknowledgedFlags: [CheckFlag]?

    /// Registry ids behind the recipient, kept for the plan line; never sent out.
    var personID: Int64?
    var householdID: Int64?

    enum CodingKeys: String, CodingKey {
        case nik, kk, valid, inRegistry, decile, registryAsOf, otherAid, otherPlans, flags, lineNo, plannedValueIDR
        case plannedQuantity, status, rejectionReason, nameMatches, program, agency, village, headOfHousehold
        case acknowledgedFlags
    }
}

/// A distribution plan with its recipients.
public struct Plan: Codable, Sendable {
    public var id: Int64
    public var programID: Int64
    public var agencyID: Int64
    public var fiscalYear: FiscalYear
    public var period: Quarter
    public var status: PlanStatus
    public var createdAt: Date
    public var submittedAt: Date?
    public var decidedAt: Date?
    public var decisionReason: String?
    public var recipientCount: Int
    public var approvedCount: Int
    public var recipients: [RecipientCheck]?
}

/// The flags a coordinator acknowledges on a line it approves.
public struct LineAcknowledgement: Sendable, Equatable {
    public var lineNo: Int
    public var flags: [CheckFlag]

    public init(lineNo: Int, flags: [CheckFlag]) {
        self.lineNo = lineNo
        self.flags = flags
    }
}

/// A line the coordinator rejects, with its own reason (empty: the plan's reason).
public struct LineRejection: Sendable {
    public var lineNo: Int
    public var reason: String

    public init(lineNo: Int, reason: String) {
        self.lineNo = lineNo
        self.reason = reason
    }
}

/// Checks recipients against the registry and other agencies' aid; stores, submits and
/// decides plans. All under the caller's row-level security; the check runs through
/// `padu.check_recipients_by_programme`, which reveals no name or address.
public struct PlanStore: Sendable {
    let connection: PQConnection

    /// One set-based pass over every recipient, counted against the caller's hourly allowance
    /// (`DatabaseRule.checkQuotaExhausted`); a large check is audited. Needs a read-write
    /// transaction.
    public func check(
        programID: Int64, fiscalYear: FiscalYear, recipients: [RecipientInput], target: ProgrammeTarget
    ) async throws -> [RecipientCheck] {
        try await evaluate(
            programID: programID, fiscalYear: fiscalYear, recipients: recipients, target: target, claim: true)
    }

    /// The check itself; `claim` counts it against the allowance (a plan's known lines are not
    /// counted again when the plan is read).
    private func evaluate(
        programID: Int64, fiscalYear: FiscalYear, recipients: [RecipientInput], target: ProgrammeTarget,
        claim: Bool
    ) async throws -> [RecipientCheck] {
        let ids = recipients.map { $0.id.isWellFormed ? $0.id.text : "" }
        let kinds = recipients.map(\.id.kind.rawValue)
        // Names travel only when some were sent: without them the check looks nothing more up.
        let names: [String]? = recipients.contains { $0.name != nil } ? recipients.map { $0.name ?? "" } : nil
        let check: PQQuery = """
            SELECT pos, person_id, household_id, district_known, in_registry, decile::int4, registry_as_of::text,
                   aid_program_ids, aid_deliveries, aid_last_on, possible_duplicate, name_matches, plan_program_ids,
                   plan_statuses, plan_periods, legend_program_ids, legend_agencies, legend_programs, legend_kinds,
                   legend_categories
              FROM padu.check_recipients_by_programme(
                     \(programID), \(Int32(fiscalYear.year)), \(ids)::text[], \(kinds)::text[], \(names)::text[])
            """
        // The programme's category, for the same-category flags (PaduCore decides them).
        let category: PQQuery = "SELECT aid_category FROM padu.programs WHERE id = \(programID)"
        let results =
            claim
            ? Array(
                try await connection.pipeline([
                    "SELECT padu.claim_check_quota(\(Int32(clamping: recipients.count)))", category, check,
                ]).dropFirst())
            : try await connection.pipeline([category, check])
        let programmeCategory = try results[0].first(String.self).flatMap(AidCategory.init(rawValue:))
        let rows = results[1]
        let programmes = try CheckLegend(rows.first)
        // Other aid and other plans come as parallel arrays, one element per programme or line, each
        // naming its programme by id (the legend names it).
        var facts: [(Int, Int64?, Int64?, Bool, Bool, Int?, String?, Bool, Bool?)] = []
        var aidLists: [[OtherAid]] = []
        var planLists: [[OtherPlan]] = []
        facts.reserveCapacity(rows.count)
        aidLists.reserveCapacity(rows.count)
        planLists.reserveCapacity(rows.count)
        for row in rows {
            // Column by column: each decode is specialised here (a tuple's is not, across modules).
            facts.append(
                (
                    try row.decode(Int.self, at: 0), try row.decode(Int64?.self, at: 1),
                    try row.decode(Int64?.self, at: 2), try row.decode(Bool.self, at: 3),
                    try row.decode(Bool.self, at: 4), try row.decode(Int?.self, at: 5),
                    try row.decode(String?.self, at: 6), try row.decode(Bool.self, at: 10),
                    try row.decode(Bool?.self, at: 11)
                ))
            let aidPrograms = try row.decode([Int64]?.self, at: 7) ?? []
            let counts = try row.decode([Int64]?.self, at: 8) ?? []
            let lastOn = try row.decode([String]?.self, at: 9) ?? []
            aidLists.append(
                try aidPrograms.indices.map { index in
                    let programme = try programmes[aidPrograms[index]]
                    return OtherAid(
                        agency: programme.agency, program: programme.program, aidKind: programme.aidKind,
                        aidCategory: programme.aidCategory, deliveries: Int(counts[index]),
                        lastDeliveredOn: lastOn[index])
                })
            let planPrograms = try row.decode([Int64]?.self, at: 12) ?? []
            let planStatuses = try row.decode([String]?.self, at: 13) ?? []
            let planPeriods = try row.decode([String]?.self, at: 14) ?? []
            planLists.append(
                try planPrograms.indices.map { index in
                    let programme = try programmes[planPrograms[index]]
                    return OtherPlan(
                        agency: programme.agency, program: programme.program, aidCategory: programme.aidCategory,
                        status: planStatuses[index], period: planPeriods[index])
                })
        }
        var occurrences: [RecipientID: Int] = [:]
        var householdOccurrences: [Int64: Int] = [:]
        occurrences.reserveCapacity(recipients.count)
        for recipient in recipients { occurrences[recipient.id, default: 0] += 1 }
        if target == .household {
            for row in facts { if let household = row.2 { householdOccurrences[household, default: 0] += 1 } }
        }
        return recipients.indices.map { index in
            let recipient = recipients[index]
            let (aid, plans) = (aidLists[index], planLists[index])
            let (_, personID, householdID, districtKnown, inRegistry, decile, asOf, possibleDuplicate, nameMatches) =
                facts[index]
            let facts = CheckFlag.Facts(
                wellFormed: recipient.id.isWellFormed, districtKnown: districtKnown, inRegistry: inRegistry,
                decile: decile, category: programmeCategory,
                receivedCategories: aid.compactMap { AidCategory(rawValue: $0.aidCategory) },
                plannedCategories: plans.compactMap { AidCategory(rawValue: $0.aidCategory) },
                repeatedInList: occurrences[recipient.id, default: 0] > 1
                    || (householdID.map { householdOccurrences[$0, default: 0] > 1 } ?? false),
                possibleDuplicate: possibleDuplicate)
            let valid = facts.valid
            return RecipientCheck(
                nik: recipient.id.kind == .nik ? recipient.id.text : nil,
                kk: recipient.id.kind == .kk ? recipient.id.text : nil, valid: valid,
                inRegistry: valid && inRegistry, decile: valid ? decile : nil, registryAsOf: valid ? asOf : nil,
                otherAid: valid ? aid : [], otherPlans: valid ? plans : [], flags: facts.flags, lineNo: nil,
                plannedValueIDR: recipient.plannedValueIDR, plannedQuantity: recipient.plannedQuantity, status: nil,
                rejectionReason: nil, nameMatches: valid ? nameMatches : nil, personID: valid ? personID : nil,
                householdID: valid ? householdID : nil)
        }
    }

    /// The programme's target if the caller may plan or check for it.
    public func programTarget(_ programID: Int64) async throws -> ProgrammeTarget? {
        let rows = try await connection.query(
            "SELECT target FROM padu.programs WHERE id = \(programID) AND padu.may_check(id)")
        return try rows.first(String.self).flatMap(ProgrammeTarget.init(rawValue:))
    }

    /// Checks the recipients and stores them as a draft plan's lines, in order, pending a decision.
    public func create(
        programID: Int64, target: ProgrammeTarget, fiscalYear: FiscalYear, period: Quarter,
        recipients: [RecipientInput]
    ) async throws -> Plan {
        let checks = try await check(
            programID: programID, fiscalYear: fiscalYear, recipients: recipients, target: target)
        let id = try await connection.query(
            """
            INSERT INTO padu.distribution_plans (program_id, fiscal_year, period)
            VALUES (\(programID), \(fiscalYear.int16), \(period.description)) RETURNING id
            """
        ).first(Int64.self)
        guard let id else { throw DatabaseError.unexpected(code: "plan not created") }
        try await connection.query(
            """
            INSERT INTO padu.plan_lines (plan_id, program_id, fiscal_year, line_no, nik, kk, person_id, household_id,
                                         planned_value_idr, planned_quantity, decile, flags, name_matches)
            SELECT \(id), \(programID), \(fiscalYear.int16), n - 1, nullif(nik, ''), nullif(kk, ''),
                   nullif(person, 0), nullif(household, 0), nullif(value, -1), nullif(quantity, -1),
                   nullif(decile, 0)::int2, coalesce(string_to_array(nullif(flags, ''), ','), '{}'),
                   CASE matches WHEN 1 THEN true WHEN 0 THEN false END
              FROM unnest(\(checks.map { $0.nik ?? "" })::text[], \(checks.map { $0.kk ?? "" })::text[],
                          \(checks.map { $0.personID ?? 0 })::int8[], \(checks.map { $0.householdID ?? 0 })::int8[],
                          \(checks.map { $0.plannedValueIDR?.amount ?? -1 })::int8[], \(checks.map { $0.plannedQuantity ?? -1 })::int8[],
                          \(checks.map { Int64($0.decile ?? 0) })::int8[],
                          \(checks.map { $0.flags.map(\.rawValue).joined(separator: ",") })::text[],
                          \(checks.map { check in check.nameMatches.map { $0 ? Int64(1) : 0 } ?? -1 })::int8[])
                   WITH ORDINALITY AS t(nik, kk, person, household, value, quantity, decile, flags, matches, n)
            """)
        guard var plan = try await header(id) else { throw DatabaseError.unexpected(code: "plan not visible") }
        plan.recipients = checks.enumerated().map { index, check in
            var line = check
            line.lineNo = index
            line.status = .pending
            return line
        }
        return plan
    }

    static let planColumns: PQFragment = """
        p.id, p.program_id, p.agency_id, p.fiscal_year::int4 AS fiscal_year, p.period, p.status, p.created_at,
        p.submitted_at, p.decided_at, p.decision_reason,
        (SELECT count(*) FROM padu.plan_lines l WHERE l.plan_id = p.id)::int4 AS recipient_count,
        (SELECT count(*) FROM padu.plan_lines l WHERE l.plan_id = p.id AND l.status = 'approved')::int4 AS approved_count
        """

    /// A plan the caller may see, without its recipients.
    public func header(_ id: Int64) async throws -> Plan? {
        try await connection.query("SELECT \(Self.planColumns) FROM padu.distribution_plans p WHERE p.id = \(id)")
            .decode(as: Plan.self).first
    }

    /// A plan the caller may see, with its recipients' stored checks and, live, their other aid
    /// and other plans. A draft's flags are the live check's; once submitted, a line's flags are
    /// those stored with it and any the live check adds, which the decision must acknowledge.
    public func find(_ id: Int64) async throws -> Plan? {
        guard var plan = try await header(id) else { return nil }
        let results = try await connection.pipeline([
            """
            SELECT l.line_no, l.nik, l.kk, l.planned_value_idr, l.planned_quantity, l.decile::int4, l.flags, l.status,
                   l.rejection_reason, l.acknowledged_flags, x.village, x.head_name, l.name_matches
              FROM padu.plan_lines l LEFT JOIN padu.plan_line_places(\(id)) x ON x.line_no = l.line_no
             WHERE l.plan_id = \(id) ORDER BY l.line_no
            """,
            """
            SELECT p.name, coalesce(a.short_name, a.name) FROM padu.programs p JOIN padu.agencies a ON a.id = p.agency_id
             WHERE p.id = \(plan.programID)
            """,
        ])
        let lines = try results[0].decode(
            (Int, String?, String?, Int64?, Int64?, Int?, [String], String, String?, [String], String?, String?, Bool?)
                .self)
        let names = try results[1].first((String, String).self)
        let inputs = lines.map { line in
            let kind: RecipientKind = line.1 != nil ? .nik : .kk
            let text = line.1 ?? line.2 ?? ""
            let flaggedInvalid = line.6.contains(CheckFlag.invalidID.rawValue)
            return RecipientInput(flaggedInvalid ? .malformed(kind, text) : RecipientID(kind, text))
        }
        let target = try await programTarget(plan.programID) ?? .person
        let live = try await evaluate(
            programID: plan.programID, fiscalYear: plan.fiscalYear, recipients: inputs, target: target, claim: false)
        let draft = plan.status == .draft
        plan.recipients = zip(lines, live).map { line, current in
            var recipient = current
            recipient.lineNo = line.0
            recipient.plannedValueIDR = line.3.map(Rupiah.init(signed:))
            recipient.plannedQuantity = line.4
            recipient.status = LineStatus(rawValue: line.7)
            recipient.rejectionReason = line.8
            if !draft {
                recipient.flags = CheckFlag.ordered(current.flags + line.6.compactMap(CheckFlag.init(rawValue:)))
            }
            let acknowledged = line.9.compactMap(CheckFlag.init(rawValue:))
            recipient.acknowledgedFlags = acknowledged.isEmpty ? nil : acknowledged
            recipient.program = names?.0
            recipient.agency = names?.1
            recipient.village = line.10
            recipient.headOfHousehold = line.11
            // The name is not kept, only whether it matched when the plan was made.
            recipient.nameMatches = line.12
            return recipient
        }
        return plan
    }

    public func list(after: Int64, limit: Int, status: PlanStatus?) async throws -> [Plan] {
        let status = status?.rawValue
        return try await connection.query(
            """
            SELECT \(Self.planColumns) FROM padu.distribution_plans p
             WHERE p.id > \(after) AND (\(status) IS NULL OR p.status = \(status))
             ORDER BY p.id LIMIT \(limit + 1)
            """
        ).decode(as: Plan.self)
    }

    /// The owning agency submits a draft; false if the caller cannot see the plan.
    public func submit(_ id: Int64) async throws -> Bool {
        try await connection.query(
            "UPDATE padu.distribution_plans SET status = 'submitted' WHERE id = \(id) AND agency_id = padu.current_agency()"
        ).affectedRows == 1
    }

    /// Whether the caller is the coordinator that decides this (visible) plan.
    public func decides(_ id: Int64) async throws -> Bool {
        try await connection.query("SELECT padu.decidable_plan(\(id))").first(Bool.self) ?? false
    }

    /// Approves (all lines but the rejected ones) or rejects (every line), with reasons. An
    /// approval stores each line's `flags` (as the plan showed them: stored and live, which only
    /// adds) and the flags the coordinator acknowledged; the database refuses to approve a line
    /// whose flags are not all acknowledged (`DatabaseRule.flagsNotAcknowledged`).
    public func decide(
        _ id: Int64, _ decision: PlanDecision, reason: String?, rejecting rejections: [LineRejection],
        acknowledging acknowledgements: [LineAcknowledgement] = [], flags: [Int: [CheckFlag]] = [:]
    ) async throws {
        let approve = decision == .approve
        let rejectedLines = rejections.map { Int64($0.lineNo) }
        let lineReasons = rejections.map(\.reason)
        // Per line to write: its flags now and what the coordinator acknowledged (comma-separated).
        var acknowledged: [Int: [CheckFlag]] = [:]
        for item in acknowledgements { acknowledged[item.lineNo, default: []] += item.flags }
        let written = approve ? Set(flags.keys).union(acknowledged.keys).sorted() : []
        let writtenFlags = written.map { (flags[$0] ?? []).map(\.rawValue).joined(separator: ",") }
        let writtenAcknowledged = written.map {
            CheckFlag.ordered(acknowledged[$0] ?? []).map(\.rawValue).joined(separator: ",")
        }
        let audited = approve ? acknowledged.keys.sorted().map(Int64.init) : []
        let auditedFlags = audited.map {
            CheckFlag.ordered(acknowledged[Int($0)] ?? []).map(\.rawValue).joined(separator: ",")
        }
        try await connection.pipeline([
            """
            UPDATE padu.plan_lines l SET status = 'rejected', rejection_reason = coalesce(nullif(r.reason, ''), \(reason))
              FROM unnest(\(rejectedLines)::int8[], \(lineReasons)::text[]) AS r(line_no, reason)
             WHERE l.plan_id = \(id) AND l.line_no = r.line_no
            """,
            """
            UPDATE padu.plan_lines l
               SET flags = l.flags || ARRAY(SELECT unnest(string_to_array(nullif(x.flags, ''), ',')) EXCEPT
                                            SELECT unnest(l.flags)),
                   acknowledged_flags = coalesce(string_to_array(nullif(x.acknowledged, ''), ','), '{}'),
                   acknowledged_by = CASE WHEN x.acknowledged <> '' THEN padu.current_account() END,
                   acknowledged_at = CASE WHEN x.acknowledged <> '' THEN now() END
              FROM unnest(\(written.map(Int64.init))::int8[], \(writtenFlags)::text[], \(writtenAcknowledged)::text[])
                   AS x(line_no, flags, acknowledged)
             WHERE l.plan_id = \(id) AND l.line_no = x.line_no AND l.status = 'pending'
            """,
            """
            UPDATE padu.plan_lines SET status = CASE WHEN \(approve) THEN 'approved' ELSE 'rejected' END,
                   rejection_reason = CASE WHEN \(approve) THEN NULL ELSE \(reason) END
             WHERE plan_id = \(id) AND status = 'pending'
            """,
            """
            UPDATE padu.distribution_plans SET status = \(decision.outcome.rawValue), decision_reason = \(reason)
             WHERE id = \(id)
            """,
            """
            INSERT INTO padu.plan_decisions (plan_id, decision, reason, rejected_lines)
            VALUES (\(id), \(decision.rawValue), \(reason), \(Int32(clamping: rejections.count)))
            """,
            """
            SELECT padu.audit('decide', 'plan', \(String(id)),
                              jsonb_build_object('decision', \(decision.rawValue)::text,
                                                 'rejected_lines', \(Int64(rejections.count)),
                                                 'acknowledged',
                                                 (SELECT coalesce(jsonb_agg(jsonb_build_object(
                                                             'line_no', a.line_no, 'flags', string_to_array(a.flags, ','))
                                                             ORDER BY a.line_no), '[]'::jsonb)
                                                    FROM unnest(\(audited)::int8[], \(auditedFlags)::text[])
                                                         AS a(line_no, flags))))
            """,
        ])
    }

    /// Keeps the coordinator's choices for some lines of a submitted plan before the decision
    /// (the review pages show a plan a page of lines at a time): each of `lines` becomes
    /// rejected with its reason when it is in `rejecting`, else pending again with the flags
    /// acknowledged in `acknowledging` (none: unacknowledged). Nothing is approved here: only the
    /// plan's decision approves the lines still pending, and the database still refuses an
    /// approved line whose flags are not all acknowledged (PD036) and any change by anyone but the
    /// coordinator of the programme's cluster (PD005). Returns the number of lines written.
    @discardableResult
    public func review(
        _ id: Int64, lines: [Int], rejecting rejections: [LineRejection],
        acknowledging acknowledgements: [LineAcknowledgement]
    ) async throws -> Int {
        let rejected = Dictionary(rejections.map { ($0.lineNo, $0.reason) }, uniquingKeysWith: { a, _ in a })
        var acknowledged: [Int: [CheckFlag]] = [:]
        for item in acknowledgements { acknowledged[item.lineNo, default: []] += item.flags }
        let numbers = Array(Set(lines)).sorted()
        let reasons = numbers.map { rejected[$0] ?? "" }
        let flags = numbers.map { number in
            rejected[number] != nil
                ? "" : CheckFlag.ordered(acknowledged[number] ?? []).map(\.rawValue).joined(separator: ",")
        }
        let results = try await connection.pipeline([
            """
            UPDATE padu.plan_lines l
               SET status = CASE WHEN x.reason <> '' THEN 'rejected' ELSE 'pending' END,
                   rejection_reason = nullif(x.reason, ''),
                   acknowledged_flags = coalesce(string_to_array(nullif(x.acknowledged, ''), ','), '{}'),
                   acknowledged_by = CASE WHEN x.acknowledged <> '' THEN padu.current_account() END,
                   acknowledged_at = CASE WHEN x.acknowledged <> '' THEN now() END
              FROM unnest(\(numbers.map(Int64.init))::int8[], \(reasons)::text[], \(flags)::text[])
                   AS x(line_no, reason, acknowledged)
             WHERE l.plan_id = \(id) AND l.line_no = x.line_no
               AND EXISTS (SELECT 1 FROM padu.distribution_plans p WHERE p.id = \(id) AND p.status = 'submitted')
            """,
            """
            SELECT padu.audit('review', 'plan', \(String(id)),
                              jsonb_build_object('lines', \(Int64(numbers.count)),
                                                 'rejected', (SELECT coalesce(jsonb_agg(r ORDER BY r), '[]'::jsonb)
                                                                FROM unnest(\(rejections.map { Int64($0.lineNo) })::int8[]) AS r),
                                                 'acknowledged',
                                                 (SELECT coalesce(jsonb_agg(jsonb_build_object(
                                                             'line_no', a.line_no, 'flags', string_to_array(a.flags, ','))
                                                             ORDER BY a.line_no), '[]'::jsonb)
                                                    FROM unnest(\(numbers.map(Int64.init))::int8[], \(flags)::text[])
                                                         AS a(line_no, flags) WHERE a.flags <> '')))
            """,
        ])
        return results[0].affectedRows
    }

    /// Line numbers of the plan by identifier (NIK or KK).
    public func lineNumbers(_ id: Int64) async throws -> [String: Int] {
        let rows = try await connection.query(
            "SELECT coalesce(nik, kk), line_no FROM padu.plan_lines WHERE plan_id = \(id)"
        ).decode((String, Int).self)
        return Dictionary(rows, uniquingKeysWith: { first, _ in first })
    }
}

/// The programmes a check's lists name, each once: the legend that
/// `padu.check_recipients_by_programme` returns on its first row. Each name is decoded once and
/// shared by every list that names it.
private struct CheckLegend {
    struct Programme {
        var agency: String
        var program: String
        var aidKind: String
        var aidCategory: String
    }

    private var programmes: [Int64: Programme] = [:]

    init(_ row: PQRow?) throws {
        guard let row else { return }
        let ids = try row.decode([Int64]?.self, at: 15) ?? []
        let agencies = try row.decode([String]?.self, at: 16) ?? []
        let names = try row.decode([String]?.self, at: 17) ?? []
        let kinds = try row.decode([String]?.self, at: 18) ?? []
        let categories = try row.decode([String]?.self, at: 19) ?? []
        guard agencies.count == ids.count, names.count == ids.count, kinds.count == ids.count,
            categories.count == ids.count
        else { throw DatabaseError.unexpected(code: "check legend arrays differ in length") }
        programmes.reserveCapacity(ids.count)
        for index in ids.indices {
            programmes[ids[index]] = Programme(
                agency: agencies[index], program: names[index], aidKind: kinds[index], aidCategory: categories[index])
        }
    }

    subscript(id: Int64) -> Programme {
        get throws {
            guard let programme = programmes[id] else {
                throw DatabaseError.unexpected(code: "check names a programme without a legend")
            }
            return programme
        }
    }
}
