import Foundation
import Logging
import PQ
import Synchronization

/// The real PostgreSQL the tests run against: `PQ_TEST_DATABASE_URL` if set, else a
/// throwaway cluster this process starts (the code `padu db start` uses).
enum TestServer {
    static var url: String {
        get throws {
            if let url = ProcessInfo.processInfo.environment["PQ_TEST_DATABASE_URL"] { return url }
            return try PQLocalCluster.sharedTemporary().url()
        }
    }

    static let logger = Logger(label: "pq-tests")

    static func configuration(
        url: String? = nil, maximum: Int = 4, acquireTimeout: Duration = .seconds(10)
    ) throws -> PQClientConfiguration {
        PQClientConfiguration(
            connection: PQConnectionConfiguration(try url ?? Self.url),
            maximumConnections: maximum,
            acquireTimeout: acquireTimeout,
            initialBackoff: .milliseconds(50),
            maximumBackoff: .milliseconds(500))
    }

    /// Runs `body` with a running client; the client is shut down afterwards.
    static func withClient<Result: Sendable>(
        _ configuration: PQClientConfiguration? = nil,
        _ body: @Sendable (PQClient) async throws -> Result
    ) async throws -> Result {
        let client = PQClient(configuration: try configuration ?? Self.configuration(), logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }
}
