import Foundation
import PQ
import PaduAPI
import PaduTestSupport
import Testing

/// Health, Prometheus metrics and the OpenAPI document.
@Suite("Operations endpoints over HTTP", .serialized)
struct OperationsTests {
    @Test("/health answers ok for the database, without a token")
    func health() async throws {
        let api = try await TestAPI.start("ops_health")
        defer { api.stop() }
        let result = try await api.get("/health", as: nil)
        #expect(result.status == 200)
        let health = try result.decode(Health.self)
        #expect(health.status == "ok")
        #expect(health.database == "ok")
        #expect(result.header("Content-Type")?.hasPrefix("application/json") == true)
        #expect(result.header("X-Request-ID")?.isEmpty == false)
    }

    @Test("/metrics counts requests by route template, method and status, never by concrete path")
    func metrics() async throws {
        let api = try await TestAPI.start("ops_metrics") { $0.metricsToken = "scraper-token-0123456789" }
        defer { api.stop() }
        let dinsos = try await api.login("dinsos")
        let nik = try #require(try await api.text("SELECT nik::text FROM padu.persons ORDER BY id LIMIT 1"))
        #expect(try await api.get("/api/v1/registry/persons/\(nik)", as: dinsos).status == 200)
        #expect(try await api.get("/api/v1/programs/999999", as: dinsos).status == 404)
        #expect(try await api.get("/api/v1/me", as: nil).status == 401)
        // The contract wants a token: the scraper's, or an admin's session; nobody else's.
        let anonymous = try await api.get("/metrics", as: nil)
        #expect(anonymous.status == 401)
        #expect(anonymous.isEnvelope("unauthenticated"))
        #expect(try await api.get("/metrics", as: "scraper-token-0123456789x").status == 401)
        #expect(try await api.get("/metrics", as: dinsos).status == 403)
        #expect(try await api.get("/metrics", as: try await api.login("admin")).status == 200)
        let result = try await api.get("/metrics", as: "scraper-token-0123456789")
        #expect(result.status == 200)
        #expect(result.header("Content-Type")?.hasPrefix("text/plain") == true)
        let text = result.text
        #expect(text.contains("padu_http_requests_total"))
        #expect(text.contains("padu_http_request_duration_seconds"))
        #expect(text.contains("padu_db_pool_connections"))
        let requestLines = text.split(separator: "\n").filter { $0.hasPrefix("padu_http_requests_total{") }
        #expect(requestLines.contains { $0.contains(#"status="404""#) && $0.contains(#"method="GET""#) })
        #expect(requestLines.contains { $0.contains(#"status="401""#) })
        #expect(requestLines.contains { $0.contains(#"status="200""#) && $0.contains("/api/v1/auth/login") })
        // The personal number in the path never becomes a label.
        #expect(!text.contains(nik))
        #expect(!text.contains("999999"))
    }

    @Test("/openapi.json is an OpenAPI 3 JSON document, served without a token")
    func openAPI() async throws {
        let api = try await TestAPI.start("ops_openapi")
        defer { api.stop() }
        let result = try await api.get("/openapi.json", as: nil)
        #expect(result.status == 200)
        #expect(result.header("Content-Type")?.hasPrefix("application/json") == true)
        // Decoding requires `openapi` a string and `info` and `paths` objects.
        let document = try result.decodeVerbatim(OpenAPIDocument.self)
        #expect(document.openapi.hasPrefix("3."))
    }

    @Test("/openapi.json documents the endpoints of the contract")
    func openAPIPaths() async throws {
        let api = try await TestAPI.start("ops_openapi_paths")
        defer { api.stop() }
        let result = try await api.get("/openapi.json", as: nil)
        let paths = Set(try result.decodeVerbatim(OpenAPIDocument.self).paths.keys)
        for path in [
            "/api/v1/auth/login", "/api/v1/auth/logout", "/api/v1/me", "/api/v1/accounts", "/api/v1/accounts/{id}",
            "/api/v1/regions", "/api/v1/regions/{code}", "/api/v1/agencies", "/api/v1/agencies/{id}",
            "/api/v1/clusters", "/api/v1/programs", "/api/v1/programs/{id}", "/api/v1/programs/{id}/budgets/{year}",
            "/api/v1/programs/{id}/realizations", "/api/v1/programs/{id}/reports/{period}", "/api/v1/reports",
            "/api/v1/periods", "/api/v1/periods/{period}", "/api/v1/registry/import",
            "/api/v1/registry/persons/{nik}", "/health", "/metrics", "/openapi.json",
        ] {
            #expect(paths.contains(path), "\(path) is not documented")
        }
    }
}
