import Foundation
import HTTPTypes
import Hummingbird
import PaduCore
import PaduStore

// The programme page's record-keeping forms: a year's budget per funding source, a month's
// realisation with its output, the quarter's progress report, and the reversal of a delivery
// or a realisation with a reason. Each form is read into the API's own request type and checked
// by the API's own validation; the database's rules answer the rest, as for the API.

extension PagesController {
    /// A form of the programme page shown again: what was typed, each field's problem, and the
    /// problems that belong to no one field.
    struct FormState {
        var values: [String: String] = [:]
        var problems: [String: String] = [:]
        var general: [PageProblem] = []

        init() {}

        init(values: [String: String], problems: [PageProblem], fields: Set<String>) {
            self.values = values
            for problem in problems {
                if fields.contains(problem.field) {
                    self.problems[problem.field] =
                        self.problems[problem.field].map { "\($0); \(problem.problem)" } ?? problem.problem
                } else {
                    general.append(problem)
                }
            }
        }
    }

    /// The kind of record a reversal form names, as its path says it.
    enum RecordKind: String {
        case delivery = "penyaluran"
        case realisation = "realisasi"
    }

    /// A refused reversal: which record, what was typed, and why.
    struct ReversalState {
        var kind: RecordKind
        var id: Int64
        var reason: String
        var problems: [PageProblem]
    }

    /// The record-keeping forms' state: the year and quarter shown, and the form refused, if any.
    struct RecordForms {
        var year: FiscalYear?
        var period: Quarter?
        var budget = FormState()
        var realisation = FormState()
        var report = FormState()
        var reversal: ReversalState?
    }

    /// A refused record form: thrown out of the transaction so it rolls back, shown again.
    struct RecordRefused: Error {
        var forms: RecordForms
        var status: HTTPResponse.Status
    }

    // MARK: the page's sections

    struct BudgetLine {
        var source: String
        var allocated: String
        var realised: String
        var remaining: String
        var over: Bool
    }

    struct BudgetYear {
        var year: String
        var lines: [BudgetLine]
        var allocated: String
        var realised: String
        var remaining: String
        var output: String
    }

    /// One funding source's amount field of the budget form.
    struct SourceField {
        var id: String
        var name: String
        var label: String
        var value: String
        var problem: String?
    }

    struct BudgetSection {
        var years: [BudgetYear]
        var year: String
        var fields: [SourceField]
        var state: FormState
    }

    struct RealisationRow {
        var id: Int64
        var year: String
        var month: String
        var source: String
        var amount: String
        var output: String
        var overBudgetReason: String?
        var reversed: Bool
        var reversalReason: String?
        var reversal: ReversalForm
    }

    /// The small reversal form of a list row: open, with the reason typed and its problem,
    /// when it was refused.
    struct ReversalForm {
        var action: String
        var id: String
        var open = false
        var reason = ""
        var problem: String?
    }

    struct RealisationSection {
        var rows: [RealisationRow]
        var months: [Option]
        var sources: [Option]
        var state: FormState
        var reversalProblems: [PageProblem]
    }

    struct ReportSection {
        var period: String
        var current: String
        var draft: Bool
        var state: FormState
    }

    struct DeliveryTotalRow {
        var year: String
        var deliveries: String
        var quantity: String
        var value: String
        var reversed: String
    }

    static let fundingSourceLabels: [FundingSource: String] = [
        .apbdKab: "APBD Kabupaten", .apbdProv: "APBD Provinsi", .apbn: "APBN", .dak: "DAK",
        .danaDesa: "Dana Desa", .baznas: "Baznas (zakat, infak, sedekah)", .csr: "CSR", .other: "Lainnya",
    ]

    static func label(_ source: FundingSource) -> String { fundingSourceLabels[source] ?? source.rawValue }

