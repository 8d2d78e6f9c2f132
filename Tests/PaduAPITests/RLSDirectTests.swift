import Foundation
import PQ
import PaduTestSupport
import Testing

/// Straight to the database as the API's login, `padu_api`, with another agency's request
/// context: row-level security, not the route, is what hides DINSOS's programme from BAZNAS.
@Suite("Row-level security under the API's login", .serialized)
struct RLSDirectTests {
    /// Counts BSTBK's programme and budget rows as the given account would see them.
    func visible(_ api: TestAPI, account: String, agency: String, role: String) async throws -> (Int64, Int64) {
        let accountID = try await api.accountID(account)
        let agencyID = api.agencies[agency]!
        let bstbk = api.programs["BSTBK"]!
        let client = api.database.client(api: true, maximum: 1)
        defer { client.close() }
        return try await client.withTransaction { connection in
            _ = try await connection.query(
                """
                SELECT set_config('padu.account_id', \(String(accountID)), true),
                       set_config('padu.agency_id', \(String(agencyID)), true),
                       set_config('padu.scope', '16.06', true),
                       set_config('role', \(role), true)
                """)
            let user = try await connection.query("SELECT current_user::text").first(String.self)
            #expect(user == role)
            let programs =
                try await connection.query("SELECT count(*) FROM padu.programs WHERE id = \(bstbk)")
                .first(Int64.self) ?? -1
            let budgets =
                try await connection.query(
                    "SELECT count(*) FROM padu.budget_allocations WHERE program_id = \(bstbk)"
                ).first(Int64.self) ?? -1
            return (programs, budgets)
        }
    }

    @Test("as padu_api with BAZNAS's context, DINSOS's programme and its budget are invisible")
    func crossAgencyReadStoppedByRLS() async throws {
        let api = try await TestAPI.start("rls_direct")
        defer { api.stop() }
        let (programs, budgets) = try await visible(api, account: "baznas", agency: "BAZNAS", role: "padu_agency")
        #expect(programs == 0)
        #expect(budgets == 0)
        // The same statements with DINSOS's context see the rows: the zero above is the policy.
        let (own, ownBudgets) = try await visible(api, account: "dinsos", agency: "DINSOS", role: "padu_agency")
        #expect(own == 1)
        #expect(ownBudgets == 2)
    }

    @Test("padu_api without a role switch reads no table at all")
    func loginRoleHoldsNothing() async throws {
        let api = try await TestAPI.start("rls_login_role")
        defer { api.stop() }
        let client = api.database.client(api: true, maximum: 1)
        defer { client.close() }
        let error = await #expect(throws: PQError.self) {
            _ = try await client.query("SELECT count(*) FROM padu.programs")
        }
        #expect(error?.sqlState == PQError.SQLState.insufficientPrivilege)
        // And it cannot make itself the owner.
        let owner = await #expect(throws: PQError.self) {
            try await client.withTransaction { connection in
                _ = try await connection.query("SELECT set_config('role', 'padu_owner', true)")
            }
        }
        #expect(owner != nil)
    }
}
