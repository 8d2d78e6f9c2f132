import Foundation
import PQ
import PaduCore
import PaduStore
import PaduTestSupport
import Testing

/// v1.1 coordination in the store: other agencies' plans in the check, same-category flags,
/// acknowledged approvals (the database's rule), and where a KK line lives.
@Suite("PlanStore: other plans and acknowledgements")
struct PlanCoordinationTests {
    static let year = try! FiscalYear(2019)

    /// A fixture with a Dinkes housing programme (same category as Baznas' BEDAH-RUMAH).
    static func fixture(_ label: String) async throws -> (Fixture, housing: Int64) {
        let f = try await Fixture.make(label)
        let housing = try await f.database.withAdmin { c in
            try await c.withTransaction { c in
                try await c.query("SET LOCAL ROLE padu_owner")
                return try await c.query(
                    """
                    INSERT INTO padu.programs (agency_id, code, name, cluster_id, aid_kind, aid_category, target, unit)
                    SELECT id, 'JAMBAN-SEHAT', 'Jamban Sehat', 1, 'in_kind', 'housing', 'household', 'unit'
                      FROM padu.agencies WHERE code = 'DINKES' RETURNING id
                    """
                ).first(Int64.self)!
            }
        }
        return (f, housing)
    }

    /// Poor households' current KK with one member's NIK each.
    static func households(_ f: Fixture, _ count: Int) async throws -> [(kk: KK, nik: NIK)] {
        let people = try await f.registryPersons(decile: 1...4)
        var seen = Set<String>()
        var picked: [(KK, NIK)] = []
        for person in people where seen.insert(person.kk.value).inserted {
            picked.append((person.kk, person.nik))
            if picked.count == count { break }
        }
        return picked
    }

    static func plan(
        _ f: Fixture, _ account: String, _ programID: Int64, period: String, _ kks: [KK], submit: Bool = true
    ) async throws -> Plan {
        try await f.tx(account) { tx in
            let plan = try await tx.plans.create(
                programID: programID, target: .household, fiscalYear: year, period: try Quarter(period),
                recipients: kks.map { RecipientInput(.kk($0)) })
            if submit { _ = try await tx.plans.submit(plan.id) }
            return plan
        }
    }

    @Test("another agency's submitted plan shows in other_plans (never a draft), and flags only the same category")
    func otherPlans() async throws {
        let (f, housing) = try await Self.fixture("store_other_plans")
        let target = try await Self.households(f, 2)
        // Baznas' draft is nobody's business yet.
        let draft = try await Self.plan(
            f, "baznas", f.programs["BEDAH-RUMAH"]!, period: "2019-Q2", [target[0].kk],
            submit: false)
        let before = try await f.tx("dinkes") { tx in
            try await tx.plans.check(
                programID: housing, fiscalYear: Self.year, recipients: [RecipientInput(.kk(target[0].kk))],
                target: .household)
        }
        #expect(before[0].otherPlans.isEmpty)
        #expect(before[0].flags.isEmpty)
        _ = try await f.tx("baznas") { tx in try await tx.plans.submit(draft.id) }

        let (same, other, otherYear) = try await f.tx("dinkes") { tx in
            (
                try await tx.plans.check(
                    programID: housing, fiscalYear: Self.year,
                    recipients: [RecipientInput(.kk(target[0].kk)), RecipientInput(.kk(target[1].kk))],
                    target: .household),
                // A member, by NIK, for toddler food: the household's plan shows, no flag.
                try await tx.plans.check(
                    programID: f.programs["PMT-BALITA"]!, fiscalYear: Self.year,
                    recipients: [RecipientInput(.nik(target[0].nik))], target: .person),
                try await tx.plans.check(
                    programID: housing, fiscalYear: try FiscalYear(2020),
                    recipients: [RecipientInput(.kk(target[0].kk))], target: .household)
            )
        }
        let expected = OtherPlan(
            agency: "Baznas", program: "Bedah Rumah Tidak Layak Huni (Rutilahu)", aidCategory: "housing",
            status: "submitted", period: "2019-Q2")
        #expect(same[0].otherPlans == [expected])
        #expect(same[0].flags == [.sameCategoryPlanned])
        #expect(same[1].otherPlans.isEmpty)
        #expect(same[1].flags.isEmpty)
        #expect(other[0].otherPlans == [expected])
        #expect(other[0].flags.isEmpty)
        #expect(otherYear[0].otherPlans.isEmpty)
        // Baznas' own check does not show its own plan as another's.
        let own = try await f.tx("baznas") { tx in
            try await tx.plans.check(
                programID: f.programs["BEDAH-RUMAH"]!, fiscalYear: Self.year,
                recipients: [RecipientInput(.kk(target[0].kk))], target: .household)
        }
        #expect(own[0].otherPlans.isEmpty)
        #expect(!own[0].flags.contains(.sameCategoryPlanned))
    }

