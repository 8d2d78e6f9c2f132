import Foundation
import PQ
import PaduCore
import PaduTestSupport
import Testing

@testable import PaduStore

/// /summary's coordination figures, kept per plan by triggers (0102), equal a count over the
/// plan lines at every commit, and equal what the repair tool recomputes.
@Suite("The coordination figures kept per plan")
struct SummaryCoordinationTests {
    /// The year's figures counted straight from the plan lines, as padu.summary counted them
    /// before 0102: lines of plans put before the coordinator, of every agency.
    static func counted(_ f: Fixture, year: Int) async throws -> Coordination {
        try await f.database.withAdmin { c in
            let totals = try await c.query(
                """
                SELECT count(*)::int8, (count(*) FILTER (WHERE l.status = 'approved'))::int8,
                       (count(*) FILTER (WHERE l.status = 'rejected'))::int8,
                       coalesce(sum(l.planned_value_idr) FILTER (WHERE l.status = 'rejected'), 0)::int8
                  FROM padu.plan_lines l JOIN padu.distribution_plans p ON p.id = l.plan_id
                 WHERE l.fiscal_year = \(Int32(year)) AND p.status <> 'draft'
                """
            ).first((Int, Int, Int, Int64).self)
            let flags = try await c.query(
                """
                SELECT f, count(*)::int8
                  FROM padu.plan_lines l JOIN padu.distribution_plans p ON p.id = l.plan_id, unnest(l.flags) f
                 WHERE l.fiscal_year = \(Int32(year)) AND p.status <> 'draft' AND l.status = 'rejected'
                 GROUP BY f
                """
            ).decode((String, Int).self)
            let (submitted, approved, rejected, value) = totals ?? (0, 0, 0, 0)
            return Coordination(
                linesSubmitted: submitted, linesApproved: approved, linesRejected: rejected,
                rejectedValueIDR: value, rejectedByFlag: Dictionary(uniqueKeysWithValues: flags))
        }
    }

    /// Every row of padu.summary_coordination, as text, sorted.
    static func rows(_ c: PQConnection) async throws -> String {
        try await c.query(
            "SELECT coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '') FROM padu.summary_coordination t"
        ).first(String.self) ?? ""
    }

