import Foundation
import HTTPTypes
import Hummingbird
import PaduCore
import PaduStore

// The agency's pages: a programme with its plans, the check of a recipient list (uploaded or
// typed), saving it as a draft plan, and recording deliveries against approved lines.

extension PagesController {
    /// The programme page's model; also shown again, with problems, after a refused form.
    struct ProgrammePage {
        var chrome: PageChrome
        var programme: ProgrammeRow
        var plans: [PlanRow]
        var fiscalYear: String
        var period: String
        var list: String
        var checkProblems: [PageProblem]
        var deliveryText: String
        var deliveryProblems: [PageProblem]
        var refused: [RefusedRow]
        var notice: String?
        var deliveries: [DeliveryRow]
        var deliveryTotals: [DeliveryTotalRow]
        var deliveryReversalProblems: [PageProblem]
        var budget: BudgetSection
        var realisation: RealisationSection
        var report: ReportSection
    }

    /// Defaults of the forms: this year and quarter, an empty list.
    struct ProgrammeForms {
        var fiscalYear = String(Calendar(identifier: .gregorian).component(.year, from: Date()))
        var period = ""
        var list = ""
        var checkProblems: [PageProblem] = []
        var deliveryText = ""
        var deliveryProblems: [PageProblem] = []
        var refused: [RefusedRow] = []
        var notice: String?
        /// The budget, realisation, report and reversal forms (ProgrammeRecordPages).
        var records = RecordForms()
    }

    func programmePage(_ visit: Visit, id: Int64, forms: ProgrammeForms, status: HTTPResponse.Status = .ok)
        async throws -> Response
    {
        let program = try await visit.transaction.ownProgramme(id)
        let plans = try await visit.transaction.plans.list(after: 0, limit: 1000, status: nil)
            .filter { $0.programID == id }
        let agency = try await visit.caller.agencyID.asyncMap { try await visit.transaction.reference.agency($0) }
        // The newest 50, each with its reversal form: a page stays under 100 KB.
        let deliveries = try await visit.transaction.deliveries.latest(programID: id, limit: 50)
        let totals = try await visit.transaction.deliveries.totals(programID: id)
        let realisations = try await visit.transaction.budgets.realizations(programID: id, year: nil)
        let (budget, year) = try await budgetSection(
            visit, programID: id, forms: forms.records, realisations: realisations)
        let reversal = forms.records.reversal
        var forms = forms
        if forms.period.isEmpty {
            let month = Calendar(identifier: .gregorian).component(.month, from: Date())
            forms.period = "\(forms.fiscalYear)-Q\((month - 1) / 3 + 1)"
        }
        let model = ProgrammePage(
            chrome: try await chrome(visit.transaction, session: visit.session, title: program.name, current: ""),
            programme: ProgrammeRow(program),
            plans: plans.reversed().map {
                PlanRow($0, programName: program.name, agencyName: agency??.name ?? "")
            },
            fiscalYear: forms.fiscalYear, period: forms.period, list: forms.list, checkProblems: forms.checkProblems,
            deliveryText: forms.deliveryText, deliveryProblems: forms.deliveryProblems, refused: forms.refused,
            notice: forms.notice,
            deliveries: deliveries.map { delivery in
                DeliveryRow(
                    delivery, programID: id,
                    refused: reversal.flatMap { $0.kind == .delivery && $0.id == delivery.id ? $0 : nil })
            },
            deliveryTotals: Self.deliveryTotals(totals),
            deliveryReversalProblems: reversal.flatMap { $0.kind == .delivery ? $0.problems : nil } ?? [],
            budget: budget,
            realisation: realisationSection(
                programID: id, year: year, forms: forms.records, realisations: realisations),
            report: try await reportSection(visit, programID: id, forms: forms.records))
        return renderer.page("programme", model, status: status)
    }

    @Sendable func programme(_ request: Request, context: PaduRequestContext) async throws -> Response {
        let id = try context.parameters.id("id")
        let query = request.uri.queryParameters
        return try await visit(request, context, readOnly: true) { visit in
            var forms = ProgrammeForms()
            // "Perbaiki": the draft's lines, back in the textarea to fix and check again.
            if let from = query.get("dari").flatMap({ Int64($0) }),
                let draft = try await visit.transaction.plans.find(from),
                draft.programID == id
            {
                forms.fiscalYear = String(draft.fiscalYear.year)
                forms.period = draft.period.description
                forms.list = Self.csv(draft.recipients ?? [])
            }
            switch query.get("pesan") {
            case "tercatat": forms.notice = "Penyaluran tercatat: \(query.get("jumlah") ?? "") baris."
            case "diubah": forms.notice = "Program tersimpan."
            case "anggaran": forms.notice = "Anggaran tersimpan."
            case "realisasi": forms.notice = "Realisasi tercatat."
            case "laporan": forms.notice = "Laporan tersimpan sebagai draf."
            case "laporan-diajukan": forms.notice = "Laporan diajukan."
            case "penyaluran-dibatalkan": forms.notice = "Penyaluran dibatalkan; totalnya tidak lagi menghitungnya."
            case "realisasi-dibatalkan": forms.notice = "Realisasi dibatalkan; totalnya tidak lagi menghitungnya."
            default: break
            }
            // The year of the budget and the quarter of the report shown; anything else: the defaults.
            forms.records.year = query.get("tahun").flatMap { Int($0) }.flatMap { try? FiscalYear($0) }
            forms.records.period = query.get("triwulan").flatMap { try? Quarter($0) }
            return try await programmePage(visit, id: id, forms: forms)
        }
    }