    @Test("approving a flagged line needs its flags acknowledged: the database refuses otherwise, and stores who did")
    func acknowledgement() async throws {
        let (f, housing) = try await Self.fixture("store_acknowledge")
        let target = try await Self.households(f, 2)
        _ = try await Self.plan(f, "baznas", f.programs["BEDAH-RUMAH"]!, period: "2019-Q2", [target[0].kk])
        let plan = try await Self.plan(f, "dinkes", housing, period: "2019-Q3", [target[0].kk, target[1].kk])
        #expect(plan.recipients?.map(\.flags) == [[.sameCategoryPlanned], []])

        // Without the acknowledgement, the database says no, whatever the API would have said.
        let refused = await databaseError {
            try await f.tx("dinsos") { tx in
                try await tx.plans.decide(plan.id, .approve, reason: nil, rejecting: [])
            }
        }
        #expect(refused == .rule(.flagsNotAcknowledged, column: "acknowledged_flags"))
        // Acknowledging another flag is not enough either.
        let wrong = await databaseError {
            try await f.tx("dinsos") { tx in
                try await tx.plans.decide(
                    plan.id, .approve, reason: nil, rejecting: [],
                    acknowledging: [LineAcknowledgement(lineNo: 0, flags: [.decileAbove4])])
            }
        }
        #expect(wrong == .rule(.flagsNotAcknowledged, column: "acknowledged_flags"))

        try await f.tx("dinsos") { tx in
            try await tx.plans.decide(
                plan.id, .approve, reason: "dikoordinasikan dengan Baznas", rejecting: [],
                acknowledging: [LineAcknowledgement(lineNo: 0, flags: [.sameCategoryPlanned])])
        }
        let decided = try #require(try await f.tx("dinkes") { tx in try await tx.plans.find(plan.id) })
        #expect(decided.status == .approved)
        #expect(decided.recipients?.map(\.status) == [.approved, .approved])
        #expect(decided.recipients?[0].acknowledgedFlags == [.sameCategoryPlanned])
        #expect(decided.recipients?[1].acknowledgedFlags == nil)
        let (stored, audited) = try await f.database.withAdmin { c in
            (
                try await c.query(
                    """
                    SELECT l.acknowledged_flags, l.acknowledged_by, l.acknowledged_at IS NOT NULL
                      FROM padu.plan_lines l WHERE l.plan_id = \(plan.id) AND l.line_no = 0
                    """
                ).first(([String], Int64?, Bool).self),
                try await c.query(
                    """
                    SELECT (detail->'acknowledged')::text FROM padu.audit_log
                     WHERE action = 'decide' AND entity = 'plan' AND entity_id = \(String(plan.id))
                    """
                ).first(String.self)
            )
        }
        #expect(stored?.0 == ["SAME_CATEGORY_PLANNED"])
        #expect(stored?.1 == f.accounts["dinsos"])
        #expect(stored?.2 == true)
        #expect(audited == #"[{"flags": ["SAME_CATEGORY_PLANNED"], "line_no": 0}]"#)

        // Analysts see the decision pseudonymously: what was flagged and acknowledged, no identifiers.
        let (decision, lines, columns, readable) = try await f.database.withAdmin { c in
            (
                try await c.query(
                    """
                    SELECT decision, reason, flagged_by_flag::text, acknowledged_by_flag::text, lines_approved
                      FROM analytics.plan_decisions WHERE program_id = \(housing)
                    """
                ).first((String, String?, String, String, Int64).self),
                try await c.query(
                    """
                    SELECT acknowledged_flags, person_key IS NULL AND household_key IS NOT NULL
                      FROM analytics.plan_lines WHERE program_id = \(housing) ORDER BY acknowledged_flags DESC
                    """
                ).decode(([String], Bool).self),
                try await c.query(
                    """
                    SELECT column_name::text FROM information_schema.columns
                     WHERE table_schema = 'analytics'
                       AND table_name IN ('plan_lines', 'plan_decisions', 'plan_line_rejections', 'progress_reports')
                    """
                ).decode(String.self),
                try await c.query(
                    """
                    SELECT bool_and(has_table_privilege('padu_analyst', 'analytics.' || v, 'SELECT'))
                      FROM unnest(ARRAY['plan_lines', 'plan_decisions', 'plan_line_rejections', 'progress_reports']) v
                    """
                ).first(Bool.self)
            )
        }
        #expect(decision?.0 == "approve")
        #expect(decision?.1 == "dikoordinasikan dengan Baznas")
        #expect(decision?.2 == #"{"SAME_CATEGORY_PLANNED": 1}"#)
        #expect(decision?.3 == #"{"SAME_CATEGORY_PLANNED": 1}"#)
        #expect(decision?.4 == 2)
        #expect(lines.map(\.0) == [["SAME_CATEGORY_PLANNED"], []])
        #expect(lines.allSatisfy { $0.1 })
        let identifying: Set<String> = ["nik", "kk", "name", "person_id", "household_id", "plan_id", "line_no", "id"]
        #expect(!columns.isEmpty && identifying.isDisjoint(with: columns))
        #expect(readable == true)
    }