    static let budgetFields: Set<String> =
        Set(["fiscal_year", "below_realised_reason"] + FundingSource.allCases.map { "pagu_" + $0.rawValue })
    static let realisationFields: Set<String> = [
        "fiscal_year", "month", "funding_source", "amount_idr", "output_quantity", "over_budget_reason",
    ]
    static let reportFields: Set<String> = ["period", "target_quantity", "achieved_quantity", "narrative", "status"]

    /// The budget table (every year, each source's allocation beside what stands realised) and
    /// the form of the year shown.
    func budgetSection(_ visit: Visit, programID: Int64, forms: RecordForms, realisations: [Realization])
        async throws -> (BudgetSection, FiscalYear)
    {
        let budgets = try await visit.transaction.budgets.budgets(programID: programID)
        let standing = realisations.filter { !$0.reversed }
        var years = Set(budgets.map(\.fiscalYear.year)).union(standing.map(\.fiscalYear.year))
        let shown = forms.year ?? years.max().flatMap { try? FiscalYear($0) } ?? Self.currentYear()
        years.insert(shown.year)
        let table = years.sorted().compactMap { year -> BudgetYear? in
            let allocations = budgets.first { $0.fiscalYear.year == year }?.allocations ?? []
            let realised = standing.filter { $0.fiscalYear.year == year }
            let sources = FundingSource.allCases.filter { source in
                allocations.contains { $0.fundingSource == source } || realised.contains { $0.fundingSource == source }
            }
            guard !sources.isEmpty else { return nil }
            var lines: [BudgetLine] = []
            for source in sources {
                let allocated = allocations.first { $0.fundingSource == source }?.allocatedIDR.amount ?? 0
                let spent = Self.sum(realised.filter { $0.fundingSource == source }.map(\.amountIDR.amount))
                lines.append(
                    BudgetLine(
                        source: Self.label(source), allocated: DashboardFormat.rupiah(allocated),
                        realised: DashboardFormat.rupiah(spent),
                        remaining: DashboardFormat.rupiah(spent.flatMap { Self.difference(allocated, $0) }),
                        over: (spent ?? 0) > allocated))
            }
            let allocated = Self.sum(allocations.map(\.allocatedIDR.amount))
            let spent = Self.sum(realised.map(\.amountIDR.amount))
            let remaining = allocated.flatMap { a in spent.flatMap { Self.difference(a, $0) } }
            return BudgetYear(
                year: String(year), lines: lines, allocated: DashboardFormat.rupiah(allocated),
                realised: DashboardFormat.rupiah(spent), remaining: DashboardFormat.rupiah(remaining),
                output: Self.sum(realised.compactMap(\.outputQuantity)).map(IndonesianNumberFormat.integer) ?? "—")
        }
        let current = budgets.first { $0.fiscalYear == shown }?.allocations ?? []
        let typed = forms.budget.values
        let fields = FundingSource.allCases.map { source in
            let name = "pagu_" + source.rawValue
            return SourceField(
                id: "pagu-" + source.rawValue.lowercased(), name: name, label: Self.label(source),
                value: typed.isEmpty
                    ? current.first { $0.fundingSource == source }.map { String($0.allocatedIDR.amount) } ?? ""
                    : typed[name] ?? "",
                problem: forms.budget.problems[name])
        }
        var state = forms.budget
        if state.values["fiscal_year"] == nil { state.values["fiscal_year"] = String(shown.year) }
        return (BudgetSection(years: table, year: String(shown.year), fields: fields, state: state), shown)
    }

