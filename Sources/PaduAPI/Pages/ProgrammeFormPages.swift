import Foundation
import HTTPTypes
import Hummingbird
import PaduCore
import PaduStore

// An agency's programme form: create (`/program`) and edit (`/program/{id}/ubah`). The fields
// are read into `ProgramController.Body`, so the rules are the API's own, in one place.

extension PagesController {
    /// One choice of a select.
    struct Option {
        var value: String
        var label: String
        var selected: Bool
    }

    /// Each field's problem, shown next to it (`aria-describedby`).
    struct FieldProblems {
        var code: String?
        var name: String?
        var cluster: String?
        var aidKind: String?
        var aidCategory: String?
        var target: String?
        var unit: String?

        init(_ byField: [String: String]) {
            code = byField["code"]
            name = byField["name"]
            cluster = byField["cluster_id"]
            aidKind = byField["aid_kind"]
            aidCategory = byField["aid_category"]
            target = byField["target"]
            unit = byField["unit"]
        }
    }

    /// The form's model: its values, the choices, and each field's problem next to it.
    struct ProgrammeFormPage {
        var chrome: PageChrome
        var heading: String
        var action: String
        var button: String
        var code: String
        var name: String
        var unit: String
        var clusters: [Option]
        var aidKinds: [Option]
        var aidCategories: [Option]
        var targets: [Option]
        var problems: FieldProblems
        var general: [PageProblem]
        var isNew: Bool
    }

    static let clusterLabels = [
        "1": "Klaster 1: Bantuan Sosial Terpadu Berbasis Keluarga", "2": "Klaster 2: Pemberdayaan Masyarakat",
        "3": "Klaster 3: Pemberdayaan Usaha Ekonomi Mikro dan Kecil", "4": "Klaster 4: Program Pro-Rakyat",
    ]
    static let aidKindLabels = [
        "cash": "Tunai", "in_kind": "Barang", "service": "Layanan", "insurance": "Asuransi",
    ]
    static let aidCategoryLabels = [
        "housing": "Perumahan", "food": "Pangan", "health": "Kesehatan", "education": "Pendidikan",
        "business": "Usaha", "livestock": "Ternak", "cash_transfer": "Bantuan tunai", "insurance": "Asuransi",
        "social_service": "Layanan sosial", "other": "Lainnya",
    ]
    static let targetLabels = ["person": "Perorangan (NIK)", "household": "Rumah tangga (KK)"]

    static func options(_ values: [String], labels: [String: String], selected: String) -> [Option] {
        values.map { Option(value: $0, label: labels[$0] ?? $0, selected: $0 == selected) }
    }

    /// The form's fields as the API's body: blank fields are absent, so the API's rules say
    /// what is required; a cluster that is not a number is kept as a problem of its own.
    static func programmeBody(_ form: PageForm) -> (ProgramController.Body, Problems) {
        var problems = Problems()
        var cluster: Int?
        if let text = form.value("cluster_id") {
            cluster = Int(text)
            if cluster == nil {
                problems.add(
                    "cluster_id", "must be one of \(PovertyCluster.ids.map(String.init).joined(separator: ", "))")
            }
        }
        let body = ProgramController.Body(
            code: form.value("code"), name: form.value("name"), clusterID: cluster, aidKind: form.value("aid_kind"),
            aidCategory: form.value("aid_category"), target: form.value("target"), unit: form.value("unit"),
            requiresCoordination: nil)
        return (body, problems)
    }

    func programmeForm(
        _ visit: Visit, program: Program?, values: [String: String], problems: [PageProblem],
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        func value(_ name: String, _ current: String?) -> String { values[name] ?? current ?? "" }
        let state = FormState(values: values, problems: problems, fields: Set(Self.programmeFields))
        let title = program.map { "Ubah \($0.name)" } ?? "Program baru"
        let model = ProgrammeFormPage(
            chrome: try await chrome(visit.transaction, session: visit.session, title: title, current: ""),
            heading: title, action: program.map { "/program/\($0.id)/ubah" } ?? "/program",
            button: program == nil ? "Buat program" : "Simpan perubahan",
            code: value("code", program?.code), name: value("name", program?.name), unit: value("unit", program?.unit),
            clusters: Self.options(
                PovertyCluster.ids.map(String.init), labels: Self.clusterLabels,
                selected: value("cluster_id", program.map { String($0.clusterID) })),
            aidKinds: Self.options(
                AidKind.allCases.map(\.rawValue), labels: Self.aidKindLabels,
                selected: value("aid_kind", program?.aidKind.rawValue)),
            aidCategories: Self.options(
                AidCategory.allCases.map(\.rawValue), labels: Self.aidCategoryLabels,
                selected: value("aid_category", program?.aidCategory.rawValue)),
            targets: Self.options(
                ProgrammeTarget.allCases.map(\.rawValue), labels: Self.targetLabels,
                selected: value("target", program?.target.rawValue)),
            problems: FieldProblems(state.problems), general: state.general, isNew: program == nil)
        return renderer.page("programme-form", model, status: status)
    }