    @Test("choices kept before the decision (a page of the review): never an approval, the coordinator's only")
    func reviewBeforeDecision() async throws {
        let (f, housing) = try await Self.fixture("store_review")
        let target = try await Self.households(f, 3)
        _ = try await Self.plan(f, "baznas", f.programs["BEDAH-RUMAH"]!, period: "2019-Q2", [target[0].kk])
        let plan = try await Self.plan(f, "dinkes", housing, period: "2019-Q3", target.map(\.kk))
        #expect(plan.recipients?.map(\.flags) == [[.sameCategoryPlanned], [], []])
        // The owner cannot keep choices on its own submitted plan: the database refuses (PD005).
        let owner = await databaseError {
            try await f.tx("dinkes") { tx in
                _ = try await tx.plans.review(
                    plan.id, lines: [0], rejecting: [],
                    acknowledging: [LineAcknowledgement(lineNo: 0, flags: [.sameCategoryPlanned])])
            }
        }
        #expect(owner == .rule(.planState, column: nil))
        // The coordinator keeps line 0 acknowledged and line 1 rejected; nothing is approved.
        let written = try await f.tx("dinsos") { tx in
            try await tx.plans.review(
                plan.id, lines: [0, 1], rejecting: [LineRejection(lineNo: 1, reason: "pindah")],
                acknowledging: [LineAcknowledgement(lineNo: 0, flags: [.sameCategoryPlanned])])
        }
        #expect(written == 2)
        let kept = try #require(try await f.tx("dinsos") { tx in try await tx.plans.find(plan.id) })
        #expect(kept.status == .submitted)
        #expect(kept.recipients?.map(\.status) == [.pending, .rejected, .pending])
        #expect(kept.recipients?[0].acknowledgedFlags == [.sameCategoryPlanned])
        #expect(kept.recipients?[1].rejectionReason == "pindah")
        // Changing its mind: line 1 pending again, line 0 unacknowledged again.
        try await f.tx("dinsos") { tx in
            _ = try await tx.plans.review(plan.id, lines: [0, 1], rejecting: [], acknowledging: [])
        }
        let again = try #require(try await f.tx("dinsos") { tx in try await tx.plans.find(plan.id) })
        #expect(again.recipients?.map(\.status) == [.pending, .pending, .pending])
        #expect(again.recipients?[0].acknowledgedFlags == nil)
        #expect(again.recipients?[1].rejectionReason == nil)
        // Once decided, nothing more is kept.
        try await f.tx("dinsos") { tx in
            try await tx.plans.decide(plan.id, .reject, reason: "anggaran habis", rejecting: [])
        }
        let late = try await f.tx("dinsos") { tx in
            try await tx.plans.review(
                plan.id, lines: [2], rejecting: [LineRejection(lineNo: 2, reason: "x")], acknowledging: [])
        }
        #expect(late == 0)
    }

