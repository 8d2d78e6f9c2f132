import PQ
import PaduStore
import PaduTestSupport

/// A migrated database with the Muba demo (agencies, programmes, a small registry) and
/// one account per role, shared by a suite.
struct Fixture: Sendable {
    let database: TestDatabase
    let db: PaduDatabase
    let agencies: [String: Int64]
    let programs: [String: Int64]
    let accounts: [String: Int64]

    static let bcryptShaped = "$2b$04$" + String(repeating: "a", count: 53)

    static func make(_ label: String, households: Int = 60) async throws -> Fixture {
        let database = try await TestDatabases.fresh(label)
        let (agencies, programs, accounts) = try await database.withAdmin { connection in
            _ = try await DemoSeeder(logger: TestDatabases.logger).seed(on: connection, households: households)
            var accounts: [String: Int64] = [:]
            for (name, role, agency, scope) in [
                ("baznas", "agency", "BAZNAS", "16.06"), ("dinkes", "agency", "DINKES", "16.06"),
                ("dinsos", "coordinator", "DINSOS", "16.06"), ("sekayu", "coordinator", "DINSOS", "16.06.01"),
                ("bupati", "executive", nil, "16.06"), ("admin", "admin", nil, "16.06"),
            ] as [(String, String, String?, String)] {
                accounts[name] = try await AccountAdmin.createAccount(
                    on: connection, username: name, passwordHash: bcryptShaped, role: role, agencyCode: agency,
                    scope: scope)
            }
            let agencies = Dictionary(
                uniqueKeysWithValues: try await connection.query("SELECT code, id FROM padu.agencies").decode(
                    (String, Int64).self))
            let programs = Dictionary(
                uniqueKeysWithValues: try await connection.query("SELECT code, id FROM padu.programs").decode(
                    (String, Int64).self))
            return (agencies, programs, accounts)
        }
        return Fixture(
            database: database, db: PaduDatabase(client: database.client(api: true)), agencies: agencies,
            programs: programs, accounts: accounts)
    }

    func caller(_ account: String) -> Caller {
        let table: [String: (Role, String?, String)] = [
            "baznas": (.agency, "BAZNAS", "16.06"), "dinkes": (.agency, "DINKES", "16.06"),
            "dinsos": (.coordinator, "DINSOS", "16.06"), "sekayu": (.coordinator, "DINSOS", "16.06.01"),
            "bupati": (.executive, nil, "16.06"), "admin": (.admin, nil, "16.06"),
        ]
        let (role, agency, scope) = table[account]!
        return Caller(
            accountID: accounts[account]!, username: account, role: role, agencyID: agency.map { agencies[$0]! },
            scope: scope)
    }

    /// Runs `body` as the named account, the way the API would.
    func `as`<Result: Sendable>(
        _ account: String, request: String = "test", _ body: (PQConnection) async throws -> Result
    ) async throws -> Result {
        try await db.withCaller(caller(account), requestID: request, body)
    }
}
