import Crypto
import Foundation
import Hummingbird
import PaduStore

/// Health, Prometheus metrics and the OpenAPI document.
struct OperationsController: Sendable {
    let services: APIServices

    struct HealthBody: Encodable {
        var status: String
        var database: String
    }

    func register(on router: RouteRegistrar) {
        router.get("/health", use: health)
        router.get("/metrics", use: metrics)
        router.get("/openapi.json", use: openAPI)
    }

    @Sendable func health(_ request: Request, context: PaduRequestContext) async throws -> Response {
        if await services.db.isReachable() {
            return try JSONResponse(HealthBody(status: "ok", database: "ok")).response(from: request, context: context)
        }
        var response = try JSONResponse(
            HealthBody(status: "degraded", database: "unreachable"), status: .serviceUnavailable
        ).response(from: request, context: context)
        response.headers[.retryAfter] = "5"
        return response
    }

    /// The scraper's configured token, or an admin's session.
    @Sendable func metrics(_ request: Request, context: PaduRequestContext) async throws -> RawResponse {
        guard let token = Tokens.bearer(request) else { throw APIError.unauthenticated() }
        if !isMetricsToken(token, services.configuration.metricsToken) {
            try await services.transaction(token: token, context, readOnly: true, roles: [.admin]) { _ in }
        }
        return RawResponse(
            status: .ok, contentType: "text/plain; version=0.0.4; charset=utf-8",
            bytes: services.metrics.exposition())
    }

    @Sendable func openAPI(_ request: Request, context: PaduRequestContext) async throws -> RawResponse {
        RawResponse(status: .ok, contentType: "application/json; charset=utf-8", bytes: OpenAPIDocument.bytes)
    }
}

/// The OpenAPI document, read once from the module's resources.
enum OpenAPIDocument {
    static let bytes: [UInt8] = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"),
            let data = try? Data(contentsOf: url)
        else { return Array(#"{"openapi":"3.1.0","info":{"title":"Padu","version":"missing"},"paths":{}}"#.utf8) }
        return Array(data)
    }()
}

/// Whether a bearer token is the configured metrics token. Digests compare in constant time,
/// so timing tells nothing about the token.
func isMetricsToken(_ token: String, _ expected: String?) -> Bool {
    guard let expected else { return false }
    return SHA256.hash(data: Data(token.utf8)) == SHA256.hash(data: Data(expected.utf8))
}
