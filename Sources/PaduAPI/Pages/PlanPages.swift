import Foundation
import HTTPTypes
import Hummingbird
import PaduCore
import PaduStore

// A plan's page: for the owning agency its lines and status (the check of an uploaded list is
// its draft: submit it, fix it); for the coordinator of the programme's cluster the review form.
// Both show a compact table a page of lines at a time (`?halaman=N`, `?tampil=perlu` for the
// lines that still need attention), so a plan of 1,000 lines stays a light page.
//
// The decision covers the whole plan (`PlanStore.decide`, as the API's). The review form covers
// the lines of its page: what the coordinator chose there (reject with a reason, acknowledge
// flags) is kept on the lines themselves as they wait (`PlanStore.review`), and the decision
// approves the lines still pending. So the rule stays where it is: the database refuses to
// approve a line whose flags are not acknowledged (PD036), whichever page it was on.

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
        var pager: Pager
        var flaggedCount: Int
        var attentionCount: Int
        var hasAttention: Bool
        /// Only the lines that need attention are shown.
        var attentionOnly: Bool
        var allHref: String
        var attentionHref: String
        var legend = FlagCode.legend
        /// The owner may submit or fix a draft.
        var canSubmit: Bool
        /// The coordinator reviews a submitted plan.
        var canDecide: Bool
        var reason: String
        var problems: [PageProblem]
        var notice: String?
        var canDeliver: Bool
        /// The line numbers of this page, which the review form posts back.
        var pageLines: String
        var returnQuery: String
    }

    /// What the review form posted for one line.
    struct LineDecision {
        var reject: Bool
        var reason: String
        var acknowledged: [CheckFlag]
    }

    /// Where the review or plan page was: page number and filter.
    struct PlanView {
        var page = 1
        var attentionOnly = false

        init(page: Int = 1, attentionOnly: Bool = false) {
            self.page = page
            self.attentionOnly = attentionOnly
        }

        init(_ query: (String) -> String?) {
            page = Pager.requested(query("halaman"))
            attentionOnly = query("tampil") == "perlu"
        }

        func href(_ id: Int64, page: Int) -> String {
            "/rencana/\(id)?halaman=\(page)" + (attentionOnly ? "&tampil=perlu" : "")
        }
    }

    func planPage(
        _ visit: Visit, id: Int64, view: PlanView, decisions: [Int: LineDecision] = [:], reason: String = "",
        problems: [PageProblem] = [], lineProblems: [Int: String] = [:], notice: String? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        guard let plan = try await visit.transaction.plans.find(id) else { throw APIError.notFound("plan") }
        let (programmes, agencies) = try await names(visit.transaction)
        let owner = plan.agencyID == visit.caller.agencyID
        // Only a coordinator may ask who decides (the function is not granted to agencies).
        let decides =
            plan.status == .submitted && visit.caller.role == .coordinator
            ? try await visit.transaction.plans.decides(id) : false
        let all = (plan.recipients ?? []).enumerated().map { offset, check in
            // The household view answers the coordinator, and the owner once a line is approved.
            LineRow(check, number: offset + 1, householdLink: decides || check.status == .approved)
        }
        let attention = all.filter { decides ? $0.needsAttention : $0.flagged }
        let shown = view.attentionOnly ? attention : all
        let pager = Pager(requested: view.page, total: shown.count) { view.href(id, page: $0) }
        let lines = pager.slice(shown).map { row in
            var line = row
            if let decision = decisions[line.lineNo] {
                line.rejectChecked = decision.reject
                line.reason = decision.reason
                line.flags = line.flags.map { flag in
                    var flag = flag
                    flag.checked = FlagCode.flag(short: flag.code).map(decision.acknowledged.contains) ?? false
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
            approved: DashboardFormat.integer(plan.approvedCount), decisionReason: plan.decisionReason,
            lines: lines, pager: pager, flaggedCount: all.filter(\.flagged).count, attentionCount: attention.count,
            hasAttention: !attention.isEmpty,
            attentionOnly: view.attentionOnly, allHref: "/rencana/\(id)", attentionHref: "/rencana/\(id)?tampil=perlu",
            canSubmit: owner && plan.status == .draft, canDecide: decides, reason: reason, problems: problems,
            notice: notice, canDeliver: owner && plan.status == .approved,
            pageLines: lines.map { String($0.lineNo) }.joined(separator: ","),
            returnQuery: "halaman=\(pager.page)" + (view.attentionOnly ? "&tampil=perlu" : ""))
        return renderer.page(decides ? "review" : "plan", model, status: status)
    }

    @Sendable func plan(_ request: Request, context: PaduRequestContext) async throws -> Response {
        let id = try context.parameters.id("id")
        let query = request.uri.queryParameters
        let view = PlanView { query.get($0) }
        let notice: String? =
            switch query.get("pesan") {
            case "dicek": "Daftar dicek dan disimpan sebagai draf rencana. Periksa tanda, lalu ajukan atau perbaiki."
            case "tersimpan": "Pilihan halaman sebelumnya tersimpan. Rencana diputuskan dengan tombol di bawah."
            default: nil
            }
        return try await visit(request, context, readOnly: true) { visit in
            try await planPage(visit, id: id, view: view, notice: notice)
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

    /// The review form of one page of lines: `baris` names the page's lines; per line, `tolak`
    /// (its number, when rejected), `alasan-N` and `akui-N` (the short codes of the flags
    /// acknowledged). `decision` is `simpan` (keep this page's choices, go on), `approve` (the
    /// plan, less the rejected lines) or `reject` (the whole plan, with `reason`).
    @Sendable func decide(_ request: Request, context: PaduRequestContext) async throws -> Response {
        let id = try context.parameters.id("id")
        return try await visit(request, context, readOnly: false, roles: [.coordinator]) { visit in
            let form = visit.form!
            let view = PlanView { form.value($0) }
            guard let plan = try await visit.transaction.plans.header(id) else { throw APIError.notFound("plan") }
            guard try await visit.transaction.plans.decides(id) else {
                throw APIError.forbidden("hanya koordinator klaster program ini yang memutuskan")
            }
            guard plan.status == .submitted else {
                throw APIError.conflict("rencana ini berstatus \(PlanRow.label(plan.status)), bukan diajukan")
            }
            let known = Set(try await visit.transaction.plans.lineNumbers(id).values)
            var lines: [Int] = []
            for text in (form.value("baris") ?? "").split(separator: ",").prefix(Pager.size * 10) {
                guard let line = Int(text), known.contains(line) else {
                    throw APIError.validation(field: "baris", problem: "bukan baris rencana ini")
                }
                lines.append(line)
            }
            let rejected = Set(form.values("tolak").compactMap { Int($0) })
            var decisions: [Int: LineDecision] = [:]
            var lineProblems: [Int: String] = [:]
            for line in lines {
                let decision = LineDecision(
                    reject: rejected.contains(line), reason: form.value("alasan-\(line)") ?? "",
                    acknowledged: form.values("akui-\(line)").compactMap(FlagCode.flag(short:)))
                decisions[line] = decision
                if decision.reject && decision.reason.isEmpty {
                    lineProblems[line] = "Tulis alasan menolak penerima ini."
                } else if decision.reason.count > 1000 {
                    lineProblems[line] = "Alasan paling banyak 1000 karakter."
                }
            }
            let reason = form.value("reason") ?? ""
            let choice = form.value("decision")
            let decision = PlanDecision(rawValue: choice ?? "")
            var problems: [PageProblem] = []
            // Lines of other pages that stop an approval: this page's choices are kept all the same.
            var elsewhere: [PageProblem] = []
            if decision == nil && choice != "simpan" {
                problems.append(.init(field: "decision", problem: "Pilih simpan, setujui atau tolak."))
            }
            if decision == .reject && reason.isEmpty {
                problems.append(.init(field: "reason", problem: "Tulis alasan menolak seluruh rencana."))
            }
            if reason.count > 2000 {
                problems.append(.init(field: "reason", problem: "Alasan paling banyak 2000 karakter."))
            }
            // An approval acknowledges each approved line's flags: this page's as posted, the
            // other pages' as kept. Named here first, per line; the database holds the rule (PD036).
            if decision == .approve {
                for line in try await visit.transaction.findPlan(id).recipients ?? [] {
                    guard let lineNo = line.lineNo, line.status != .approved else { continue }
                    let posted = decisions[lineNo]
                    if posted?.reject == true || (posted == nil && line.status == .rejected) { continue }
                    let acknowledged = posted?.acknowledged ?? line.acknowledgedFlags ?? []
                    let missing = CheckFlag.unacknowledged(line.flags, acknowledged: acknowledged)
                    guard !missing.isEmpty, lineProblems[lineNo] == nil else { continue }
                    let page = view.attentionOnly ? nil : lineNo / Pager.size + 1
                    if posted == nil {
                        elsewhere.append(
                            .init(
                                field: "baris \(lineNo + 1)" + (page.map { " (halaman \($0))" } ?? ""),
                                problem: "akui tanda \(missing.map(FlagCode.short).joined(separator: ", ")) atau tolak")
                        )
                    } else {
                        lineProblems[lineNo] =
                            "Akui tanda \(missing.map(FlagCode.short).joined(separator: ", ")) atau tolak penerima ini."
                    }
                }
            }
            guard problems.isEmpty, lineProblems.isEmpty else {
                if !lineProblems.isEmpty {
                    problems.append(.init(field: "Halaman ini", problem: "periksa baris yang ditandai di bawah."))
                }
                return try await planPage(
                    visit, id: id, view: view, decisions: decisions, reason: reason, problems: problems,
                    lineProblems: lineProblems, status: .unprocessableContent)
            }
            try await visit.transaction.plans.review(
                id, lines: lines,
                rejecting: lines.filter { decisions[$0]!.reject }.map {
                    LineRejection(lineNo: $0, reason: decisions[$0]!.reason)
                },
                acknowledging: lines.compactMap {
                    let flags = decisions[$0]!.acknowledged
                    return flags.isEmpty ? nil : LineAcknowledgement(lineNo: $0, flags: flags)
                })
            if elsewhere.count > 20 {
                let more = elsewhere.count - 20
                elsewhere = Array(elsewhere.prefix(20))
                elsewhere.append(
                    .init(field: "Lainnya", problem: "\(more) baris lagi; tampilkan hanya baris yang perlu perhatian."))
            }
            guard elsewhere.isEmpty else {
                return try await planPage(
                    visit, id: id, view: view, reason: reason,
                    problems: [
                        .init(
                            field: "Rencana",
                            problem: "pilihan di halaman ini tersimpan, tetapi rencana belum diputuskan.")
                    ]
                        + elsewhere,
                    status: .unprocessableContent)
            }
            guard let decision else {
                // Filtered to the lines needing attention, the settled ones leave the list: stay.
                let page = view.attentionOnly ? view.page : view.page + 1
                return PageRenderer.redirect(view.href(id, page: page) + "&pesan=tersimpan")
            }
            // The whole plan, as kept now: the rejected lines with their reasons, the pending
            // ones with the flags they carry and those acknowledged.
            var rejections: [LineRejection] = []
            var acknowledgements: [LineAcknowledgement] = []
            var flags: [Int: [CheckFlag]] = [:]
            for line in try await visit.transaction.findPlan(id).recipients ?? [] {
                guard let lineNo = line.lineNo else { continue }
                if line.status == .rejected {
                    rejections.append(LineRejection(lineNo: lineNo, reason: line.rejectionReason ?? ""))
                } else if line.status == .pending {
                    if !line.flags.isEmpty { flags[lineNo] = line.flags }
                    if let acknowledged = line.acknowledgedFlags, !acknowledged.isEmpty {
                        acknowledgements.append(LineAcknowledgement(lineNo: lineNo, flags: acknowledged))
                    }
                }
            }
            try await visit.transaction.plans.decide(
                id, decision, reason: reason.isEmpty ? nil : reason, rejecting: rejections,
                acknowledging: decision == .approve ? acknowledgements : [], flags: flags)
            return PageRenderer.redirect("/rencana/\(id)")
        }
    }
}
