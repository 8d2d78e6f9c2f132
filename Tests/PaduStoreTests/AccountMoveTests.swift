import PQ
import PaduStore
import PaduTestSupport
import Testing

/// An account keeps its agency: an admin cannot hand anyone another agency's recipients.
@Suite("Accounts keep their agency")
struct AccountMoveTests {
    @Test("directly as padu_admin, moving an account to another agency is refused; its other fields still change")
    func adminCannotMoveAccount() async throws {
        let f = try await Fixture.make("acct_move", households: 10)
        let account = try #require(f.accounts["baznas"])
        let dinsos = try #require(f.agencies["DINSOS"])
        let error = await #expect(throws: PQError.self) {
            try await f.as("admin") { c in
                try await c.query("UPDATE padu.accounts SET agency_id = \(dinsos) WHERE id = \(account)")
            }
        }
        #expect(error?.sqlState == PQError.SQLState.insufficientPrivilege)
        try await f.as("admin") { c in
            try await c.query("UPDATE padu.accounts SET active = false WHERE id = \(account)")
        }
    }
}
