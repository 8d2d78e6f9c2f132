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
            // reads a body (`APIServices.transaction`).
            let path = request.uri.path
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