    /// The executive's /summary equals the direct count for both years, and the kept rows equal
    /// those the repair tool recomputes.
    static func expectKept(_ f: Fixture, _ round: String, sourceLocation: SourceLocation = #_sourceLocation)
        async throws
    {
        for year in [2019, 2020] {
            let shown = try await f.tx("bupati") { tx in try await tx.summary.summary(year: try FiscalYear(year)) }
            let expected = try await Self.counted(f, year: year)
            #expect(shown.coordination == expected, "round \(round), \(year)", sourceLocation: sourceLocation)
        }
        let (kept, recomputed) = try await f.database.withAdmin { c in
            let kept = try await Self.rows(c)
            _ = try await c.query("SELECT padu.refresh_summary()")
            return (kept, try await Self.rows(c))
        }
        #expect(kept == recomputed, "round \(round): kept rows differ from a recompute", sourceLocation: sourceLocation)
    }

    @Test("drafts, submissions, reviews, decisions and deleted drafts: /summary's coordination equals a direct count")
    func keptThroughThePlansLife() async throws {
        let f = try await Fixture.make("sum_coordination", households: 240)
        let poor = try await f.registryPersons(decile: 1...4)
        let rich = try await f.registryPersons(decile: 7...10)
        try #require(poor.count >= 40 && rich.count >= 20)
        let renovation = f.programs["BEDAH-RUMAH"]!
        var random = SplitMix(seed: 20_261_202)
        print("coordination workload seed 20261202")
        var drafts: [Int64] = []

        for round in 1...5 {
            let year = round % 2 == 0 ? 2020 : 2019
            // Some households of each kind; a few invalid KKs so INVALID_ID is among the flags.
            var recipients: [RecipientInput] = []
            for _ in 0..<(4 + Int(random.next() % 5)) {
                let person = poor[Int(random.next() % UInt64(poor.count))]
                recipients.append(
                    RecipientInput(
                        .kk(person.kk), plannedValueIDR: try Rupiah(Int64(1 + random.next() % 9) * 1_000_000)))
            }
            for _ in 0..<(1 + Int(random.next() % 3)) {
                let person = rich[Int(random.next() % UInt64(rich.count))]
                recipients.append(
                    RecipientInput(
                        .kk(person.kk), plannedValueIDR: try Rupiah(Int64(1 + random.next() % 9) * 1_000_000)))
            }
            recipients.append(RecipientInput(.malformed(.kk, "16060101"), plannedValueIDR: try Rupiah(7_000_000)))
            let plan = try await f.tx("baznas") { tx in
                try await tx.plans.create(
                    programID: renovation, target: .household, fiscalYear: try FiscalYear(year),
                    period: try Quarter("\(year)-Q\(1 + round % 4)"), recipients: recipients)
            }
            // A draft counts nowhere; one that is deleted leaves nothing behind.
            try await Self.expectKept(f, "\(round) draft")
            if round == 3 {
                drafts.append(plan.id)
                continue
            }
            _ = try await f.tx("baznas") { tx in try await tx.plans.submit(plan.id) }
            try await Self.expectKept(f, "\(round) submitted")

            // The coordinator rejects every line with a flag but one, keeps that choice in a
            // review first, and approves the rest with their flags acknowledged (or rejects all).
            let lines = try await f.database.withAdmin { c in
                try await c.query(
                    "SELECT line_no::int8, array_to_string(flags, ',') FROM padu.plan_lines WHERE plan_id = \(plan.id) ORDER BY line_no"
                ).decode((Int, String).self)
            }
            let flagged = lines.filter { !$0.1.isEmpty }
            let rejections = flagged.dropFirst().map { LineRejection(lineNo: $0.0, reason: "tidak tepat sasaran") }
            let acknowledged = flagged.prefix(1).map {
                LineAcknowledgement(
                    lineNo: $0.0, flags: $0.1.split(separator: ",").compactMap { CheckFlag(rawValue: String($0)) })
            }
            try await f.tx("dinsos") { tx in
                _ = try await tx.plans.review(
                    plan.id, lines: rejections.map(\.lineNo), rejecting: rejections, acknowledging: [])
            }
            try await Self.expectKept(f, "\(round) reviewed")
            let decision: PlanDecision = round == 4 ? .reject : .approve
            try await f.tx("dinsos") { tx in
                try await tx.plans.decide(
                    plan.id, decision, reason: round == 4 ? "anggaran tidak cukup" : nil, rejecting: rejections,
                    acknowledging: acknowledged,
                    flags: Dictionary(uniqueKeysWithValues: acknowledged.map { ($0.lineNo, $0.flags) }))
            }
            try await Self.expectKept(f, "\(round) decided")
        }

        // A draft's lines and the draft itself, deleted.
        try await f.database.withAdmin { c in
            for id in drafts {
                // Its lines first: padu.plan_lines_guard refuses lines whose plan is gone.
                try await c.query("DELETE FROM padu.plan_lines WHERE plan_id = \(id) AND line_no = 0")
                try await c.query("DELETE FROM padu.plan_lines WHERE plan_id = \(id)")
                try await c.query("DELETE FROM padu.distribution_plans WHERE id = \(id)")
            }
        }
        try await Self.expectKept(f, "drafts deleted")
        let kept = try await f.database.withAdmin { c in
            try await c.query("SELECT count(*)::int8, coalesce(sum(rejected), 0)::int8 FROM padu.summary_coordination")
                .first((Int, Int).self)
        }
        #expect((kept?.0 ?? 0) == 4, "four plans were put before the coordinator")
        #expect((kept?.1 ?? 0) > 4, "lines were rejected")
    }
}
