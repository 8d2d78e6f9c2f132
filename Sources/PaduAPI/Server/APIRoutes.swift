import Hummingbird
import PaduStore

/// Every route of the API, on one router: each controller registers its own.
public struct APIRoutes: Sendable {
    let services: APIServices

    let renderer: PageRenderer

    /// Loads the pages' templates: a template that does not parse stops the server at start.
    public init(services: APIServices) throws {
        self.services = services
        self.renderer = try PageRenderer.load()
    }

    public func router() -> Router<PaduRequestContext> {
        registrar().router
    }

    /// The router with every route, and the list of them.
    func registrar() -> RouteRegistrar {
        let base = Router(context: PaduRequestContext.self)
        base.middlewares.add(RequestMiddleware(metrics: services.metrics, bodyLimit: services.configuration.bodyLimit))
        let pages = PagesController(services: services, renderer: renderer)
        base.middlewares.add(PageErrorMiddleware(pages: pages))
        let router = RouteRegistrar(router: base)
        OperationsController(services: services).register(on: router)
        AuthController(services: services).register(on: router)
        AccountController(services: services).register(on: router)
        ReferenceController(services: services).register(on: router)
        ProgramController(services: services).register(on: router)
        BudgetController(services: services).register(on: router)
        ReportController(services: services).register(on: router)
        RegistryController(services: services).register(on: router)
        CoordinationController(services: services).register(on: router)
        DeliveryController(services: services).register(on: router)
        SummaryController(services: services).register(on: router)
        TemplateController(services: services).register(on: router)
        pages.register(on: router)
        DashboardController(services: services, pages: pages).register(on: router)
        // Added last, so it wraps only the router's not-found answer: a known path asked with a
        // method none of its routes takes is 405 with `Allow`.
        base.middlewares.add(MethodNotAllowedMiddleware(routes: router.routes))
        return router
    }

    /// `METHOD /path/{param}` for every route, as the OpenAPI document writes them.
    public func routeList() -> [String] {
        registrar().routes.map { route in
            let path = route.path.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
            return "\(route.method) /" + path.joined(separator: "/")
        }
    }
}

extension Set where Element == Role {
    static let agencies: Set<Role> = [.agency, .coordinator]
    /// Agencies, and the admin who may read (and switch coordination of) any programme.
    static let agenciesAndAdmin: Set<Role> = [.agency, .coordinator, .admin]
    /// Who reads the executive summary, as JSON, CSV or the dashboard.
    static let summaryReaders: Set<Role> = [.executive, .admin, .coordinator]
}
