import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PaduCore
import PaduStore

/// The pages for agencies and the coordinator: another face of the same stores, on the same
/// session, transaction and database role as the API. A handler authenticates the cookie's
/// token in the request's only transaction, reads a POST's form inside it and refuses the form
/// (403) unless it carries the session's CSRF token.
struct PagesController: Sendable {
    let services: APIServices
    let renderer: PageRenderer
    let key: SymmetricKey

    init(services: APIServices, renderer: PageRenderer) {
        self.services = services
        self.renderer = renderer
        self.key = SymmetricKey(data: services.configuration.pageKey)
    }

    func register(on router: RouteRegistrar) {
        router.get("/program", use: newProgrammeForm)
        router.post("/program", use: createProgramme)
        router.get("/program/:id", use: programme)
        router.get("/program/:id/ubah", use: editProgrammeForm)
        router.post("/program/:id/ubah", use: updateProgramme)
        router.post("/program/:id/cek", use: check)
        router.post("/program/:id/rencana", use: createPlan)
        router.post("/program/:id/penyaluran", use: deliver)
        router.post("/program/:id/penyaluran/:delivery_id/batal", use: reverseDelivery)
        router.post("/program/:id/anggaran", use: setBudget)
        router.post("/program/:id/realisasi", use: addRealisation)
        router.post("/program/:id/realisasi/:realization_id/batal", use: reverseRealisation)
        router.post("/program/:id/laporan", use: putReport)
        router.get("/rencana/:id", use: plan)
        router.post("/rencana/:id/ajukan", use: submit)
        router.post("/rencana/:id/keputusan", use: decide)
        router.get("/keluarga/:kk", use: household)
        router.get("/laporan", use: reports)
        router.get("/duplikat", use: duplicates)
        router.post("/duplikat/:a/:b", use: decideDuplicate)
        router.get("/akun", use: accounts)
        router.post("/akun", use: createAccount)
        router.post("/akun/:id", use: changeAccount)
        router.get("/periode", use: periods)
        router.post("/periode", use: setPeriod)
        for (page, api) in Self.templateNames {
            router.get("/templat/\(page).csv") { _, _ in try Self.templateFile(api, page, xlsx: false) }
            router.get("/templat/\(page).xlsx") { _, _ in try Self.templateFile(api, page, xlsx: true) }
        }
    }

    /// The CSV templates the forms take: a header row and one example row (no personal data).
    /// The pages' upload templates by their Indonesian name, and the API template each one is:
    /// the same header and example row as `GET /api/v1/templates/{name}.xlsx`, as XLSX or CSV.
    static let templateNames = [("penerima", "recipients"), ("penyaluran", "deliveries")]

