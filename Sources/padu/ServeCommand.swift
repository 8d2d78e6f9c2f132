import ArgumentParser
import Foundation
import Hummingbird
import Logging
import PQ
import PaduAPI
import PaduStore

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the HTTP API and dashboard until SIGTERM or SIGINT.")

    @Option(help: "HOST:PORT (loopback by default) or unix:/path/padu.sock.")
    var listen: String = "127.0.0.1:8080"

    @Option(help: "Database connections the server may open.")
    var connections: Int = 16

    @Option(help: "Hours a login token lives.")
    var tokenHours: Int = 8

    @ArgumentParser.Flag(
        inversion: .prefixedNo,
        help: """
            Apply pending migrations before serving (the default). --no-migrate when the login may \
            only act as padu_api: run `padu migrate` with a privileged login first.
            """)
    var migrate = true

    func run() async throws {
        guard let address = ListenAddress(listen) else {
            throw ValidationError("--listen takes HOST:PORT or unix:/path")
        }
        let location = try await CommandEnvironment.runningLocation()
        if migrate { _ = try await MigrateCommand.migrate(location) }
        var configuration = APIConfiguration()
        configuration.tokenLifetime = .seconds(tokenHours * 3600)
        if let key = ProcessInfo.processInfo.environment["PADU_PAGE_KEY"], !key.isEmpty {
            configuration.pageKey = Array(key.utf8)
        }
        configuration.metricsToken = ProcessInfo.processInfo.environment["PADU_METRICS_TOKEN"].flatMap {
            $0.isEmpty ? nil : $0
        }
        let logger = CommandEnvironment.logger
        let reads = location.readConnections
        if !reads.isEmpty {
            logger.info(
                "summary, regions and the dashboard read from standbys",
                metadata: ["standbys": "\(reads.map(\.description).joined(separator: " | "))"])
        }
        let database = PaduDatabase(
            connection: location.apiConnection, readConnections: reads, maximumConnections: connections,
            logger: logger)
        let app = try PaduServer.makeApplication(
            listen: address, database: database, configuration: configuration, logger: logger,
            onServerRunning: { port in
                logger.info(
                    "padu is listening", metadata: ["address": "\(listen)", "port": "\(port.map(String.init) ?? "-")"])
            })
        try await app.runService()
    }
}
