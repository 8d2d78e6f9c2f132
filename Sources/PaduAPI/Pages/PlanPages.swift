import Foundation
import HTTPTypes
import Hummingbird
import PaduCore
import PaduStore

// A plan's page: for the owning agency its lines and status (submit a draft, fix it); for the
// coordinator of the programme's cluster the review form, line by line.

extension PagesController {
    struct PlanPage {
        var chrome: PageChrome
        var id: Int64
        var programID: Int64
        var programName: String
        var agencyName: String
        var period: String
        var statusLabel: String
        var statusClass: String
        var recipients: String
        var approved: String
        var decisionReason: String?
        var lines: [LineRow]
        var flaggedCount: Int
        /// The owner may submit or fix a draft.
        var canSubmit: Bool
        /// The coordinator reviews a submitted plan.
        var canDecide: Bool
        var reason: String
        var problems: [PageProblem]
        var canDeliver: Bool
        var showStatus = true
    }

    /// What the review form posted for one line.
    struct LineDecision {
        var reject: Bool
        var reason: String
        var acknowledged: [String]
    }

    func planPage(
        _ visit: Visit, id: Int64, decisions: [Int: LineDecision] = [:], reason: String = "",
        problems: [PageProblem] = [], lineProblems: [Int: String] = [:], status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        guard let plan = try await visit.transaction.plans.find(id) else { throw APIError.notFound("plan") }
        let (programmes, agencies) = try await names(visit.transaction)
        let owner = plan.agencyID == visit.caller.agencyID
        // Only a coordinator may ask who decides (the function is not granted to agencies).
        let decides =
            plan.status == .submitted && visit.caller.role == .coordinator
            ? try await visit.transaction.plans.decides(id) : false
        let lines = (plan.recipients ?? []).enumerated().map { offset, check in
            var line = LineRow(check, number: offset + 1)
            if let decision = decisions[line.lineNo] {
                line.rejectChecked = decision.reject
                line.reason = decision.reason
                line.flags = line.flags.map { flag in
                    var flag = flag
                    flag.checked = decision.acknowledged.contains(flag.code)
                    return flag
                }
            }
            line.problem = lineProblems[line.lineNo]
            return line
        }
        let model = PlanPage(
            chrome: try await chrome(
                visit.transaction, session: visit.session, title: "Rencana \(plan.period)", current: ""),
            id: plan.id, programID: plan.programID,
            programName: programmes[plan.programID] ?? "Program \(plan.programID)",
            agencyName: agencies[plan.agencyID] ?? "", period: plan.period.description,
            statusLabel: PlanRow.label(plan.status), statusClass: "status-" + plan.status.rawValue,
            recipients: DashboardFormat.integer(plan.recipientCount),
            approved: DashboardFormat.integer(plan.approvedCount), decisionReason: plan.decisionReason, lines: lines,
            flaggedCount: lines.filter(\.flagged).count, canSubmit: owner && plan.status == .draft,
            canDecide: decides, reason: reason, problems: problems, canDeliver: owner && plan.status == .approved)
        return renderer.page(decides ? "review" : "plan", model, status: status)
    }

    @Sendable func plan(_ request: Request, context: PaduRequestContext) async throws -> Response {
        let id = try context.parameters.id("id")
        return try await visit(request, context, readOnly: true) { visit in
            try await planPage(visit, id: id)
        }
    }

    @Sendable func submit(_ request: Request, context: PaduRequestContext) async throws -> Response {
        let id = try context.parameters.id("id")
        return try await visit(request, context, readOnly: false) { visit in
            guard let plan = try await visit.transaction.plans.header(id), plan.agencyID == visit.caller.agencyID
            else { throw APIError.notFound("plan") }
            guard plan.status.allows(.submitted) else {
                throw APIError.conflict("rencana ini berstatus \(PlanRow.label(plan.status)), bukan draf")
            }
            _ = try await visit.transaction.plans.submit(id)
            return PageRenderer.redirect("/rencana/\(id)")
        }
    }