    static func templateFile(_ api: String, _ page: String, xlsx: Bool) throws -> Response {
        guard let document = TemplateController.templates["\(api).xlsx"] else { throw APIError.notFound("template") }
        let bytes = xlsx ? try document.xlsx(sheetName: "Template") : Array(document.csv().utf8)
        return Response(
            status: .ok,
            headers: [
                .contentType: xlsx ? XLSX.mediaType : "text/csv; charset=utf-8",
                .contentDisposition: "attachment; filename=\"\(page).\(xlsx ? "xlsx" : "csv")\"",
            ],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    // MARK: plumbing

    /// What a page handler gets: the transaction, the session, and the posted form for a POST.
    struct Visit {
        let transaction: PaduTransaction
        let session: PageSession
        let form: PageForm?
        var caller: Caller { transaction.caller }
    }

    /// Runs `body` in the request's transaction as the cookie's session. No session: back to the
    /// sign-in page. A POST's form is read after authentication and refused without its CSRF
    /// token. Errors become a page in Indonesian with the same status the API would answer.
    func visit(
        _ request: Request, _ context: PaduRequestContext, readOnly: Bool, roles: Set<Role>? = .agencies,
        _ body: (Visit) async throws -> Response
    ) async throws -> Response {
        // No session (or a form posted without one, which changes nothing): to the sign-in form.
        guard let session = PageSession(request, key: key) else { return PageRenderer.redirect("/") }
        var request = request
        do {
            return try await services.transaction(token: session.token, context, readOnly: readOnly, roles: roles) {
                transaction in
                var form: PageForm?
                if request.method == .post {
                    let bytes = try await request.bodyBytes(limit: context.maxUploadSize)
                    guard let posted = PageForm(contentType: request.headers[.contentType], body: bytes) else {
                        throw APIError.validation(field: "formulir", problem: "formulir tidak dapat dibaca")
                    }
                    guard session.accepts(posted) else { throw PageRefusal.csrf }
                    form = posted
                }
                return try await body(Visit(transaction: transaction, session: session, form: form))
            }
        } catch let refused as FormRefused {
            throw refused
        } catch let refused as ProgrammeRefused {
            throw refused
        } catch let refused as RecordRefused {
            throw refused
        } catch PageRefusal.csrf {
            return try await errorPage(
                request, context, session: session, status: .forbidden,
                message: "Formulir ini kedaluwarsa atau tidak berasal dari Padu. Muat ulang halaman lalu coba lagi.")
        } catch {
            let failure = APIError.from(error, requestID: context.requestID)
            if failure.status == .unauthorized {
                return PageRenderer.redirect("/", cookie: PageSession.clearCookie(request))
            }
            return try await errorPage(
                request, context, session: session, status: failure.status, message: Self.message(failure))
        }
    }

    /// A refusal of the pages' own.
    enum PageRefusal: Error { case csrf }

    static func message(_ error: APIError) -> String {
        switch error.status {
        case .notFound: "Halaman atau data ini tidak ada, atau bukan milik Anda."
        case .forbidden: "Halaman ini bukan untuk peran Anda."
        case .conflict: "Tidak dapat dilakukan sekarang: \(Language.indonesian.text(error.message))."
        case .serviceUnavailable: "Basis data sedang tidak tersedia. Coba lagi sebentar lagi."
        case .contentTooLarge: "Berkas atau formulir terlalu besar (paling banyak 10 MB)."
        case .methodNotAllowed:
            "Alamat ini tidak dapat dibuka dengan cara itu. Kembali ke beranda lalu ikuti tautannya."
        case .badRequest: "Permintaan tidak dapat dibaca."
        case .unprocessableContent:
            "Data tidak valid: "
                + error.details.map { "\($0.field): \(Language.indonesian.text($0.problem))" }.joined(separator: "; ")
        default: "Terjadi kesalahan di server (nomor permintaan \(error.message.split(separator: " ").last ?? ""))."
        }
    }

    struct ErrorModel {
        var chrome: PageChrome?
        var heading: String
        var message: String
        var css = PageStyles.css
    }

    /// An error page inside the layout when the session still works, else a bare one.
    func errorPage(
        _ request: Request, _ context: PaduRequestContext, session: PageSession?, status: HTTPResponse.Status,
        message: String
    ) async throws -> Response {
        var chrome: PageChrome?
        if let session, status != .serviceUnavailable {
            chrome = try? await services.transaction(token: session.token, context, readOnly: true) { transaction in
                try await self.chrome(transaction, session: session, title: "Kesalahan", current: "")
            }
        }
        let heading =
            switch status {
            case .notFound: "Tidak ditemukan"
            case .forbidden: "Tidak diizinkan"
            case .contentTooLarge: "Terlalu besar"
            case .internalServerError: "Kesalahan server"
            case .serviceUnavailable: "Sedang tidak tersedia"
            default: "Tidak dapat diproses"
            }
        return renderer.page("error", ErrorModel(chrome: chrome, heading: heading, message: message), status: status)
    }

    /// The layout's model: who is signed in, their agency, the menu for their role.
    func chrome(_ transaction: PaduTransaction, session: PageSession, title: String, current: String) async throws
        -> PageChrome
    {
        let caller = transaction.caller
        var agencyName: String?
        if let id = caller.agencyID { agencyName = try await transaction.reference.agency(id)?.name }
        var nav = [PageChrome.Link(label: "Beranda", href: "/", current: current == "/")]
        if caller.role == .coordinator || caller.role == .executive || caller.role == .admin {
            nav.append(.init(label: "Ringkasan", href: "/?tampilan=ringkasan", current: current == "ringkasan"))
        }
        if caller.role == .coordinator {
            nav.append(.init(label: "Laporan kemajuan", href: "/laporan", current: current == "laporan"))
            nav.append(.init(label: "Data ganda", href: "/duplikat", current: current == "duplikat"))
        }
        if caller.role == .admin {
            nav.append(.init(label: "Akun", href: "/akun", current: current == "akun"))
            nav.append(.init(label: "Periode pelaporan", href: "/periode", current: current == "periode"))
        }
        if caller.role == .agency || caller.role == .coordinator {
            nav.append(.init(label: "Templat penerima (Excel)", href: "/templat/penerima.xlsx", current: false))
        }
        return PageChrome(
            title: title, username: caller.username, roleLabel: PageChrome.roleLabel(caller.role),
            agencyName: agencyName, csrf: session.csrf, nav: nav)
    }

    /// Names of the programmes and agencies the caller can see, for plan rows.
    func names(_ transaction: PaduTransaction) async throws -> (programmes: [Int64: String], agencies: [Int64: String])
    {
        let programmes = try await transaction.programs.list(after: 0, limit: 1000)
        let agencies = try await transaction.reference.agencies()
        return (
            Dictionary(programmes.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a }),
            Dictionary(agencies.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        )
    }

    func planRows(_ plans: [Plan], _ transaction: PaduTransaction) async throws -> [PlanRow] {
        let (programmes, agencies) = try await names(transaction)
        return plans.map {
            PlanRow(
                $0, programName: programmes[$0.programID] ?? "Program \($0.programID)",
                agencyName: agencies[$0.agencyID] ?? "")
        }
    }

    // MARK: homes

    struct AgencyHome {
        var chrome: PageChrome
        var programmes: [ProgrammeRow]
        var plans: [PlanRow]
        var queue: [PlanRow]
        var isCoordinator: Bool
    }

    /// `/` for an agency (its programmes and plans) and a coordinator (the queue of submitted
    /// plans of its clusters, then its own agency's programmes and plans).
    func home(_ transaction: PaduTransaction, session: PageSession) async throws -> Response {
        let caller = transaction.caller
        let own = try await transaction.programs.list(after: 0, limit: 1000).filter { $0.agencyID == caller.agencyID }
        let all = try await transaction.plans.list(after: 0, limit: 1000, status: nil)
        let rows = try await planRows(all, transaction)
        let mine = rows.filter { row in all.first { $0.id == row.id }?.agencyID == caller.agencyID }
        var queue: [PlanRow] = []
        if caller.role == .coordinator {
            for plan in all where plan.status == .submitted && plan.agencyID != caller.agencyID {
                if try await transaction.plans.decides(plan.id), let row = rows.first(where: { $0.id == plan.id }) {
                    queue.append(row)
                }
            }
        }
        let model = AgencyHome(
            chrome: try await chrome(transaction, session: session, title: "Beranda", current: "/"),
            programmes: own.map(ProgrammeRow.init), plans: mine.reversed(), queue: queue,
            isCoordinator: caller.role == .coordinator)
        return renderer.page("home-agency", model)
    }
}
