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

enum FlagView {
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

/// A flag as the compact tables show it: a short code, explained once in the legend.
struct FlagCode {
    var code: String
    var label: String
    /// The line it belongs to and whether the coordinator acknowledged it (review form).
    var lineNo: Int
    var checked: Bool

    /// Short codes of the flags: a table of 500 lines repeats them, the legend says them once.
    static func short(_ flag: CheckFlag) -> String {
        switch flag {
        case .invalidID: "TV"
        case .notInRegistry: "TD"
        case .decileAbove4: "D4"
        case .alreadyReceivingSameKind: "SJ"
        case .sameCategoryReceived: "KS"
        case .sameCategoryPlanned: "RL"
        case .duplicateInPlan: "GD"
        case .possibleDuplicatePerson: "OS"
        }
    }

    static func flag(short: String) -> CheckFlag? { CheckFlag.allCases.first { Self.short($0) == short } }

    /// The legend under a table: each code once, with its meaning.
    static let legend: [FlagCode] = CheckFlag.allCases.filter { $0 != .alreadyReceivingSameKind }.map {
        FlagCode(code: short($0), label: FlagView.label($0), lineNo: 0, checked: false)
    }
}

/// One recipient of a plan in the compact table: short cells, no repeated long markup; the
/// household view is a link away.
struct LineRow {
    var number: Int
    var lineNo: Int
    var identifierKind: String
    var identifier: String
    var household: String?
    var village: String?
    var decile: String
    var flags: [FlagCode]
    var flagged: Bool
    /// Other agencies' aid and plans, by agency: `Dinsos; Baznas (rencana)`.
    var other: String?
    var plannedValue: String
    var statusLabel: String?
    var statusClass: String
    var rejectionReason: String?
    var nameMismatch: Bool
    /// Pending with a flag not acknowledged: what the review must still settle.
    var needsAttention: Bool
    // The review form's state: stored, or as posted when the form comes back with problems.
    var rejectChecked: Bool
    var reason: String
    var problem: String?

    init(_ check: RecipientCheck, number: Int, householdLink: Bool) {
        self.number = number
        lineNo = check.lineNo ?? number - 1
        identifierKind = check.nik != nil ? "NIK" : "KK"
        identifier = check.nik ?? check.kk ?? ""
        household = householdLink && check.kk != nil && check.inRegistry ? "/keluarga/\(identifier)" : nil
        village = check.village
        decile = check.decile.map(String.init) ?? "—"
        let acknowledged = check.acknowledgedFlags ?? []
        flags = check.flags.map {
            FlagCode(
                code: FlagCode.short($0), label: FlagView.label($0), lineNo: check.lineNo ?? number - 1,
                checked: acknowledged.contains($0))
        }
        flagged = !check.flags.isEmpty
        var others: [String] = []
        for aid in check.otherAid where !others.contains(aid.agency) { others.append(aid.agency) }
        for plan in check.otherPlans where !others.contains("\(plan.agency) (rencana)") {
            others.append("\(plan.agency) (rencana)")
        }
        other = others.isEmpty ? nil : others.joined(separator: "; ")
        plannedValue = check.plannedValueIDR.map { DashboardFormat.integer(Int(clamping: $0.amount)) } ?? "—"
        statusLabel = check.status.map(Self.label)
        statusClass = "status-" + (check.status?.rawValue ?? "none")
        rejectionReason = check.rejectionReason
        nameMismatch = check.nameMatches == false
        needsAttention =
            check.status != .rejected && check.status != .approved
            && !CheckFlag.unacknowledged(check.flags, acknowledged: acknowledged).isEmpty
        rejectChecked = check.status == .rejected
        reason = check.status == .rejected ? check.rejectionReason ?? "" : ""
    }

    static func label(_ status: LineStatus) -> String {
        switch status {
        case .pending: "Menunggu"
        case .approved: "Disetujui"
        case .rejected: "Ditolak"
        }
    }
}

/// A long table a page at a time: `?halaman=N` (from 1), with links to the others.
struct Pager {
    struct Link {
        var label: String
        var href: String
        var current: Bool
    }

    static let size = 100

    var page: Int
    var pages: Int
    var first: Int
    var last: Int
    var total: Int
    var previous: String?
    var next: String?
    var links: [Link]
    /// More than one page: the links are shown (a stored value: templates read stored ones).
    var several: Bool

    /// The page `requested` (clamped) of `total` rows; `href(n)` is page n's address.
    init(requested: Int, total: Int, href: (Int) -> String) {
        pages = max(1, (total + Self.size - 1) / Self.size)
        page = min(max(1, requested), pages)
        self.total = total
        first = total == 0 ? 0 : (page - 1) * Self.size + 1
        last = min(total, page * Self.size)
        previous = page > 1 ? href(page - 1) : nil
        next = page < pages ? href(page + 1) : nil
        var links: [Link] = []
        for number in 1...pages where number == 1 || number == pages || abs(number - page) <= 3 {
            if let last = links.last, let shown = Int(last.label), shown < number - 1 {
                links.append(Link(label: "…", href: "", current: false))
            }
            links.append(Link(label: String(number), href: href(number), current: number == page))
        }
        self.links = links
        several = pages > 1
    }

    /// The rows of this page.
    func slice<T>(_ rows: [T]) -> ArraySlice<T> {
        rows.isEmpty ? rows[0..<0] : rows[(first - 1)..<last]
    }

    /// `?halaman=` of a query, 1 when absent or not a number.
    static func requested(_ text: String?) -> Int {
        guard let text, let number = Int(text.prefix(9)), number > 0 else { return 1 }
        return number
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
