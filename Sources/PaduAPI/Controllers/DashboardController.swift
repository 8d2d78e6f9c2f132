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
        router.post("/login", use: login)
        router.post("/logout", use: logout)
    }

    /// Each role's home: an agency's programmes and plans, the coordinator's queue, the
    /// executive's summary, the admin's summary with links. No role gets a 403 here.
    @Sendable func home(_ request: Request, context: PaduRequestContext) async throws -> Response {
        guard let session = PageSession(request, key: pages.key) else {
            return html(DashboardPages.loginPage(error: nil, year: nil))
        }
        let year = request.uri.queryParameters.get("year").flatMap { Int($0) }
        let summaryWanted = request.uri.queryParameters.get("tampilan") == "ringkasan"
        do {
            let page: Response? = try await services.readTransaction(token: session.token, context) { transaction in
                let role = transaction.caller.role
                guard role == .executive || role == .admin || (role == .coordinator && summaryWanted) else {
                    return nil
                }
                let years = try await transaction.summary.years()
                let chosen = try fiscalYear(
                    String(year ?? years.first?.year ?? Calendar.current.component(.year, from: Date())))
                let summary = try await transaction.summary.summary(year: chosen)
                let regions = try await transaction.summary.regions(year: chosen, level: .district).items
                let links: [(String, String)] =
                    role == .coordinator
                    ? [("Beranda", "/")]
                    : role == .admin ? [("Akun", "/akun"), ("Periode pelaporan", "/periode")] : []
                return html(
                    DashboardPages.summaryPage(
                        summary: summary, regions: regions, years: years.map(\.year),
                        username: transaction.caller.username, csrf: session.csrf, links: links))
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
