import Foundation
import HTTPTypes
import Hummingbird
import PaduCore
import PaduStore

/// The dashboard at `/`: a login form, then the summary drawn as HTML and SVG on the server.
/// The session token lives in an HttpOnly, SameSite=Strict cookie that only these pages read.
struct DashboardController: Sendable {
    let services: APIServices
    let pages: PagesController

    static let sessionCookie = PageSession.cookie

    struct LoginForm: Decodable {
        var username: String
        var password: String
        var year: Int?
    }

    func register(on router: RouteRegistrar) {
        router.get("/", use: home)
        router.get("/rakor", use: rakor)
        router.post("/login", use: login)
        router.post("/logout", use: logout)
    }

    /// Each role's home: an agency's programmes and plans, the coordinator's queue, the
    /// executive's summary, the admin's summary with links. No role gets a 403 here.
    @Sendable func home(_ request: Request, context: PaduRequestContext) async throws -> Response {
        guard let session = PageSession(request, key: pages.key) else {
            return html(DashboardPages.loginPage(error: nil, year: nil))
        }
        let query = request.uri.queryParameters
        let year = query.get("year").flatMap { Int($0) }
        let period = try query.get("period").map { try quarter($0) }
        let district = try query.get("kecamatan").map { try Self.district($0) }
        let summaryWanted = query.get("tampilan") == "ringkasan"
        do {
            let page: Response? = try await services.readTransaction(token: session.token, context) { transaction in
                let role = transaction.caller.role
                guard role == .executive || role == .admin || (role == .coordinator && summaryWanted) else {
                    return nil
                }
                return html(
                    try await Self.summaryPage(
                        transaction, year: year, period: period, district: district, csrf: session.csrf,
                        links: Self.links(for: role)))
            }
            if let page { return page }
            return try await pages.visit(request, context, readOnly: true) { visit in
                try await pages.home(visit.transaction, session: visit.session)
            }
        } catch AccessError.unauthenticated {
            var response = html(DashboardPages.loginPage(error: nil, year: year))
            response.headers[.setCookie] = PageSession.clearCookie(request)
            return response
        }
    }

    /// The header's links of a role that reads the summary and the meeting pack.
    static func links(for role: Role) -> [(label: String, href: String)] {
        switch role {
        case .coordinator: [("Beranda", "/"), ("Ringkasan", "/?tampilan=ringkasan"), ("Bahan rakor", "/rakor")]
        case .admin:
            [("Ringkasan", "/"), ("Akun", "/akun"), ("Periode pelaporan", "/periode"), ("Bahan rakor", "/rakor")]
        default: [("Ringkasan", "/"), ("Bahan rakor", "/rakor")]
        }
    }

    /// The summary dashboard of `year` (default: the latest with data), reporting completeness of
    /// `period` (its quarter number in that year; default: the latest reported quarter of the year),
    /// the poorest not reached per kecamatan or per desa of `district`.
    static func summaryPage(
        _ transaction: PaduTransaction, year: Int?, period: Quarter?, district: RegionCode?, csrf: String,
        links: [(label: String, href: String)]
    ) async throws -> String {
        let years = try await transaction.summary.years()
        let chosen = try fiscalYear(
            String(year ?? years.first?.year ?? Calendar.current.component(.year, from: Date())))
        let quarters = try await transaction.dashboard.quarters(year: chosen)
        let quarter: Quarter
        if let period {
            quarter = try Quarter(year: chosen.year, quarter: period.quarter)
        } else {
            quarter = try await transaction.dashboard.reportingQuarter(year: chosen)
        }
        let summary = try await transaction.summary.summary(year: chosen)
        let regions = try await transaction.summary.regions(year: chosen, level: .district).items
        let dashboard = transaction.dashboard
        let pack = try await dashboard.meetingPack(period: chosen.quarters[3])
        let districtName = district.flatMap { code in
            regions.first { $0.regionCode == code.description }.map { (code: code.description, name: $0.region) }
        }
        if district != nil, districtName == nil {
            throw APIError.validation(field: "kecamatan", problem: "is not a kecamatan of your scope")
        }
        let extras = DashboardExtras(
            quarter: quarter, quarters: quarters, reporting: try await dashboard.reporting(period: quarter),
            yearOverYear: try await dashboard.yearOverYear(year: chosen),
            pairs: try await dashboard.agencyPairs(year: chosen),
            poorest: try await dashboard.poorestNotReached(year: chosen, district: district),
            district: districtName, outputs: DashboardExtras.outputs(of: pack))
        return DashboardPages.summaryPage(
            summary: summary, regions: regions, years: years.map(\.year), username: transaction.caller.username,
            csrf: csrf, links: links, extras: extras)
    }

