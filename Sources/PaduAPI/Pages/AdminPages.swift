import Foundation
import HTTPTypes
import Hummingbird
import PaduCore
import PaduStore

// The admin's pages: accounts (create, deactivate, reset a password) and reporting periods
// (open, close). The same validation and stores as `/api/v1/accounts` and `/api/v1/periods`.

extension PagesController {
    struct AccountRow {
        var id: Int64
        var username: String
        var roleLabel: String
        var agencyName: String
        var scope: String
        var active: Bool
    }

    struct AgencyOption {
        var id: Int64
        var name: String
        var selected: Bool
    }

    struct AccountsPage {
        var chrome: PageChrome
        var accounts: [AccountRow]
        var agencies: [AgencyOption]
        var roles: [PageChoice]
        var username: String
        var scope: String
        var problems: [PageProblem]
        var notice: String?
    }

    struct PageChoice {
        var value: String
        var label: String
        var selected: Bool
    }

    func accountsPage(
        _ visit: Visit, form: PageForm? = nil, problems: [PageProblem] = [], notice: String? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let agencies = try await visit.transaction.reference.agencies()
        let names = Dictionary(agencies.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        let accounts = try await visit.transaction.accounts.list(after: 0, limit: 1000)
        let chosenAgency = form?.value("agency_id").flatMap { Int64($0) }
        let chosenRole = form?.value("role") ?? Role.agency.rawValue
        let model = AccountsPage(
            chrome: try await chrome(visit.transaction, session: visit.session, title: "Akun", current: "akun"),
            accounts: accounts.map {
                AccountRow(
                    id: $0.id, username: $0.username, roleLabel: PageChrome.roleLabel($0.role),
                    agencyName: $0.agencyID.flatMap { names[$0] } ?? "—", scope: $0.scope.description,
                    active: $0.active)
            },
            agencies: agencies.map { AgencyOption(id: $0.id, name: $0.name, selected: $0.id == chosenAgency) },
            roles: Role.allCases.map {
                PageChoice(value: $0.rawValue, label: PageChrome.roleLabel($0), selected: $0.rawValue == chosenRole)
            },
            username: form?.value("username") ?? "", scope: form?.value("scope") ?? "16.06", problems: problems,
            notice: notice)
        return renderer.page("accounts", model, status: status)
    }

    @Sendable func accounts(_ request: Request, context: PaduRequestContext) async throws -> Response {
        let notice: String? =
            switch request.uri.queryParameters.get("pesan") {
            case "dibuat": "Akun dibuat."
            case "nonaktif": "Akun dinonaktifkan; sesinya berakhir."
            case "sandi": "Kata sandi diganti."
            default: nil
            }
        return try await visit(request, context, readOnly: true, roles: [.admin]) { visit in
            try await accountsPage(visit, notice: notice)
        }
    }

    @Sendable func createAccount(_ request: Request, context: PaduRequestContext) async throws -> Response {
        do {
            return try await createAccount(request, context)
        } catch let refused as FormRefused {
            // The failed insert ended the transaction: the form comes back in a new one.
            return try await visit(request.withoutBody, context, readOnly: true, roles: [.admin]) { visit in
                try await accountsPage(visit, problems: refused.problems, status: .unprocessableContent)
            }
        }
    }

    private func createAccount(_ request: Request, _ context: PaduRequestContext) async throws -> Response {
        try await visit(request, context, readOnly: false, roles: [.admin]) { visit in
            let form = visit.form!
            let body = AccountController.Body(
                username: form.value("username"), password: form.value("password"), role: form.value("role"),
                agencyID: form.value("agency_id").flatMap { Int64($0) }, scope: form.value("scope"))
            do {
                let (username, password, role, scope) = try AccountController.validateNew(body)
                // The unique index decides; asking first lets the form say so next to the field.
                if try await visit.transaction.accounts.list(after: 0, limit: 10_000).contains(where: {
                    $0.username == username
                }) {
                    throw FormRefused(text: "", problems: [.init(field: "username", problem: "sudah dipakai")])
                }
                let hash = try await services.hasher.hash(password)
                _ = try await visit.transaction.accounts.create(
                    NewAccount(
                        username: username, passwordHash: hash, role: role, agencyID: body.agencyID, scope: scope))
            } catch let refused as FormRefused {
                throw refused
            } catch {
                let failure = APIError.from(error, requestID: context.requestID)
                guard failure.status == .unprocessableContent else { throw error }
                return try await accountsPage(
                    visit, form: form, problems: PageProblem.from(failure), status: .unprocessableContent)
            }
            return PageRenderer.redirect("/akun?pesan=dibuat")
        }
    }

    /// Deactivates an account (`aksi=nonaktifkan`) or sets a new password (`aksi=sandi`, `password`).
    @Sendable func changeAccount(_ request: Request, context: PaduRequestContext) async throws -> Response {
        let id = try context.parameters.id("id")
        return try await visit(request, context, readOnly: false, roles: [.admin]) { visit in
            let form = visit.form!
            var changes = AccountChanges()
            let notice: String
            switch form.value("aksi") {
            case "nonaktifkan":
                changes.active = false
                notice = "nonaktif"
            case "sandi":
                guard let password = form.value("password"), password.count >= PasswordHasher.minimumLength else {
                    return try await accountsPage(
                        visit,
                        problems: [
                            .init(
                                field: "password",
                                problem: "kata sandi baru paling sedikit \(PasswordHasher.minimumLength) karakter")
                        ], status: .unprocessableContent)
                }
                changes.passwordHash = try await services.hasher.hash(password)
                notice = "sandi"
            default:
                throw APIError.validation(field: "aksi", problem: "pilih nonaktifkan atau sandi")
            }
            guard try await visit.transaction.accounts.update(id, changes) != nil else {
                throw APIError.notFound("account")
            }
            return PageRenderer.redirect("/akun?pesan=\(notice)")
        }
    }

    struct PeriodRow {
        var period: String
        var open: Bool
        var closedAt: String
    }

    struct PeriodsPage {
        var chrome: PageChrome
        var periods: [PeriodRow]
        var problems: [PageProblem]
    }

    @Sendable func periods(_ request: Request, context: PaduRequestContext) async throws -> Response {
        try await visit(request, context, readOnly: true, roles: [.admin]) { visit in
            try await periodsPage(visit)
        }
    }

    func periodsPage(_ visit: Visit, problems: [PageProblem] = [], status: HTTPResponse.Status = .ok) async throws
        -> Response
    {
        let periods = try await visit.transaction.reports.periods()
        let model = PeriodsPage(
            chrome: try await chrome(
                visit.transaction, session: visit.session, title: "Periode pelaporan", current: "periode"),
            periods: periods.map {
                PeriodRow(
                    period: $0.period.description, open: $0.status == .open,
                    closedAt: $0.closedAt.map { ISO8601DateFormatter().string(from: $0) } ?? "—")
            }, problems: problems)
        return renderer.page("periods", model, status: status)
    }

    /// Opens or closes a quarter: `period` (`2019-Q3`) and `status` (`open`|`closed`).
    @Sendable func setPeriod(_ request: Request, context: PaduRequestContext) async throws -> Response {
        try await visit(request, context, readOnly: false, roles: [.admin]) { visit in
            let form = visit.form!
            var problems: [PageProblem] = []
            let period = try? Quarter(form.value("period") ?? "")
            if period == nil { problems.append(.init(field: "period", problem: "tulis triwulan seperti 2019-Q3")) }
            let status = PeriodStatus(rawValue: form.value("status") ?? "")
            if status == nil { problems.append(.init(field: "status", problem: "pilih buka atau tutup")) }
            guard let period, let status else {
                return try await periodsPage(visit, problems: problems, status: .unprocessableContent)
            }
            _ = try await visit.transaction.reports.setPeriod(period, status)
            return PageRenderer.redirect("/periode")
        }
    }
}
