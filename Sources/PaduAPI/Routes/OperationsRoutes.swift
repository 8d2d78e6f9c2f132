import Crypto
import Foundation
import Hummingbird
import PQ
import PaduStore

struct HealthBody: Encodable {
    var status: String
    var database: String
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

extension APIRoutes {
    func addOperationsRoutes(to router: RouteRegistrar) {
        let services = self.services
        router.get("/health") { request, context -> Response in
            do {
                _ = try await services.db.client.query("SELECT 1")
                return try JSONResponse(HealthBody(status: "ok", database: "ok")).response(
                    from: request, context: context)
            } catch {
                var response = try JSONResponse(
                    HealthBody(status: "degraded", database: "unreachable"), status: .serviceUnavailable
                ).response(from: request, context: context)
                response.headers[.retryAfter] = "5"
                return response
            }
        }
        router.get("/metrics") { request, context -> RawResponse in
            // The scraper's configured token, or an admin's session.
            guard let token = Tokens.bearer(request) else { throw APIError.unauthenticated() }
            if !isMetricsToken(token, services.configuration.metricsToken) {
                _ = try await services.authenticate(request, context, roles: [.admin])
            }
            return RawResponse(
                status: .ok, contentType: "text/plain; version=0.0.4; charset=utf-8",
                bytes: services.metrics.exposition())
        }
        router.get("/openapi.json") { _, _ -> RawResponse in
            RawResponse(status: .ok, contentType: "application/json; charset=utf-8", bytes: OpenAPIDocument.bytes)
        }
    }
}
