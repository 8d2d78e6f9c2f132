import HTTPTypes
import Hummingbird

/// Registers routes on the router and remembers them, so a test can prove that the OpenAPI
/// document and the routes agree.
final class RouteRegistrar {
    let router: Router<PaduRequestContext>
    private(set) var routes: [(method: String, path: String)] = []

    init(router: Router<PaduRequestContext>) { self.router = router }

    typealias Handler<Output> = @Sendable (Request, PaduRequestContext) async throws -> Output

    private func record(_ method: HTTPRequest.Method, _ path: String) {
        routes.append((method.rawValue, path))
    }

    func get<Output: ResponseGenerator>(_ path: String, use handler: @escaping Handler<Output>) {
        record(.get, path)
        router.get(RouterPath(path), use: handler)
    }
    func post<Output: ResponseGenerator>(_ path: String, use handler: @escaping Handler<Output>) {
        record(.post, path)
        router.post(RouterPath(path), use: handler)
    }
    func put<Output: ResponseGenerator>(_ path: String, use handler: @escaping Handler<Output>) {
        record(.put, path)
        router.put(RouterPath(path), use: handler)
    }
    func patch<Output: ResponseGenerator>(_ path: String, use handler: @escaping Handler<Output>) {
        record(.patch, path)
        router.patch(RouterPath(path), use: handler)
    }
}
