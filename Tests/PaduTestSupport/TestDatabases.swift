import Foundation
import Logging
import PQ
import PaduStore

/// Real PostgreSQL databases for tests: a throwaway cluster started once per test process
/// (the code `padu db start` uses), a template migrated once, and a fresh copy per suite.
public enum TestDatabases {
    public static let logger = Logger(label: "padu-tests")

    /// A new database with every migration applied and the region list loaded.
    public static func fresh(_ label: String = "t") async throws -> TestDatabase {
        let cluster = try PQLocalCluster.sharedTemporary()
        let template = try await templateName()
        let name = "\(label.lowercased().filter { $0.isLetter || $0.isNumber })_\(UInt32.random(in: 0...UInt32.max))"
        try await DatabaseLocation.createDatabase(name, template: template, serverURL: cluster.url(), logger: logger)
        return TestDatabase(cluster: cluster, name: name)
    }

    private static let template = TemplateBuilder()

    static func templateName() async throws -> String { try await template.build() }
}

/// Builds the migrated template once, whoever asks first.
actor TemplateBuilder {
    private var task: Task<String, any Error>?

    func build() async throws -> String {
        if let task { return try await task.value }
        let task = Task<String, any Error> {
            let cluster = try PQLocalCluster.sharedTemporary()
            let name = "padu_template"
            try await DatabaseLocation.createDatabase(name, serverURL: cluster.url(), logger: TestDatabases.logger)
            let client = PQClient(
                configuration: PQClientConfiguration(
                    connection: PQConnectionConfiguration(cluster.url(database: name)), maximumConnections: 1),
                logger: TestDatabases.logger)
            defer { client.close() }
            try await Migrator(client: client, logger: TestDatabases.logger).migrate()
            return name
        }
        self.task = task
        return try await task.value
    }
}

/// One test database.
public struct TestDatabase: Sendable {
    public let cluster: PQLocalCluster
    public let name: String

    /// As the superuser (set-up, direct checks).
    public var adminConfiguration: PQConnectionConfiguration {
        PQConnectionConfiguration(cluster.url(database: name))
    }

    /// As the API's login, padu_api.
    public var apiConfiguration: PQConnectionConfiguration {
        PQConnectionConfiguration(cluster.url(user: "padu_api", database: name))
    }

    /// The location `padu` commands would use for this database.
    public var location: DatabaseLocation {
        DatabaseLocation(kind: .external(url: cluster.url(database: name)))
    }

    /// A pool on this database. Its callers wait up to a minute for a connection: a suite that
    /// queues many transactions behind one row lock (sign-in attempts) ran past the default
    /// while the whole run loaded the machine; waiting is not what such tests test.
    public func client(api: Bool = false, maximum: Int = 4) -> PQClient {
        PQClient(
            configuration: PQClientConfiguration(
                connection: api ? apiConfiguration : adminConfiguration, maximumConnections: maximum,
                acquireTimeout: .seconds(60)),
            logger: TestDatabases.logger)
    }

    /// Runs `body` on one superuser connection.
    public func withAdmin<Result>(_ body: (PQConnection) async throws -> Result) async throws -> Result {
        try await withAdminConnection(adminConfiguration, logger: TestDatabases.logger, body)
    }
}