    func realisationSection(programID: Int64, year: FiscalYear, forms: RecordForms, realisations: [Realization])
        -> RealisationSection
    {
        let rows = realisations.reversed().map { realisation in
            let refused = forms.reversal.flatMap { $0.kind == .realisation && $0.id == realisation.id ? $0 : nil }
            return RealisationRow(
                id: realisation.id, year: String(realisation.fiscalYear.year),
                month: realisation.month.indonesianName, source: Self.label(realisation.fundingSource),
                amount: DashboardFormat.rupiah(realisation.amountIDR.amount),
                output: realisation.outputQuantity.map(IndonesianNumberFormat.integer) ?? "—",
                overBudgetReason: realisation.overBudgetReason, reversed: realisation.reversed,
                reversalReason: realisation.reversalReason,
                reversal: ReversalForm(
                    action: "/program/\(programID)/realisasi/\(realisation.id)/batal",
                    id: "batal-realisasi-\(realisation.id)", open: refused != nil, reason: refused?.reason ?? "",
                    problem: refused.map { $0.problems.map(\.problem).joined(separator: "; ") }))
        }
        var state = forms.realisation
        if state.values.isEmpty {
            state.values["fiscal_year"] = String(year.year)
            state.values["month"] = String(Calendar(identifier: .gregorian).component(.month, from: Date()))
        }
        return RealisationSection(
            rows: rows,
            months: Month.all.map {
                Option(
                    value: String($0.number), label: $0.indonesianName,
                    selected: state.values["month"] == "\($0.number)")
            },
            sources: FundingSource.allCases.map {
                Option(
                    value: $0.rawValue, label: Self.label($0), selected: state.values["funding_source"] == $0.rawValue)
            },
            state: state,
            reversalProblems: forms.reversal.flatMap { $0.kind == .realisation ? $0.problems : nil } ?? [])
    }

    func reportSection(_ visit: Visit, programID: Int64, forms: RecordForms) async throws -> ReportSection {
        let period = forms.period ?? Self.currentQuarter()
        let listing = try await visit.transaction.reports.list(period: period, withMissing: false)
        let report = listing.items.first { $0.programID == programID }
        var state = forms.report
        if state.values.isEmpty {
            state.values = [
                "period": period.description, "target_quantity": report?.targetQuantity.map(String.init) ?? "",
                "achieved_quantity": report?.achievedQuantity.map(String.init) ?? "",
                "narrative": report?.narrative ?? "", "status": report?.status.rawValue ?? "draft",
            ]
        }
        let current: String
        switch report?.status {
        case .submitted?:
            current = "Laporan \(period) sudah diajukan. Mengubahnya masih bisa selama periodenya belum ditutup."
        case .draft?: current = "Laporan \(period) tersimpan sebagai draf: belum diajukan."
        case nil: current = "Belum ada laporan untuk \(period)."
        }
        return ReportSection(
            period: period.description, current: current, draft: state.values["status"] != "submitted", state: state)
    }

    /// This quarter and year in Western Indonesia (the forms' defaults).
    static func currentQuarter() -> Quarter {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Jakarta") ?? .gmt
        let parts = calendar.dateComponents([.year, .month], from: Date())
        return (try? Quarter(year: parts.year ?? 2000, quarter: ((parts.month ?? 1) - 1) / 3 + 1))
            ?? Quarter.containing(FiscalYear.first.firstDay)
    }

    static func currentYear() -> FiscalYear { currentQuarter().fiscalYear ?? .first }

    static func deliveryTotals(_ totals: [DeliveryTotals]) -> [DeliveryTotalRow] {
        totals.map {
            DeliveryTotalRow(
                year: String($0.fiscalYear.year), deliveries: IndonesianNumberFormat.integer($0.deliveries),
                quantity: grouped($0.quantity), value: "Rp" + grouped($0.valueIDR),
                reversed: IndonesianNumberFormat.integer($0.reversed))
        }
    }

    /// A sum that cannot overflow: nil (shown as "—") past `Int64`.
    static func sum(_ values: [Int64]) -> Int64? {
        var total: Int64 = 0
        for value in values {
            let (next, overflow) = total.addingReportingOverflow(value)
            if overflow { return nil }
            total = next
        }
        return total
    }

    static func difference(_ a: Int64, _ b: Int64) -> Int64? {
        let (result, overflow) = a.subtractingReportingOverflow(b)
        return overflow ? nil : result
    }

