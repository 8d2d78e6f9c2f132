import HTTPTypes
import Hummingbird
import Logging

/// The pages' answer to what fails: on a page route (any path outside `/api/` but the machine
/// endpoints) an error is a page in Bahasa Indonesia with the same status the API would give
/// (404, 403, 405, 413, 422, 500, 503), never the API's JSON envelope; a session that is missing
/// or has expired sends the visitor to the sign-in form (303). Added right inside
/// `RequestMiddleware`, so it also covers a path no route takes.
struct PageErrorMiddleware: RouterMiddleware {
    typealias Context = PaduRequestContext
    let pages: PagesController

    /// Paths that answer JSON or text to machines, not people.
    static let machinePaths: Set<String> = ["/health", "/metrics", "/openapi.json"]

    static func isPage(_ path: String) -> Bool {
        let path = normalizedPath(path)
        return path != "/api" && !path.hasPrefix("/api/") && !machinePaths.contains(path)
    }

    func handle(
        _ request: Request, context: PaduRequestContext,
        next: (Request, PaduRequestContext) async throws -> Response
    ) async throws -> Response {
        guard Self.isPage(request.uri.path) else { return try await next(request, context) }
        do {
            return try await next(request, context)
        } catch {
            let failure = APIError.from(error, requestID: context.requestID)
            switch failure.status {
            case .unauthorized:
                return PageRenderer.redirect("/", cookie: PageSession.clearCookie(request))
            case .internalServerError:
                context.logger.error(
                    "request failed", metadata: ["error.type": "\(String(reflecting: type(of: error)))"])
            case .serviceUnavailable:
                context.logger.warning("database unavailable", metadata: ["error": "\(error)"])
            default: break
            }
            var response = try await pages.errorPage(
                request, context, session: PageSession(request, key: pages.key), status: failure.status,
                message: PagesController.message(failure))
            for field in failure.headers where field.name != .contentType {
                response.headers.append(field)
            }
            return response
        }
    }
}
