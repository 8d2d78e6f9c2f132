import Hummingbird
import Logging
import NIOCore
import PaduStore
import ServiceLifecycle

/// Where the server listens.
public enum ListenAddress: Sendable, Equatable {
    case tcp(host: String, port: Int)
    case unix(path: String)

    /// `127.0.0.1:8080`, `[::1]:8080` or `unix:/path/padu.sock`.
    public init?(_ text: String) {
        if text.hasPrefix("unix:") {
            let path = String(text.dropFirst(5))
            guard !path.isEmpty else { return nil }
            self = .unix(path: path)
            return
        }
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        self = .tcp(host: host, port: port)
    }

    var bindAddress: BindAddress {
        switch self {
        case .tcp(let host, let port): .hostname(host, port: port)
        case .unix(let path): .unixDomainSocket(path: path)
        }
    }
}

/// The HTTP server with its database pool, as one service group: on SIGTERM or SIGINT the
/// server stops accepting, lets requests in flight finish, then the pool closes.
public enum PaduServer {
    public static func makeApplication(
        listen: ListenAddress, database: PaduDatabase, configuration: APIConfiguration = .init(), logger: Logger,
        onServerRunning: @escaping @Sendable (Int?) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        let services = APIServices(db: database, configuration: configuration, logger: logger)
        let router = try APIRoutes(services: services).router()
        return Application(
            router: router,
            configuration: .init(address: listen.bindAddress, serverName: "padu"),
            services: [
                database,
                SummaryRefresher(db: database, interval: configuration.summaryRefreshInterval, logger: logger),
                DashboardRefresher(db: database, interval: configuration.dashboardRefreshInterval, logger: logger),
                AnalystWatchdog(
                    db: database, limit: configuration.analystStatementLimit,
                    interval: configuration.analystWatchdogInterval, logger: logger),
            ],
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port) },
            logger: logger)
    }
}