    static func isDigit(_ character: Character) -> Bool { ("0"..."9").contains(character) }

    /// Decimal digits (a database sum) grouped by thousands with dots: `140000000` → `140.000.000`.
    static func grouped(_ digits: String) -> String {
        guard !digits.isEmpty, digits.allSatisfy(Self.isDigit) else { return digits }
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(".") }
            out.append(digit)
        }
        return out
    }

    // MARK: reading the forms

    /// A whole number typed in a form: plain digits, or digits grouped by dots as Indonesians
    /// write them (`140.000.000`). Blank is nil; anything else is a problem of `field`.
    static func whole(_ form: PageForm, _ field: String, _ problems: inout Problems) -> Int64? {
        guard let text = form.value(field) else { return nil }
        var digits = text
        let groups = text.split(separator: ".", omittingEmptySubsequences: false)
        if groups.count > 1, (1...3).contains(groups[0].count),
            groups.dropFirst().allSatisfy({ $0.count == 3 }), groups.allSatisfy({ $0.allSatisfy(Self.isDigit) })
        {
            digits = groups.joined()
        }
        guard let value = Int64(digits) else {
            problems.add(field, "must be a whole number")
            return nil
        }
        return value
    }

    /// The API's validation after the page's own reading: every problem at once, the page's kept
    /// where both name a field (a number that did not read is not also "required").
    static func validating<T>(_ read: Problems, _ validate: () throws -> T) throws -> T {
        var problems = read
        let taken = Set(read.problems.map(\.field))
        var value: T?
        do {
            value = try validate()
        } catch let error as ValidationError {
            for problem in error.problems where !taken.contains(problem.field) {
                problems.add(problem.field, problem.problem)
            }
        }
        guard let value, problems.isEmpty else { throw problems.failure }
        return value
    }

    static func values(_ form: PageForm, _ fields: Set<String>) -> [String: String] {
        var values: [String: String] = [:]
        for name in fields { values[name] = form.fields[name]?.first ?? "" }
        return values
    }

    /// A 422 (the rules) or 409 (a conflict, shown as `conflict` when given) becomes the form
    /// again through `show`; any other error propagates to an error page.
    static func recordRefusal(
        _ error: any Error, context: PaduRequestContext, conflict: PageProblem? = nil,
        _ show: (inout RecordForms, [PageProblem]) -> Void
    ) -> any Error {
        let failure = APIError.from(DatabaseError.translating(error), requestID: context.requestID)
        let problems: [PageProblem]
        switch failure.status {
        case .unprocessableContent: problems = PageProblem.from(failure)
        case .conflict: problems = conflict.map { [$0] } ?? PageProblem.from(failure)
        default: return error
        }
        var forms = RecordForms()
        show(&forms, problems)
        return RecordRefused(forms: forms, status: failure.status)
    }

    /// A record form's POST: the caller's own programme or 404, then `body` in the request's
    /// transaction; a refusal it throws rolls back and the programme page comes back with it.
    func recordForm(
        _ request: Request, _ context: PaduRequestContext, id: Int64,
        _ body: (Visit, PageForm) async throws -> Response
    ) async throws -> Response {
        do {
            return try await visit(request, context, readOnly: false) { visit in
                _ = try await visit.transaction.ownProgramme(id)
                return try await body(visit, visit.form!)
            }
        } catch let refused as RecordRefused {
            return try await visit(request.withoutBody, context, readOnly: true) { visit in
                var forms = ProgrammeForms()
                forms.records = refused.forms
                return try await programmePage(visit, id: id, forms: forms, status: refused.status)
            }
        }
    }

    // MARK: handlers

    /// `POST /program/{id}/anggaran`: the year's allocations per funding source, replaced as
    /// `PUT /api/v1/programs/{id}/budgets/{year}` does; a blank source has no allocation.
    @Sendable func setBudget(_ request: Request, context: PaduRequestContext) async throws -> Response {
        let id = try context.parameters.id("id")
        return try await recordForm(request, context, id: id) { visit, form in
            var read = Problems()
            let year = read.fiscalYear(
                read.require(Self.whole(form, "fiscal_year", &read), "fiscal_year").map { Int(clamping: $0) },
                "fiscal_year")
            var sources: [FundingSource] = []
            var lines: [BudgetController.BudgetBody.Line] = []
            for source in FundingSource.allCases {
                guard let amount = Self.whole(form, "pagu_" + source.rawValue, &read) else { continue }
                sources.append(source)
                lines.append(.init(fundingSource: source.rawValue, allocatedIDR: amount))
            }
            let body = BudgetController.BudgetBody(
                allocations: lines, belowRealisedReason: form.value("below_realised_reason"))
            do {
                // The API's problems name `allocations[i]`: on the page, the source's own field.
                let (allocations, reason) = try Self.validating(read) {
                    do {
                        return try body.validated()
                    } catch let error as ValidationError {
                        throw ValidationError(
                            problems: error.problems.map {
                                .init(field: Self.budgetField($0.field, sources: sources), problem: $0.problem)
                            })
                    }
                }
                guard let year else { throw read.failure }
                _ = try await visit.transaction.budgets.replace(
                    programID: id, year: year, allocations: allocations, belowRealisedReason: reason)
                return PageRenderer.redirect("/program/\(id)?tahun=\(year.year)&pesan=anggaran#anggaran")
            } catch {
                throw Self.recordRefusal(error, context: context) { forms, problems in
                    forms.year = year
                    forms.budget = FormState(
                        values: Self.values(form, Self.budgetFields), problems: problems, fields: Self.budgetFields)
                }
            }
        }
    }

    /// `allocations[2].allocated_idr` → the third source's field.
    static func budgetField(_ field: String, sources: [FundingSource]) -> String {
        guard field.hasPrefix("allocations["), let close = field.firstIndex(of: "]"),
            let index = Int(field[field.index(field.startIndex, offsetBy: 12)..<close]), sources.indices.contains(index)
        else { return field }
        return "pagu_" + sources[index].rawValue
    }

    /// `POST /program/{id}/realisasi`: a month's realisation and output, as
    /// `POST /api/v1/programs/{id}/realizations`; over the allocation it needs a reason.
    @Sendable func addRealisation(_ request: Request, context: PaduRequestContext) async throws -> Response {
        let id = try context.parameters.id("id")
        return try await recordForm(request, context, id: id) { visit, form in
            var read = Problems()
            let body = BudgetController.RealizationBody(
                fiscalYear: Self.whole(form, "fiscal_year", &read).map { Int(clamping: $0) },
                month: Self.whole(form, "month", &read).map { Int(clamping: $0) },
                amountIDR: Self.whole(form, "amount_idr", &read),
                outputQuantity: Self.whole(form, "output_quantity", &read),
                fundingSource: form.value("funding_source"), overBudgetReason: form.value("over_budget_reason"))
            do {
                let valid = try Self.validating(read) { try body.validated() }
                let realisation = try await BudgetController.newRealization(valid, programID: id, in: visit.transaction)
                _ = try await visit.transaction.budgets.addRealization(programID: id, realisation)
                return PageRenderer.redirect("/program/\(id)?tahun=\(valid.year.year)&pesan=realisasi#realisasi")
            } catch {
                throw Self.recordRefusal(
                    error, context: context,
                    conflict: PageProblem(
                        field: "month",
                        problem: "bulan ini sudah punya realisasi dari sumber dana ini; batalkan dulu, lalu catat ulang"
                    )
                ) { forms, problems in
                    forms.year = body.fiscalYear.flatMap { try? FiscalYear($0) }
                    forms.realisation = FormState(
                        values: Self.values(form, Self.realisationFields), problems: problems,
                        fields: Self.realisationFields)
                }
            }
        }
    }

    /// `POST /program/{id}/laporan`: the quarter's progress report, a draft or submitted, as
    /// `PUT /api/v1/programs/{id}/reports/{period}`.
    @Sendable func putReport(_ request: Request, context: PaduRequestContext) async throws -> Response {
        let id = try context.parameters.id("id")
        return try await recordForm(request, context, id: id) { visit, form in
            var read = Problems()
            let period = read.check("period", read.require(form.value("period"), "period")) { try Quarter($0) }
            let body = ReportController.ReportBody(
                targetQuantity: Self.whole(form, "target_quantity", &read),
                achievedQuantity: Self.whole(form, "achieved_quantity", &read), narrative: form.value("narrative"),
                status: form.value("status"))
            do {
                let content = try Self.validating(read) { try body.content() }
                guard let period else { throw read.failure }
                _ = try await visit.transaction.reports.put(programID: id, period: period, content)
                let message = content.status == .submitted ? "laporan-diajukan" : "laporan"
                return PageRenderer.redirect("/program/\(id)?triwulan=\(period)&pesan=\(message)#laporan")
            } catch {
                throw Self.recordRefusal(error, context: context) { forms, problems in
                    forms.period = period
                    forms.report = FormState(
                        values: Self.values(form, Self.reportFields), problems: problems, fields: Self.reportFields)
                }
            }
        }
    }

    /// `POST /program/{id}/penyaluran/{delivery_id}/batal`: reverses a delivery with a reason, as
    /// `POST /api/v1/programs/{id}/deliveries/{delivery_id}/reversal`.
    @Sendable func reverseDelivery(_ request: Request, context: PaduRequestContext) async throws -> Response {
        let id = try context.parameters.id("id")
        let deliveryID = try context.parameters.id("delivery_id")
        return try await recordForm(request, context, id: id) { visit, form in
            do {
                let reason = try DeliveryController.ReversalBody(reason: form.value("reason")).validated()
                guard
                    try await visit.transaction.deliveries.reverse(
                        programID: id, deliveryID: deliveryID, reason: reason) != nil
                else { throw APIError.notFound("delivery") }
                return PageRenderer.redirect("/program/\(id)?pesan=penyaluran-dibatalkan#penyaluran")
            } catch {
                let error = DeliveryController.alreadyReversed(error, "this delivery is already reversed")
                throw Self.recordRefusal(error, context: context) { forms, problems in
                    forms.reversal = ReversalState(
                        kind: .delivery, id: deliveryID, reason: form.fields["reason"]?.first ?? "", problems: problems)
                }
            }
        }
    }

    /// `POST /program/{id}/realisasi/{realization_id}/batal`: reverses a realisation with a
    /// reason; the month and source may then be recorded anew.
    @Sendable func reverseRealisation(_ request: Request, context: PaduRequestContext) async throws -> Response {
        let id = try context.parameters.id("id")
        let realisationID = try context.parameters.id("realization_id")
        return try await recordForm(request, context, id: id) { visit, form in
            do {
                let reason = try DeliveryController.ReversalBody(reason: form.value("reason")).validated()
                guard
                    try await visit.transaction.budgets.reverseRealization(
                        programID: id, realizationID: realisationID, reason: reason) != nil
                else { throw APIError.notFound("realization") }
                return PageRenderer.redirect("/program/\(id)?pesan=realisasi-dibatalkan#realisasi")
            } catch {
                let error = DeliveryController.alreadyReversed(error, "this realization is already reversed")
                throw Self.recordRefusal(error, context: context) { forms, problems in
                    forms.reversal = ReversalState(
                        kind: .realisation, id: realisationID, reason: form.fields["reason"]?.first ?? "",
                        problems: problems)
                }
            }
        }
    }
}

extension FiscalYear {
    /// The first valid fiscal year, where a clock outside the valid years falls back to.
    fileprivate static let first = (try? FiscalYear(validYears.lowerBound))!
}