    @Test("rejected lines need no acknowledgement; the owner cannot acknowledge its own draft")
    func rejectedAndOwner() async throws {
        let (f, housing) = try await Self.fixture("store_acknowledge_reject")
        let target = try await Self.households(f, 2)
        _ = try await Self.plan(f, "baznas", f.programs["BEDAH-RUMAH"]!, period: "2019-Q2", [target[0].kk])
        let draft = try await Self.plan(f, "dinkes", housing, period: "2019-Q3", [target[0].kk], submit: false)
        let selfAcknowledged = await #expect(throws: PQError.self) {
            try await f.as("dinkes") { c in
                _ = try await c.query(
                    """
                    UPDATE padu.plan_lines SET acknowledged_flags = '{SAME_CATEGORY_PLANNED}',
                           acknowledged_by = padu.current_account(), acknowledged_at = now()
                     WHERE plan_id = \(draft.id)
                    """)
            }
        }
        #expect(selfAcknowledged?.sqlState == "PD005")
        let plan = try await Self.plan(f, "dinkes", housing, period: "2019-Q4", [target[0].kk, target[1].kk])
        try await f.tx("dinsos") { tx in
            try await tx.plans.decide(
                plan.id, .approve, reason: nil, rejecting: [LineRejection(lineNo: 0, reason: "Baznas sudah")])
        }
        let decided = try #require(try await f.tx("dinkes") { tx in try await tx.plans.find(plan.id) })
        #expect(decided.recipients?.map(\.status) == [.rejected, .approved])
        #expect(decided.recipients?[0].rejectionReason == "Baznas sudah")
    }

    @Test(
        "a KK line shows its programme, agency and village; the head's name to the coordinator, and to the agency once approved"
    )
    func places() async throws {
        let (f, _) = try await Self.fixture("store_plan_places")
        let target = try await Self.households(f, 1)
        let (village, head) = try await f.database.withAdmin { c in
            try await c.query(
                """
                SELECT g.name, (SELECT p.name FROM padu.household_members m JOIN padu.persons p ON p.id = m.person_id
                                 WHERE m.household_id = h.id AND m.valid_to IS NULL
                                 ORDER BY m.relationship <> 'head', p.id LIMIT 1)
                  FROM padu.household_kk k JOIN padu.households h ON h.id = k.household_id
                  JOIN padu.regions g ON g.code = h.region_code
                 WHERE k.kk = \(target[0].kk.value) AND k.valid_to IS NULL
                """
            ).first((String, String?).self)!
        }
        let plan = try await Self.plan(f, "baznas", f.programs["BEDAH-RUMAH"]!, period: "2019-Q2", [target[0].kk])
        let (owner, coordinator) = (
            try #require(try await f.tx("baznas") { tx in try await tx.plans.find(plan.id) }),
            try #require(try await f.tx("dinsos") { tx in try await tx.plans.find(plan.id) })
        )
        for line in [owner.recipients?.first, coordinator.recipients?.first] {
            #expect(line?.program == "Bedah Rumah Tidak Layak Huni (Rutilahu)")
            #expect(line?.agency == "Baznas")
            #expect(line?.village == village)
        }
        #expect(owner.recipients?.first?.headOfHousehold == nil, "not before the coordinator approved the line")
        #expect(coordinator.recipients?.first?.headOfHousehold == head)
        try await f.tx("dinsos") { tx in try await tx.plans.decide(plan.id, .approve, reason: nil, rejecting: []) }
        let approved = try #require(try await f.tx("baznas") { tx in try await tx.plans.find(plan.id) })
        #expect(approved.recipients?.first?.headOfHousehold == head)
        // Another agency learns nothing through the function.
        let outsider = try await f.as("dinkes") { c in
            try await c.query("SELECT count(*) FROM padu.plan_line_places(\(plan.id))").first(Int64.self)
        }
        #expect(outsider == 0)
    }

    @Test("a plan line answers name_matches as its check did, later too, without keeping the name")
    func nameMatches() async throws {
        let (f, _) = try await Self.fixture("store_plan_names")
        let person = try #require(try await f.registryPersons(decile: 1...4).first)
        let plan = try await f.tx("dinkes") { tx in
            try await tx.plans.create(
                programID: f.programs["PMT-BALITA"]!, target: .person, fiscalYear: Self.year,
                period: try Quarter("2019-Q2"),
                recipients: [
                    RecipientInput(.nik(person.nik), name: person.name.uppercased()),
                    RecipientInput(.nik(person.nik), name: "Nama Lain Sama Sekali"),
                ])
        }
        #expect(plan.recipients?.map(\.nameMatches) == [true, false])
        let found = try #require(try await f.tx("dinkes") { tx in try await tx.plans.find(plan.id) })
        #expect(found.recipients?.map(\.nameMatches) == [true, false])
        let rewritten = await #expect(throws: PQError.self) {
            try await f.as("dinkes") { c in
                _ = try await c.query("UPDATE padu.plan_lines SET name_matches = true WHERE plan_id = \(plan.id)")
            }
        }
        #expect(rewritten?.sqlState == "PD005")
    }

    @Test("other aid counts each delivery once, however it names the recipient (household, NIK, unregistered NIK)")
    func otherAidCountsEachDeliveryOnce() async throws {
        let (f, _) = try await Self.fixture("store_other_aid_once")
        let people = try await f.registryPersons(decile: 1...4)
        let byKK = Dictionary(grouping: people, by: { $0.kk.value })
        let household = try #require(byKK.values.first { $0.count >= 2 })
        let (person, member) = (household[0], household[1])
        // Not in the registry (serial 9999), in a known district.
        let unregistered = try NIK("1606010101909999")
        _ = try await f.database.withAdmin { c in
            try await c.withTransaction { c in
                try await c.query("SET LOCAL ROLE padu_owner")
                try await c.query(
                    """
                    INSERT INTO padu.deliveries (program_id, agency_id, nik, person_id, household_id, delivered_on)
                    SELECT g.id, g.agency_id, x.nik, r.person_id, CASE WHEN x.with_ids THEN r.household_id END,
                           '2019-05-01'
                      FROM padu.programs g,
                           (VALUES (\(person.nik.value), true), (\(person.nik.value), false),
                                   (\(member.nik.value), true), (\(unregistered.value), false),
                                   (\(unregistered.value), false)) x(nik, with_ids)
                      CROSS JOIN LATERAL padu.resolve_recipients(ARRAY[x.nik], ARRAY['nik']) r0
                      CROSS JOIN LATERAL (SELECT CASE WHEN x.with_ids THEN r0.person_id END AS person_id,
                                                 r0.household_id) r
                     WHERE g.code = 'PBI-JK'
                    """)
            }
        }
        let checks = try await f.tx("dinkes") { tx in
            try await tx.plans.check(
                programID: f.programs["PMT-BALITA"]!, fiscalYear: Self.year,
                recipients: [RecipientInput(.nik(person.nik)), RecipientInput(.nik(unregistered))], target: .person)
        }
        let pbi = "Pendaftaran Penerima Bantuan Iuran Jaminan Kesehatan"
        // The person: to the NIK with the household recorded (found by NIK and by household), to
        // the NIK alone, and to another member of the household: three deliveries.
        #expect(checks[0].otherAid.filter { $0.program == pbi }.map(\.deliveries) == [3])
        // A number the registry does not hold: found by the number alone.
        #expect(checks[1].valid)
        #expect(checks[1].otherAid.filter { $0.program == pbi }.map(\.deliveries) == [2])
    }

    @Test("0103's check stays beside 0107's for servers not yet upgraded, and both answer alike")
    func checkKeptForOlderServers() async throws {
        let (f, housing) = try await Self.fixture("store_check_both")
        let target = try await Self.households(f, 4)
        _ = try await Self.plan(f, "baznas", f.programs["BEDAH-RUMAH"]!, period: "2019-Q2", target.map(\.kk))
        let people = try await f.registryPersons()
        // Deliveries of two other programmes on several dates, so the lists have an order to keep
        // (PBI-JK ten days after PMT-BALITA: by date it comes first, by name second).
        let delivered = Array(people.prefix(12)).map(\.nik.value)
        _ = try await f.database.withAdmin { c in
            try await c.withTransaction { c in
                try await c.query("SET LOCAL ROLE padu_owner")
                // Delivered without a plan, as PBI-JK is.
                try await c.query("UPDATE padu.programs SET requires_coordination = false WHERE code = 'PMT-BALITA'")
                try await c.query(
                    """
                    INSERT INTO padu.deliveries (program_id, agency_id, nik, person_id, household_id, delivered_on)
                    SELECT g.id, g.agency_id, x.nik, r.person_id, r.household_id, date '2019-03-01' + (x.n % 5)::int * 30
                           + CASE g.code WHEN 'PBI-JK' THEN 10 ELSE 0 END
                      FROM unnest(\(delivered)::text[]) WITH ORDINALITY x(nik, n)
                      CROSS JOIN LATERAL padu.resolve_recipients(ARRAY[x.nik], ARRAY['nik']) r
                      JOIN padu.programs g ON g.code = 'PBI-JK' OR (g.code = 'PMT-BALITA' AND x.n % 2 = 0)
                    """)
            }
        }
        let recipients =
            people.map { RecipientInput(.nik($0.nik)) } + target.map { RecipientInput(.kk($0.kk)) }
            + [RecipientInput(.nik(try NIK("1606011503800001")))]
        let ids = recipients.map(\.id.text)
        let kinds = recipients.map(\.id.kind.rawValue)
        // As Dinkes: what an upgraded server shows (0107's ids, named by the store from the
        // legend), and what one not yet upgraded reads (0103's columns).
        let shown = try await f.tx("dinkes") { tx in
            try await tx.plans.check(
                programID: housing, fiscalYear: Self.year, recipients: recipients, target: .household)
        }
        let old = try await f.as("dinkes") { c in
            try await c.query(
                """
                SELECT aid_agencies, aid_programs, aid_kinds, aid_categories, aid_deliveries, aid_last_on,
                       plan_agencies, plan_programs, plan_categories, plan_statuses, plan_periods
                  FROM padu.check_recipients(\(housing), 2019, \(ids)::text[], \(kinds)::text[])
                """
            ).map { row in
                // Each list as its entries, each entry as its fields in the columns' order.
                func entries(_ columns: Range<Int>) throws -> [[String]] {
                    let lists = try columns.map { try row.decode([String]?.self, at: $0) ?? [] }
                    return lists[0].indices.map { index in lists.map { $0[index] } }
                }
                return (aid: try entries(0..<6), plans: try entries(6..<11))
            }
        }
        let differing = zip(shown, old).filter { recipient, old in
            recipient.otherAid.map {
                [$0.agency, $0.program, $0.aidKind, $0.aidCategory, String($0.deliveries), $0.lastDeliveredOn]
            } != old.aid
                || recipient.otherPlans.map { [$0.agency, $0.program, $0.aidCategory, $0.status, $0.period] }
                    != old.plans
        }.count
        let aid = old.map(\.aid.count).reduce(0, +)
        let plans = old.map(\.plans.count).reduce(0, +)
        #expect(old.count == recipients.count)
        #expect(differing == 0)
        // Newest aid first, then by programme name.
        let ordered = shown.map { $0.otherAid.map { [$0.lastDeliveredOn, $0.program] } }
        #expect(ordered.allSatisfy { $0 == $0.sorted { ($0[0], $1[1]) > ($1[0], $0[1]) } })
        #expect(ordered.contains { Set($0.map { $0[0] }).count > 1 })
        // Something to compare: other agencies' aid (the demo's deliveries) and Baznas' plan.
        #expect(aid > 0)
        // Each planned household's line, seen by its KK and by each member's NIK.
        let planned = Set(target.map(\.kk.value))
        #expect(plans == people.filter { planned.contains($0.kk.value) }.count + target.count)
    }
}