    /// `?kecamatan=16.06.01`: a district code.
    static func district(_ text: String) throws -> RegionCode {
        guard let code = try? RegionCode(text), code.level == .district else {
            throw APIError.validation(field: "kecamatan", problem: "must be a kecamatan code like 16.06.01")
        }
        return code
    }

    /// The quarterly meeting pack. Without a session: the sign-in form; an agency is sent to its home.
    @Sendable func rakor(_ request: Request, context: PaduRequestContext) async throws -> Response {
        let requested = try request.uri.queryParameters.get("period").map { try quarter($0) }
        guard let session = PageSession(request, key: pages.key) else {
            return html(DashboardPages.loginPage(error: nil, year: nil))
        }
        do {
            return try await services.readTransaction(token: session.token, context) { transaction in
                guard Set<Role>.summaryReaders.contains(transaction.caller.role) else {
                    return Response(status: .seeOther, headers: [.location: "/"])
                }
                let dashboard = transaction.dashboard
                let period: Quarter
                if let requested {
                    period = requested
                } else {
                    let years = try await transaction.summary.years()
                    let latest = try years.first ?? FiscalYear(Calendar.current.component(.year, from: Date()))
                    period = try await dashboard.reportingQuarter(year: latest)
                }
                let year = try FiscalYear(period.year)
                let pack = try await dashboard.meetingPack(period: period)
                let summary = try await transaction.summary.summary(year: year)
                var quarters: [Quarter] = []
                for offered in try await transaction.summary.years() {
                    quarters += try await dashboard.quarters(year: offered)
                }
                return html(
                    DashboardPages.rakorPage(
                        pack: pack, clusters: summary.byCluster,
                        reporting: try await dashboard.reporting(period: period),
                        quarters: quarters, username: transaction.caller.username, csrf: session.csrf,
                        links: Self.links(for: transaction.caller.role)))
            }
        } catch AccessError.unauthenticated {
            var response = html(DashboardPages.loginPage(error: nil, year: nil))
            response.headers[.setCookie] = PageSession.clearCookie(request)
            return response
        }
    }

    @Sendable func login(_ request: Request, context: PaduRequestContext) async throws -> Response {
        var request = request
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true
        else {
            throw APIError.unsupportedMediaType("application/x-www-form-urlencoded")
        }
        let bytes = try await request.bodyBytes(limit: 16 * 1024)
        let form: LoginForm
        do {
            form = try URLEncodedFormDecoder().decode(LoginForm.self, from: String(decoding: bytes, as: UTF8.self))
        } catch {
            return html(
                DashboardPages.loginPage(error: "Isi nama pengguna dan kata sandi.", year: nil), status: .badRequest)
        }
        do {
            let signIn = SignIn(services: services)
            let login = try await signIn(
                username: form.username, password: form.password, address: context.clientAddress)
            let lifetime = Int(services.configuration.tokenLifetime.components.seconds)
            var response = Response(status: .seeOther, headers: [.location: form.year.map { "/?year=\($0)" } ?? "/"])
            response.headers[.setCookie] = PageSession.setCookie(login.token, lifetime: lifetime, request: request)
            return response
        } catch let error as APIError where error.status == .unauthorized || error.status == .tooManyRequests {
            let message =
                error.status == .tooManyRequests
                ? "Terlalu banyak percobaan gagal. Coba lagi nanti." : "Nama pengguna atau kata sandi salah."
            var response = html(DashboardPages.loginPage(error: message, year: form.year), status: error.status)
            if let retry = error.headers[.retryAfter] { response.headers[.retryAfter] = retry }
            return response
        }
    }

    /// Signs out: the session ends at once. The form carries the CSRF token like every other.
    @Sendable func logout(_ request: Request, context: PaduRequestContext) async throws -> Response {
        try await pages.visit(request, context, readOnly: false, roles: nil) { visit in
            try await visit.transaction.sessions.close(tokenHash: Tokens.hash(visit.session.token))
            return PageRenderer.redirect("/", cookie: PageSession.clearCookie(request))
        }
    }
}

private func html(_ page: String, status: HTTPResponse.Status = .ok) -> Response {
    Response(
        status: status,
        headers: [
            .contentType: "text/html; charset=utf-8",
            .contentSecurityPolicy:
                "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'",
            .cacheControl: "no-store",
        ],
        body: .init(byteBuffer: ByteBuffer(string: page)))
}
