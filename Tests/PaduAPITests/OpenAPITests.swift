import Foundation
import Logging
import PQ
import PaduAPI
import PaduStore
import Testing

@Suite("The OpenAPI document")
struct OpenAPITests {
    @Test("the document served at /openapi.json and the router's routes are the same set")
    func documentMatchesRoutes() async throws {
        let api = try await TestAPI.start("openapi", households: 0)
        defer { api.stop() }
        let result = try await api.get("/openapi.json", as: nil)
        #expect(result.status == 200)
        let document = try result.decodeVerbatim(OpenAPIDocument.self)
        #expect(document.openapi.hasPrefix("3."))
        let paths = document.paths
        var documented = Set<String>()
        for (path, item) in paths {
            for method in item.keys where ["get", "post", "put", "patch", "delete"].contains(method) {
                documented.insert("\(method.uppercased()) \(path)")
            }
        }
        // The routes as registered, from a router built without a database connection.
        let client = PQClient(
            configuration: PQClientConfiguration(connection: PQConnectionConfiguration("postgresql:///unused")),
            logger: Logger(label: "openapi-test"))
        let routes = Set(
            try APIRoutes(
                services: APIServices(
                    db: PaduDatabase(client: client), configuration: .init(), logger: Logger(label: "x"))
            ).routeList())
        #expect(routes.subtracting(documented).sorted() == [], "routes missing from the document")
        #expect(documented.subtracting(routes).sorted() == [], "documented operations with no route")
        #expect(routes.count > 40)
    }

    @Test("every operation documents the error envelope for its failures")
    func errorsDocumented() async throws {
        let api = try await TestAPI.start("openapi_errors", households: 0)
        defer { api.stop() }
        let document = try await api.get("/openapi.json", as: nil).decodeVerbatim(OpenAPIDocument.self)
        for (path, item) in document.paths where path.hasPrefix("/api/v1/") {
            for (method, operation) in item {
                guard let responses = operation["responses"]?.object else { continue }
                #expect(responses["500"] != nil, "\(method) \(path) lacks 500")
                if path != "/api/v1/auth/login" {
                    #expect(responses["401"] != nil, "\(method) \(path) lacks 401")
                }
            }
        }
    }
}
