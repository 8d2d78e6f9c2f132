import Foundation
import Logging
import PQ

/// Where Padu's database is: the server named by `PADU_DATABASE_URL`, or a PostgreSQL
/// cluster Padu owns under `PADU_HOME` (default `./.padu`); and where its reads may go: the
/// streaming standbys named by `PADU_READ_DATABASE_URL`, or the embedded standby under
/// `PADU_HOME/standby` once `padu db start --standby` created it.
public struct DatabaseLocation: Sendable {
    public enum Kind: Sendable {
        case external(url: String)
        case embedded(PQLocalCluster)
    }

    public let kind: Kind
    /// `PADU_READ_DATABASE_URL`: standbys for the read-only aggregates; empty when unset.
    public let readURLs: [String]
    /// The database Padu creates in its own cluster.
    public static let embeddedDatabase = "padu"

    public init(kind: Kind, readURLs: [String] = []) {
        self.kind = kind
        self.readURLs = readURLs
    }

    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment)
        -> DatabaseLocation
    {
        let reads = splitURLs(environment["PADU_READ_DATABASE_URL"] ?? "")
        if let url = environment["PADU_DATABASE_URL"], !url.isEmpty {
            return DatabaseLocation(kind: .external(url: url), readURLs: reads)
        }
        let home = environment["PADU_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? ".padu"
        return DatabaseLocation(kind: .embedded(PQLocalCluster(directory: home)), readURLs: reads)
    }

    /// Splits a comma-separated list of URLs. A URL may itself hold commas (libpq's multi-host
    /// `postgresql://h1:5432,h2:5432/db`), so a new one starts only where a comma is followed by
    /// a scheme.
    static func splitURLs(_ text: String) -> [String] {
        text.split(separator: /,\s*(?=postgres(?:ql)?:\/\/)/).map {
            $0.trimmingCharacters(in: .whitespaces)
        }.filter { !$0.isEmpty }
    }

    /// The embedded cluster's streaming standby (`padu db start --standby`), in `PADU_HOME/standby`.
    public var embeddedStandby: PQLocalCluster? {
        guard case .embedded(let cluster) = kind else { return nil }
        return PQLocalCluster(directory: cluster.directory + "/standby")
    }

    /// Where `serve` sends its read-only aggregates: `PADU_READ_DATABASE_URL`, else the
    /// embedded standby if it was created; empty: the primary serves them too. Like
    /// `apiConnection`, they act as padu_api whatever login a URL names.
    public var readConnections: [PQConnectionConfiguration] {
        if !readURLs.isEmpty {
            return readURLs.map {
                PQConnectionConfiguration(
                    $0, overrides: ["application_name": "padu-api-read", "options": Self.apiOptions(asRole: true)])
            }
        }
        guard let standby = embeddedStandby, standby.isInitialized else { return [] }
        return [
            PQConnectionConfiguration(
                standby.url(user: "padu_api", database: Self.embeddedDatabase),
                overrides: ["application_name": "padu-api-read", "options": Self.apiOptions(asRole: false)])
        ]
    }

    /// Creates (from a base backup of the running embedded primary) and starts the embedded
    /// standby; returns it. Nil for an external database.
    @discardableResult
    public func ensureStandbyRunning(logger: Logger) async throws -> PQLocalCluster? {
        guard case .embedded(let primary) = kind, let standby = embeddedStandby else { return nil }
        try await ensureRunning(logger: logger)
        if !standby.isInitialized {
            logger.info("creating the embedded streaming standby", metadata: ["directory": "\(standby.directory)"])
            try standby.initializeStandby(of: primary)
        }
        if !standby.isRunning { try standby.start() }
        return standby
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
        let external = if case .external = kind { true } else { false }
        return PQConnectionConfiguration(
            apiURL, overrides: ["application_name": "padu-api", "options": Self.apiOptions(asRole: external)])
    }

    /// The API's session settings, sent at connection time (libpq `options`), so they hold on any
    /// server whatever login the URL names: the role, and no JIT. The API's statements are short,
    /// but row-level security's subqueries and functions' guessed row counts lift their estimated
    /// cost past `jit_above_cost`, and compiling them with LLVM took 2-5 s a statement (the
    /// registry import spent 13 of its 20 s of database CPU there; docs/deploy.md). Analysts, who
    /// connect on their own, keep the server's JIT setting.
    static func apiOptions(asRole: Bool) -> String {
        (asRole ? "-c role=padu_api " : "") + "-c jit=off"
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
        // A standby created earlier comes back with its primary.
        if let standby = embeddedStandby, standby.isInitialized, !standby.isRunning {
            try standby.start()
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