    /// The programme form's fields, named as the API's body names them.
    static let programmeFields = ["code", "name", "cluster_id", "aid_kind", "aid_category", "target", "unit"]

    static func formValues(_ form: PageForm) -> [String: String] {
        var values: [String: String] = [:]
        for name in programmeFields {
            values[name] = form.value(name) ?? ""
        }
        return values
    }

    /// `GET /program`: the empty form of a new programme.
    @Sendable func newProgrammeForm(_ request: Request, context: PaduRequestContext) async throws -> Response {
        try await visit(request, context, readOnly: true) { visit in
            try await programmeForm(visit, program: nil, values: [:], problems: [])
        }
    }

    /// `POST /program`: creates the programme as `POST /api/v1/programs` does, then shows it.
    @Sendable func createProgramme(_ request: Request, context: PaduRequestContext) async throws -> Response {
        do {
            return try await visit(request, context, readOnly: false) { visit in
                let form = visit.form!
                let (body, problems) = Self.programmeBody(form)
                let program: Program
                do {
                    try problems.throwIfAny()
                    program = try await visit.transaction.programs.create(try body.newProgram())
                } catch {
                    throw Self.refusal(error, form: form, context: context)
                }
                return PageRenderer.redirect("/program/\(program.id)")
            }
        } catch let refusal as ProgrammeRefused {
            return try await visit(request.withoutBody, context, readOnly: true) { visit in
                try await programmeForm(
                    visit, program: nil, values: refusal.values, problems: refusal.problems,
                    status: refusal.status)
            }
        }
    }

    /// `GET /program/{id}/ubah`: the form with the programme's values.
    @Sendable func editProgrammeForm(_ request: Request, context: PaduRequestContext) async throws -> Response {
        let id = try context.parameters.id("id")
        return try await visit(request, context, readOnly: true) { visit in
            let program = try await visit.transaction.ownProgramme(id)
            return try await programmeForm(visit, program: program, values: [:], problems: [])
        }
    }

    /// `POST /program/{id}/ubah`: changes the programme as `PATCH /api/v1/programs/{id}` does.
    @Sendable func updateProgramme(_ request: Request, context: PaduRequestContext) async throws -> Response {
        let id = try context.parameters.id("id")
        do {
            return try await visit(request, context, readOnly: false) { visit in
                let form = visit.form!
                _ = try await visit.transaction.ownProgramme(id)
                let (body, problems) = Self.programmeBody(form)
                do {
                    try problems.throwIfAny()
                    // Every field of the form is sent: a blank one is refused, not left as it was.
                    var required = Problems()
                    for (name, value) in Self.formValues(form) where value.isEmpty {
                        required.add(name, "is required")
                    }
                    try required.throwIfAny()
                    guard try await visit.transaction.programs.update(id, try body.changes()) != nil else {
                        throw APIError.notFound("programme")
                    }
                } catch {
                    throw Self.refusal(error, form: form, context: context)
                }
                return PageRenderer.redirect("/program/\(id)?pesan=diubah")
            }
        } catch let refusal as ProgrammeRefused {
            return try await visit(request.withoutBody, context, readOnly: true) { visit in
                let program = try await visit.transaction.ownProgramme(id)
                return try await programmeForm(
                    visit, program: program, values: refusal.values, problems: refusal.problems,
                    status: refusal.status)
            }
        }
    }

    /// A refused programme form: thrown out of the transaction so it rolls back, shown again.
    struct ProgrammeRefused: Error {
        var values: [String: String]
        var problems: [PageProblem]
        var status: HTTPResponse.Status
    }

    /// A 422 (the rules) or 409 (a code already used) becomes the form again; others propagate.
    static func refusal(_ error: any Error, form: PageForm, context: PaduRequestContext) -> any Error {
        let error = DatabaseError.translating(error)
        let failure = APIError.from(error, requestID: context.requestID)
        switch failure.status {
        case .unprocessableContent:
            return ProgrammeRefused(
                values: formValues(form), problems: PageProblem.from(failure), status: failure.status)
        case .conflict:
            // The only key a programme's write can meet is the agency's own code.
            return ProgrammeRefused(
                values: formValues(form),
                problems: [PageProblem(field: "code", problem: "kode ini sudah dipakai program lain milik OPD Anda")],
                status: failure.status)
        default: return error
        }
    }
}
