import Foundation
import PaduCore
import PaduStore

// The models the templates render. Plain values, already formatted in Indonesian; the
// engine escapes every `{{value}}`.

/// The shared layout: header with who is signed in, their agency and role, sign-out, the menu.
struct PageChrome {
    struct Link {
        var label: String
        var href: String
        var current: Bool
    }

    var title: String
    var username: String
    var roleLabel: String
    var agencyName: String?
    var csrf: String
    var nav: [Link]
    var css = PageStyles.css

    static func roleLabel(_ role: Role) -> String {
        switch role {
        case .agency: "Perangkat daerah / lembaga"
        case .coordinator: "Koordinator klaster (Dinas Sosial)"
        case .executive: "Pimpinan daerah"
        case .admin: "Admin TKPKD"
        }
    }
}

/// A field and what is wrong with it, shown next to the field or above the form.
struct PageProblem {
    var field: String
    var problem: String

    /// The problems of a refusal, in Bahasa Indonesia: the API writes them once, in English, with
    /// their Indonesian in `MessageCatalogue`; the pages speak Indonesian only.
    static func from(_ error: APIError) -> [PageProblem] {
        let text = Language.indonesian.text
        let details = error.details.map { PageProblem(field: $0.field, problem: text($0.problem)) }
        return details.isEmpty ? [PageProblem(field: "", problem: text(error.message))] : details
    }
}

struct ProgrammeRow {
    var id: Int64
    var code: String
    var name: String
    var unit: String
    var href: String

    init(_ program: Program) {
        id = program.id
        code = program.code
        name = program.name
        unit = program.unit
        href = "/program/\(program.id)"
    }
}

struct PlanRow {
    var id: Int64
    var programName: String
    var agencyName: String
    var period: String
    var statusLabel: String
    var statusClass: String
    var recipients: String
    var approved: String
    var href: String

    init(_ plan: Plan, programName: String, agencyName: String) {
        id = plan.id
        href = "/rencana/\(plan.id)"
        self.programName = programName
        self.agencyName = agencyName
        period = plan.period.description
        statusLabel = Self.label(plan.status)
        statusClass = "status-" + plan.status.rawValue
        recipients = DashboardFormat.integer(plan.recipientCount)
        approved = DashboardFormat.integer(plan.approvedCount)
    }

    static func label(_ status: PlanStatus) -> String {
        switch status {
        case .draft: "Draf"
        case .submitted: "Diajukan"
        case .approved: "Disetujui"
        case .rejected: "Ditolak"
        }
    }
}

struct FlagView {
    var code: String
    var label: String
    /// The line it belongs to, for the review form's acknowledgement checkboxes.
    var lineNo: Int
    var checked: Bool

    static func label(_ flag: CheckFlag) -> String {
        switch flag {
        case .invalidID: "NIK/KK tidak valid"
        case .notInRegistry: "Tidak ada di DTKS"
        case .decileAbove4: "Desil di atas 4"
        case .alreadyReceivingSameKind: "Sudah menerima bantuan sejenis"
        case .sameCategoryReceived: "Sudah menerima bantuan kategori sama dari OPD lain"
        case .sameCategoryPlanned: "Sudah direncanakan OPD lain (kategori sama)"
        case .duplicateInPlan: "Ganda dalam daftar"
        case .possibleDuplicatePerson: "Mungkin orang yang sama dengan data lain"
        }
    }
}

/// One recipient of a check or a plan, with its flags and, on the review form, its decision.
struct LineRow {
    var number: Int
    var lineNo: Int
    var identifierKind: String
    var identifier: String
    var decile: String
    var inRegistry: Bool
    var flags: [FlagView]
    var flagged: Bool
    var otherAid: [String]
    var plannedValue: String
    var statusLabel: String?
    var statusClass: String
    var rejectionReason: String?
    var nameMatches: String?
    // The review form's state when it is shown again with problems.
    var rejectChecked = false
    var reason = ""
    var problem: String?

    init(_ check: RecipientCheck, number: Int) {
        self.number = number
        lineNo = check.lineNo ?? number
        identifierKind = check.nik != nil ? "NIK" : "KK"
        identifier = check.nik ?? check.kk ?? ""
        decile = check.decile.map(String.init) ?? "—"
        inRegistry = check.inRegistry
        flags = check.flags.map {
            FlagView(code: $0.rawValue, label: FlagView.label($0), lineNo: check.lineNo ?? number, checked: false)
        }
        flagged = !check.flags.isEmpty
        otherAid = check.otherAid.map {
            "\($0.agency): \($0.program) (\($0.deliveries)×, terakhir \($0.lastDeliveredOn))"
        }
        plannedValue = check.plannedValueIDR.map { DashboardFormat.rupiah($0.amount) } ?? "—"
        statusLabel = check.status.map(Self.label)
        statusClass = "status-" + (check.status?.rawValue ?? "none")
        rejectionReason = check.rejectionReason
        nameMatches = check.nameMatches.map { $0 ? "cocok" : "tidak cocok" }
    }

    static func label(_ status: LineStatus) -> String {
        switch status {
        case .pending: "Menunggu"
        case .approved: "Disetujui"
        case .rejected: "Ditolak"
        }
    }
}

/// A delivery row the database refused, and why.
struct RefusedRow {
    var row: Int
    var identifier: String
    var problem: String
}

struct DeliveryRow {
    var identifier: String
    var deliveredOn: String
    var quantity: String
    var value: String
    var reversed: Bool
    var reversalReason: String?
    /// Its reversal form (open with the problem when a reversal of it was refused).
    var reversal: PagesController.ReversalForm

    init(_ delivery: Delivery, programID: Int64, refused: PagesController.ReversalState? = nil) {
        identifier = delivery.nik ?? delivery.kk ?? ""
        deliveredOn = delivery.deliveredOn.description
        quantity = String(delivery.quantity)
        value = DashboardFormat.rupiah(delivery.valueIDR.amount)
        reversed = delivery.reversed
        reversalReason = delivery.reversalReason
        reversal = PagesController.ReversalForm(
            action: "/program/\(programID)/penyaluran/\(delivery.id)/batal", id: "batal-penyaluran-\(delivery.id)",
            open: refused != nil, reason: refused?.reason ?? "",
            problem: refused.map { $0.problems.map(\.problem).joined(separator: "; ") })
    }
}
