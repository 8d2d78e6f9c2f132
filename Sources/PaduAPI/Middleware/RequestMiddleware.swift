import HTTPTypes
import Hummingbird
import Logging
import PaduStore

/// Around every request: turns any error into the contract's envelope, adds `X-Request-ID`,
/// records metrics, and logs one line with the route template (never the concrete path, which
/// can hold a NIK), the status and the duration. No body, header or parameter is logged.
struct RequestMiddleware: RouterMiddleware {
    typealias Context = PaduRequestContext
    let metrics: APIMetrics
    let bodyLimit: Int

    func handle(
        _ request: Request, context: PaduRequestContext,
        next: (Request, PaduRequestContext) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        var context = context
        context.maxUploadSize = bodyLimit
        var response: Response
        do {
            // The JSON API answers 401 to a request without credentials before anything else.
            // Each handler authenticates in its transaction's first round trip, before it
            // reads a body (`APIServices.transaction`). The path is the route the router
            // matched (it ignores empty segments: `//api/v1//programs` is `/api/v1/programs`), or
            // the request's path without empty segments when none did.
            let path = context.endpointPath ?? normalizedPath(request.uri.path)
            if path.hasPrefix("/api/v1/"), path != "/api/v1/auth/login", request.headers[.authorization] == nil {
                throw APIError.unauthenticated()
            }
            response = try await next(request, context)
        } catch {
            let apiError = APIError.from(error, requestID: context.requestID)
            if apiError.status == .internalServerError {
                context.logger.error(
                    "request failed", metadata: ["error.type": "\(String(reflecting: type(of: error)))"])
            } else if apiError.status == .serviceUnavailable {
                context.logger.warning("database unavailable", metadata: ["error": "\(error)"])
            }
            response = try apiError.response(from: request, context: context)
        }
        response.headers[.requestID] = context.requestID
        let route = context.endpointPath ?? "unmatched"
        let elapsed = ContinuousClock.now - start
        metrics.record(route: route, method: request.method.rawValue, status: response.status.code, duration: elapsed)
        context.logger.info(
            "request",
            metadata: [
                "method": "\(request.method.rawValue)", "route": "\(route)", "status": "\(response.status.code)",
                "ms": "\(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)",
            ])
        return response
    }
}

/// A request path as the router reads it: empty segments (`//`, a trailing `/`) dropped.
func normalizedPath(_ path: String) -> String {
    "/" + path.split(separator: "/", omittingEmptySubsequences: true).joined(separator: "/")
}

/// Runs only for requests no route took: a path that some route serves with other methods
/// answers 405 with `Allow` (in the error envelope), not 404.
struct MethodNotAllowedMiddleware: RouterMiddleware {
    typealias Context = PaduRequestContext
    /// Each route's method and path segments (`:name` for a parameter).
    let routes: [(method: String, segments: [Substring])]

    init(routes: [(method: String, path: String)]) {
        self.routes = routes.map { ($0.method, $0.path.split(separator: "/", omittingEmptySubsequences: true)) }
    }

    /// The methods that routes serve at `path`, in the order they were registered.
    func allowedMethods(_ path: String) -> [String] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        var methods: [String] = []
        for route in routes where route.segments.count == segments.count && !methods.contains(route.method) {
            if zip(route.segments, segments).allSatisfy({ $0.hasPrefix(":") || $0 == $1 }) {
                methods.append(route.method)
            }
        }
        return methods
    }

    func handle(
        _ request: Request, context: PaduRequestContext,
        next: (Request, PaduRequestContext) async throws -> Response
    ) async throws -> Response {
        let allowed = allowedMethods(request.uri.path)
        guard !allowed.isEmpty, !allowed.contains(request.method.rawValue) else {
            return try await next(request, context)
        }
        throw APIError(
            .methodNotAllowed, code: "method_not_allowed",
            message: "this path does not take \(request.method.rawValue); it takes \(allowed.joined(separator: ", "))",
            headers: [.allow: allowed.joined(separator: ", ")])
    }
}