    /// A check's lines as the CSV the textarea and the hidden list carry.
    static func csv(_ lines: [RecipientCheck]) -> String {
        CSV.document(
            header: ["nik", "kk", "planned_value_idr", "planned_quantity"],
            rows: lines.map {
                [$0.nik, $0.kk, $0.plannedValueIDR.map { String($0.amount) }, $0.plannedQuantity.map(String.init)]
            })
    }

    static func csv(_ inputs: [RecipientInput]) -> String {
        CSV.document(
            header: ["nik", "kk", "name", "planned_value_idr", "planned_quantity"],
            rows: inputs.map {
                [
                    $0.id.kind == .nik ? $0.id.text : nil, $0.id.kind == .kk ? $0.id.text : nil, $0.name,
                    $0.plannedValueIDR.map { String($0.amount) }, $0.plannedQuantity.map(String.init),
                ]
            })
    }

    /// The list of a check or plan form: the uploaded file when one was chosen, else the
    /// textarea; read by the API's own reader, so the same columns and the same problems.
    func recipientList(_ form: PageForm, programID: Int64, needsPeriod: Bool) throws -> (RecipientList, String) {
        let bytes: [UInt8]
        var format = BodyFormat.csv
        if let file = form.file("berkas") {
            if Self.isXLSX(file) {
                format = .xlsx
            } else if !Self.isCSV(file) {
                throw APIError.validation(
                    field: "berkas",
                    problem: "kirim berkas XLSX atau CSV (kolom nik atau kk, planned_value_idr, planned_quantity)")
            }
            bytes = file.bytes
        } else if let text = form.value("daftar") {
            bytes = Array(text.utf8)
        } else {
            throw APIError.validation(field: "daftar", problem: "unggah berkas atau ketik daftar penerima")
        }
        let list = try RecipientList.parse(bytes, format: format, needsPeriod: needsPeriod) { name in
            switch name {
            case "program_id": String(programID)
            case "fiscal_year": form.value("fiscal_year")
            case "period": form.value("period")
            default: nil
            }
        }
        return (list, Self.csv(list.recipients))
    }

    static func isXLSX(_ file: PageForm.File) -> Bool {
        file.filename.lowercased().hasSuffix(".xlsx") || file.contentType == XLSX.mediaType
    }

    static func isCSV(_ file: PageForm.File) -> Bool {
        let name = file.filename.lowercased()
        return name.hasSuffix(".csv") || name.hasSuffix(".txt") || file.contentType.hasPrefix("text/")
    }

    /// The check of an uploaded or typed list: stored at once as a draft plan (its lines keep
    /// the check), then shown as the draft's page a page of lines at a time, with flags, deciles
    /// and other agencies' aid and plans. From there it is submitted, or fixed as a new draft.
    @Sendable func check(_ request: Request, context: PaduRequestContext) async throws -> Response {
        try await saveDraft(request, context, then: "?pesan=dicek")
    }

    /// Saves the checked list as a draft plan and shows it.
    @Sendable func createPlan(_ request: Request, context: PaduRequestContext) async throws -> Response {
        try await saveDraft(request, context, then: "")
    }

    func saveDraft(_ request: Request, _ context: PaduRequestContext, then query: String) async throws -> Response {
        let id = try context.parameters.id("id")
        return try await visit(request, context, readOnly: false) { visit in
            let form = visit.form!
            let program = try await visit.transaction.ownProgramme(id)
            let list: RecipientList
            do {
                (list, _) = try recipientList(form, programID: id, needsPeriod: true)
            } catch {
                let error = APIError.from(error, requestID: context.requestID)
                guard error.status == .unprocessableContent else { throw error }
                var forms = ProgrammeForms()
                forms.fiscalYear = form.value("fiscal_year") ?? ""
                forms.period = form.value("period") ?? ""
                forms.list = form.value("daftar") ?? ""
                forms.checkProblems = PageProblem.from(error)
                return try await programmePage(visit, id: id, forms: forms, status: .unprocessableContent)
            }
            guard let period = list.period else { throw APIError.validation(field: "period", problem: "wajib diisi") }
            let plan = try await visit.transaction.plans.create(
                programID: program.id, target: program.target, fiscalYear: list.fiscalYear, period: period,
                recipients: list.recipients)
            return PageRenderer.redirect("/rencana/\(plan.id)\(query)")
        }
    }

