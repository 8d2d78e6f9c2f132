import Foundation
import HTTPTypes
import Hummingbird
import PaduCore
import PaduStore

// The coordinator's other pages: progress reports of a quarter with who has not reported, and
// the review queue of possible duplicate persons.

extension PagesController {
    struct ReportRow {
        var agency: String
        var programme: String
        var target: String
        var achieved: String
        var statusLabel: String
        var statusClass: String
        var narrative: String
    }

    struct ReportsPage {
        var chrome: PageChrome
        var period: String
        var reports: [ReportRow]
        var missing: [String]
        var showMissing: Bool
    }

    /// `GET /laporan?period=2019-Q3`: the reports the caller may read for the quarter (default:
    /// the current one); the coordinator also sees which agencies in its scope have not reported.
    @Sendable func reports(_ request: Request, context: PaduRequestContext) async throws -> Response {
        let text = request.uri.queryParameters.get("period")
        let period: Quarter
        if let text, let chosen = try? Quarter(text) {
            period = chosen
        } else {
            let today = Calendar(identifier: .gregorian).dateComponents([.year, .month], from: Date())
            period = try Quarter(year: today.year ?? 2019, quarter: ((today.month ?? 1) - 1) / 3 + 1)
        }
        return try await visit(request, context, readOnly: true, roles: [.coordinator]) { visit in
            let listing = try await visit.transaction.reports.list(period: period, withMissing: true)
            let (programmes, agencies) = try await names(visit.transaction)
            let model = ReportsPage(
                chrome: try await chrome(
                    visit.transaction, session: visit.session, title: "Laporan \(period)", current: "laporan"),
                period: period.description,
                reports: listing.items.map {
                    ReportRow(
                        agency: agencies[$0.agencyID] ?? "",
                        programme: programmes[$0.programID] ?? "Program \($0.programID)",
                        target: $0.targetQuantity.map { DashboardFormat.integer(Int($0)) } ?? "—",
                        achieved: $0.achievedQuantity.map { DashboardFormat.integer(Int($0)) } ?? "—",
                        statusLabel: $0.status == .submitted ? "Dikirim" : "Draf",
                        statusClass: $0.status == .submitted ? "status-approved" : "status-draft",
                        narrative: $0.narrative ?? "")
                },
                missing: listing.missing ?? [], showMissing: listing.missing != nil)
            return renderer.page("reports", model)
        }
    }

    struct DuplicateRow {
        var a: Int64
        var b: Int64
        var nikA: String
        var nikB: String
        var nameA: String
        var nameB: String
        var birthA: String
        var birthB: String
        var similarity: String
    }

    struct DuplicatesPage {
        var chrome: PageChrome
        var pairs: [DuplicateRow]
    }

    @Sendable func duplicates(_ request: Request, context: PaduRequestContext) async throws -> Response {
        try await visit(request, context, readOnly: true, roles: [.coordinator]) { visit in
            let pairs = try await visit.transaction.duplicates.list(status: .pending, limit: 200)
            let model = DuplicatesPage(
                chrome: try await chrome(
                    visit.transaction, session: visit.session, title: "Kemungkinan data ganda", current: "duplikat"),
                pairs: pairs.map {
                    DuplicateRow(
                        a: $0.personA.id, b: $0.personB.id, nikA: $0.personA.nik, nikB: $0.personB.nik,
                        nameA: $0.personA.name, nameB: $0.personB.name, birthA: $0.personA.birthDate,
                        birthB: $0.personB.birthDate, similarity: DashboardFormat.percent($0.similarity))
                })
            return renderer.page("duplicates", model)
        }
    }

    /// `keputusan` is `same_person` or `different`; never a silent merge, only the review's mark.
    @Sendable func decideDuplicate(_ request: Request, context: PaduRequestContext) async throws -> Response {
        let a = try context.parameters.id("a")
        let b = try context.parameters.id("b")
        return try await visit(request, context, readOnly: false, roles: [.coordinator]) { visit in
            guard let decision = DuplicateStatus(rawValue: visit.form?.value("keputusan") ?? ""), decision != .pending
            else { throw APIError.validation(field: "keputusan", problem: "pilih orang yang sama atau berbeda") }
            guard try await visit.transaction.duplicates.decide(personA: a, personB: b, decision) else {
                throw APIError.notFound("possible duplicate")
            }
            return PageRenderer.redirect("/duplikat")
        }
    }
}
