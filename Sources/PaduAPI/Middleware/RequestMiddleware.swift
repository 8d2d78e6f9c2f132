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
    /// Checks a request's bearer token (any role), for requests with a body.
    let authenticate: @Sendable (Request, PaduRequestContext) async throws -> Caller

    func handle(
        _ request: Request, context: PaduRequestContext,
        next: (Request, PaduRequestContext) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        var context = context
        context.maxUploadSize = bodyLimit
        var response: Response
        do {
            // The JSON API answers 401 to a request without valid credentials before reading its
            // body: a made-up token must not get a body read, parsed and judged.
            let path = request.uri.path
            if path.hasPrefix("/api/v1/"), path != "/api/v1/auth/login" {
                guard request.headers[.authorization] != nil else { throw APIError.unauthenticated() }
                // The caller is kept for the route, whose transaction then costs no second check.
                if request.method != .get, request.method != .head, path != "/api/v1/auth/logout" {
                    context.caller = try await authenticate(request, context)
                }
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
