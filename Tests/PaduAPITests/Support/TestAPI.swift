import Foundation
import Hummingbird
import Logging
import PQ
import PaduAPI
import PaduStore
import PaduTestSupport
import ServiceLifecycle

/// A real server on a loopback port over a fresh, seeded database, with one account per role.
final class TestAPI: Sendable {
    let database: TestDatabase
    let port: Int
    let task: Task<Void, any Error>
    let agencies: [String: Int64]
    let programs: [String: Int64]
    static let password = "test-password-1"

    /// Accounts: admin, bupati (executive), dinsos (coordinator), sekayu (coordinator, 16.06.01),
    /// baznas and dinkes (agency).
    /// `regencies` above 1 seeds more regencies of South Sumatra, each with its own agencies.
    static func start(
        _ label: String, households: Int = 60, regencies: Int = 1,
        configure: (inout APIConfiguration) -> Void = { _ in }
    ) async throws -> TestAPI {
        let database = try await TestDatabases.fresh(label)
        let hash = try await PasswordHasher(cost: 4).hash(password)
        let (agencies, programs) = try await database.withAdmin { connection in
            _ = try await DemoSeeder(logger: TestDatabases.logger).seed(
                on: connection, households: households, regencies: regencies)
            for (name, role, agency, scope) in [
                ("admin", "admin", nil, "16.06"), ("bupati", "executive", nil, "16.06"),
                ("dinsos", "coordinator", "DINSOS", "16.06"), ("sekayu", "coordinator", "DINSOS", "16.06.01"),
                ("baznas", "agency", "BAZNAS", "16.06"), ("dinkes", "agency", "DINKES", "16.06"),
            ] as [(String, String, String?, String)] {
                try await AccountAdmin.createAccount(
                    on: connection, username: name, passwordHash: hash, role: role, agencyCode: agency, scope: scope)
            }
            return (
                Dictionary(
                    uniqueKeysWithValues: try await connection.query("SELECT code, id FROM padu.agencies").decode(
                        (String, Int64).self)),
                Dictionary(
                    uniqueKeysWithValues: try await connection.query("SELECT code, id FROM padu.programs").decode(
                        (String, Int64).self))
            )
        }
        var configuration = APIConfiguration()
        configuration.bcryptCost = 4
        configure(&configuration)
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "padu-api-test")
        logger.logLevel = .warning
        let app = try PaduServer.makeApplication(
            listen: .tcp(host: "127.0.0.1", port: 0),
            database: PaduDatabase(connection: database.apiConfiguration, maximumConnections: 8, logger: logger),
            configuration: configuration, logger: logger,
            onServerRunning: { port in
                continuation.yield(port ?? 0)
                continuation.finish()
            })
        let task = Task { try await app.run() }
        var port = 0
        for await value in stream { port = value }
        return TestAPI(database: database, port: port, task: task, agencies: agencies, programs: programs)
    }

    private init(
        database: TestDatabase, port: Int, task: Task<Void, any Error>, agencies: [String: Int64],
        programs: [String: Int64]
    ) {
        self.database = database
        self.port = port
        self.task = task
        self.agencies = agencies
        self.programs = programs
    }

    deinit { task.cancel() }

    func stop() { task.cancel() }

    // MARK: requests

    func request(
        _ method: String, _ path: String, token: String? = nil, json: Any? = nil, body: [UInt8]? = nil,
        contentType: String? = nil, headers: [(String, String)] = []
    ) async throws -> HTTPResult {
        var all = headers
        // The suites read errors in English (the API's default is Indonesian; LanguageTests
        // asks for both), unless a test names its own language.
        if !headers.contains(where: { $0.0.lowercased() == "accept-language" }) {
            all.append(("Accept-Language", "en"))
        }
        if let token { all.append(("Authorization", "Bearer \(token)")) }
        var payload = body
        if let json {
            payload = Array(try JSONSerialization.data(withJSONObject: json, options: [.fragmentsAllowed]))
            all.append(("Content-Type", contentType ?? "application/json"))
        } else if let contentType {
            all.append(("Content-Type", contentType))
        }
        return try await HTTPClient.request(port: port, method, path, headers: all, body: payload)
    }

    func get(_ path: String, as token: String?, headers: [(String, String)] = []) async throws -> HTTPResult {
        try await request("GET", path, token: token, headers: headers)
    }

    func post(_ path: String, as token: String?, _ json: Any, headers: [(String, String)] = []) async throws
        -> HTTPResult
    {
        try await request("POST", path, token: token, json: json, headers: headers)
    }

    /// Signs in and returns the token.
    func login(_ username: String, password: String = TestAPI.password) async throws -> String {
        let result = try await request(
            "POST", "/api/v1/auth/login", json: ["username": username, "password": password])
        guard result.status == 200, let signedIn = try? result.decode(LoginResponse.self) else {
            throw TestFailure("login of \(username) failed: \(result.status) \(result.text)")
        }
        return signedIn.token
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