    /// Records deliveries (typed or uploaded CSV: `nik` or `kk`, `delivered_on`, `quantity`,
    /// `value_idr`), all or nothing. Refused rows are shown with why, the coordinator's reason
    /// for a rejected line among them.
    @Sendable func deliver(_ request: Request, context: PaduRequestContext) async throws -> Response {
        let id = try context.parameters.id("id")
        do {
            return try await visit(request, context, readOnly: false) { visit -> Response in
                let form = visit.form!
                let program = try await visit.transaction.ownProgramme(id)
                let text: String
                if let file = form.file("berkas") {
                    guard Self.isCSV(file) else {
                        throw APIError.validation(field: "berkas", problem: "kirim berkas CSV")
                    }
                    text = String(decoding: file.bytes, as: UTF8.self)
                } else {
                    text = form.value("penyaluran") ?? ""
                }
                let rows: [DeliveryInput]
                do {
                    rows = try DeliveryController.rows(try Self.deliveries(fromCSV: text))
                } catch {
                    let error = APIError.from(error, requestID: context.requestID)
                    guard error.status == .unprocessableContent else { throw error }
                    throw FormRefused(text: text, problems: PageProblem.from(error).map(Self.rowNumbered))
                }
                do {
                    let recorded = try await visit.transaction.deliveries.record(
                        programID: id, coordinated: program.requiresCoordination, rows)
                    return PageRenderer.redirect("/program/\(id)?pesan=tercatat&jumlah=\(recorded)")
                } catch DeliveryError.noApprovedLine(let positions, let reasons) {
                    throw FormRefused(
                        text: text, refused: Self.refusedRows(rows, positions: positions, reasons: reasons))
                } catch let error as DatabaseError {
                    let failure = APIError.from(error, requestID: context.requestID)
                    guard failure.status == .unprocessableContent else { throw error }
                    throw FormRefused(text: text, problems: PageProblem.from(failure))
                }
            }
        } catch let refusal as FormRefused {
            // The refused batch rolled back; the form comes back with each refused row and why.
            return try await visit(request.withoutBody, context, readOnly: true) { visit in
                var forms = ProgrammeForms()
                forms.deliveryText = refusal.text
                forms.deliveryProblems = refusal.problems
                forms.refused = refusal.refused
                return try await programmePage(visit, id: id, forms: forms, status: .unprocessableContent)
            }
        }
    }

    /// A form the stores refused: thrown out of the transaction (so it rolls back) and shown
    /// again, in a new read-only one, with what was wrong.
    struct FormRefused: Error {
        var text: String
        var problems: [PageProblem] = []
        var refused: [RefusedRow] = []
    }

    /// `deliveries[3].nik` → `baris 5, nik` (the header is line 1 of the CSV).
    static func rowNumbered(_ problem: PageProblem) -> PageProblem {
        guard problem.field.hasPrefix("deliveries["), let close = problem.field.firstIndex(of: "]"),
            let index = Int(problem.field[problem.field.index(problem.field.startIndex, offsetBy: 11)..<close])
        else { return problem }
        let rest = problem.field[problem.field.index(after: close)...].drop(while: { $0 == "." })
        return PageProblem(field: "baris \(index + 2), \(rest)", problem: problem.problem)
    }

    static func deliveries(fromCSV text: String) throws -> CoordinationRequest.Deliveries {
        let table = try CSV.Table(text)
        guard let header = table.header, header.contains("nik") || header.contains("kk") else {
            throw APIError.validation(field: "penyaluran", problem: "baris pertama harus berisi kolom nik atau kk")
        }
        var problems = Problems()
        var items: [CoordinationRequest.Delivery] = []
        for record in table.records {
            var whole: [String: Int64] = [:]
            for column in ["quantity", "value_idr"] {
                guard let cell = record.cell(column) else { continue }
                if let value = Int64(cell) {
                    whole[column] = value
                } else {
                    problems.add("baris \(record.line), \(column)", "harus bilangan bulat")
                }
            }
            items.append(
                CoordinationRequest.Delivery(
                    nik: record.cell("nik"), kk: record.cell("kk"), deliveredOn: record.cell("delivered_on"),
                    quantity: whole["quantity"], valueIDR: whole["value_idr"]))
        }
        try problems.throwIfAny()
        return CoordinationRequest.Deliveries(deliveries: items)
    }

    /// Each refused row and why: the coordinator's reason when its line was rejected.
    /// The refused rows of a delivery batch and why: the coordinator's reason when it rejected
    /// the line (the store reads it in the same statement that found no approved line).
    static func refusedRows(_ rows: [DeliveryInput], positions: [Int], reasons: [Int: String]) -> [RefusedRow] {
        positions.map { index in
            let row = rows[index]
            let problem =
                reasons[index].map { "ditolak koordinator: \($0.isEmpty ? "tanpa alasan" : $0)" }
                ?? "tidak ada baris rencana yang disetujui untuk tahun \(row.deliveredOn.year)"
            return RefusedRow(row: index + 2, identifier: row.recipient.text, problem: problem)
        }
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}

extension Request {
    /// The same request as a GET without a body: a page shown again after a refused POST.
    var withoutBody: Request {
        var head = self.head
        head.method = .get
        return Request(head: head, body: .init(buffer: .init()))
    }
}
