import Foundation
import Logging
import PQ

/// Where Padu's database is: the server named by `PADU_DATABASE_URL`, or a PostgreSQL
/// cluster Padu owns under `PADU_HOME` (default `./.padu`).
public struct DatabaseLocation: Sendable {
    public enum Kind: Sendable {
        case external(url: String)
        case embedded(PQLocalCluster)
    }

    public let kind: Kind
    /// The database Padu creates in its own cluster.
    public static let embeddedDatabase = "padu"

    public init(kind: Kind) { self.kind = kind }

    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment)
        -> DatabaseLocation
    {
        if let url = environment["PADU_DATABASE_URL"], !url.isEmpty {
            return DatabaseLocation(kind: .external(url: url))
        }
        let home = environment["PADU_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? ".padu"
        return DatabaseLocation(kind: .embedded(PQLocalCluster(directory: home)))
    }

    /// For migrations, seeding, accounts and analysts: a superuser or the configured URL.
    public var adminConnection: PQConnectionConfiguration {
        let url =
            switch kind {
            case .external(let url): url
            case .embedded(let cluster): cluster.url(user: PQLocalCluster.superuser, database: Self.embeddedDatabase)
            }
        return PQConnectionConfiguration(url, overrides: ["application_name": "padu-admin"])
    }

    /// For the API: always acts as padu_api (session role), whatever login the URL names.
    public var apiConnection: PQConnectionConfiguration {
        var overrides = ["application_name": "padu-api"]
        if case .external = kind { overrides["options"] = "-c role=padu_api" }
        return PQConnectionConfiguration(apiURL, overrides: overrides)
    }

    /// The URL `serve` uses, as `padu db url` prints it.
    public var apiURL: String {
        switch kind {
        case .external(let url): url
        case .embedded(let cluster): cluster.url(user: "padu_api", database: Self.embeddedDatabase)
        }
    }

    /// For the embedded cluster: creates and starts it and its database if needed.
    public func ensureRunning(logger: Logger) async throws {
        guard case .embedded(let cluster) = kind else { return }
        if !cluster.isInitialized {
            logger.info("creating the embedded PostgreSQL cluster", metadata: ["directory": "\(cluster.directory)"])
            try cluster.initialize()
        }
        if !cluster.isRunning {
            try cluster.start()
        }
        try await Self.createDatabase(Self.embeddedDatabase, serverURL: cluster.url(), logger: logger)
    }

    /// Creates a database unless it exists.
    public static func createDatabase(
        _ name: String, template: String? = nil, serverURL: String, logger: Logger
    ) async throws {
        try await withAdminConnection(PQConnectionConfiguration(serverURL), logger: logger) { connection in
            let exists = try await connection.query("SELECT 1 FROM pg_database WHERE datname = \(name)").count > 0
            if !exists {
                var statement = "CREATE DATABASE \(PQQuery.quoteIdentifier(name))"
                if let template { statement += " TEMPLATE \(PQQuery.quoteIdentifier(template))" }
                try await connection.execute(script: statement)
            }
        }
    }
}

/// Runs `body` on one connection of a short-lived client (command-line work).
public func withAdminConnection<Result>(
    _ configuration: PQConnectionConfiguration, logger: Logger,
    _ body: (PQConnection) async throws -> Result
) async throws -> Result {
    let client = PQClient(
        configuration: PQClientConfiguration(connection: configuration, maximumConnections: 1), logger: logger)
    defer { client.close() }
    return try await client.withConnection(body)
}