    /// The review form: per line `keputusan-N` (`setuju`|`tolak`), `alasan-N`, and `akui-N`
    /// checkboxes naming the flags the coordinator acknowledges; `decision` is `approve` (the
    /// plan, less the rejected lines) or `reject` (the whole plan, with `reason`).
    @Sendable func decide(_ request: Request, context: PaduRequestContext) async throws -> Response {
        let id = try context.parameters.id("id")
        return try await visit(request, context, readOnly: false, roles: [.coordinator]) { visit in
            let form = visit.form!
            guard let plan = try await visit.transaction.plans.header(id) else { throw APIError.notFound("plan") }
            guard try await visit.transaction.plans.decides(id) else {
                throw APIError.forbidden("hanya koordinator klaster program ini yang memutuskan")
            }
            let lines = Set(try await visit.transaction.plans.lineNumbers(id).values)
            var decisions: [Int: LineDecision] = [:]
            var lineProblems: [Int: String] = [:]
            for line in lines {
                let decision = LineDecision(
                    reject: form.value("keputusan-\(line)") == "tolak", reason: form.value("alasan-\(line)") ?? "",
                    acknowledged: form.values("akui-\(line)"))
                decisions[line] = decision
                if decision.reject && decision.reason.isEmpty {
                    lineProblems[line] = "Tulis alasan menolak penerima ini."
                } else if decision.reason.count > 1000 {
                    lineProblems[line] = "Alasan paling banyak 1000 karakter."
                }
            }
            let reason = form.value("reason") ?? ""
            let decision = PlanDecision(rawValue: form.value("decision") ?? "")
            // An approval acknowledges each approved line's flags as the plan shows them now; the
            // database holds the rule (PD036), this names the lines first, as the API does.
            var flags: [Int: [CheckFlag]] = [:]
            var acknowledgements: [LineAcknowledgement] = []
            if decision == .approve {
                for line in try await visit.transaction.findPlan(id).recipients ?? [] {
                    guard let lineNo = line.lineNo, line.status == .pending, decisions[lineNo]?.reject != true else {
                        continue
                    }
                    if !line.flags.isEmpty { flags[lineNo] = line.flags }
                    let acknowledged = (decisions[lineNo]?.acknowledged ?? []).compactMap(CheckFlag.init(rawValue:))
                    if !acknowledged.isEmpty {
                        acknowledgements.append(LineAcknowledgement(lineNo: lineNo, flags: acknowledged))
                    }
                    let missing = CheckFlag.unacknowledged(line.flags, acknowledged: acknowledged)
                    if !missing.isEmpty, lineProblems[lineNo] == nil {
                        lineProblems[lineNo] =
                            "Akui tanda \(missing.map(FlagView.label).joined(separator: ", ")) atau tolak penerima ini."
                    }
                }
            }
            var problems: [PageProblem] = []
            if decision == nil { problems.append(.init(field: "decision", problem: "Pilih setujui atau tolak.")) }
            if decision == .reject && reason.isEmpty {
                problems.append(.init(field: "reason", problem: "Tulis alasan menolak seluruh rencana."))
            }
            if reason.count > 2000 {
                problems.append(.init(field: "reason", problem: "Alasan paling banyak 2000 karakter."))
            }
            guard let decision, problems.isEmpty, lineProblems.isEmpty else {
                if !lineProblems.isEmpty {
                    problems.append(.init(field: "", problem: "Periksa baris yang ditandai di bawah."))
                }
                return try await planPage(
                    visit, id: id, decisions: decisions, reason: reason, problems: problems, lineProblems: lineProblems,
                    status: .unprocessableContent)
            }
            guard plan.status.allows(decision.outcome) else {
                throw APIError.conflict("rencana ini berstatus \(PlanRow.label(plan.status)), bukan diajukan")
            }
            let rejections = decisions.filter(\.value.reject).keys.sorted().map {
                LineRejection(lineNo: $0, reason: decisions[$0]!.reason)
            }
            try await visit.transaction.plans.decide(
                id, decision, reason: reason.isEmpty ? nil : reason, rejecting: rejections,
                acknowledging: acknowledgements, flags: flags)
            return PageRenderer.redirect("/rencana/\(id)")
        }
    }
}
