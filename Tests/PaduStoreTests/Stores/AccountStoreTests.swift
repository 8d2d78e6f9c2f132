import PQ
import PaduCore
import PaduStore
import PaduTestSupport
import Testing

@Suite("AccountStore")
struct AccountStoreTests {
    static func newAccount(_ username: String, role: Role = .agency, agency: Int64?, scope: String = "16.06.01") throws
        -> NewAccount
    {
        NewAccount(
            username: username, passwordHash: Fixture.bcryptShaped, role: role, agencyID: agency,
            scope: try RegionCode(scope))
    }

    @Test("the admin creates an account, finds it, lists it and changes it field by field")
    func createFindListUpdate() async throws {
        let f = try await Fixture.shared("store_accounts")
        let baznas = f.agencies["BAZNAS"]!
        let created = try await f.tx("admin") { tx in
            try await tx.accounts.create(try Self.newAccount("operator.baznas", agency: baznas))
        }
        #expect(created.username == "operator.baznas")
        #expect(created.role == .agency)
        #expect(created.agencyID == baznas)
        #expect(created.scope == (try RegionCode("16.06.01")))
        #expect(created.active)

        let (found, listed, changed, untouched, missing) = try await f.tx("admin") { tx in
            (
                try await tx.accounts.find(created.id),
                try await tx.accounts.list(after: 0, limit: 100),
                try await tx.accounts.update(
                    created.id,
                    AccountChanges(
                        active: false, passwordHash: "$2b$04$" + String(repeating: "b", count: 53), role: .coordinator,
                        scope: try RegionCode("16.06"))),
                try await tx.accounts.update(f.accounts["dinkes"]!, AccountChanges()),
                try await tx.accounts.update(-1, AccountChanges(active: false))
            )
        }
        #expect(found == created)
        #expect(listed.contains(created))
        #expect(listed.map(\.id) == listed.map(\.id).sorted())
        #expect(Set(f.accounts.values).isSubset(of: listed.map(\.id)))
        #expect(changed?.active == false)
        #expect(changed?.role == .coordinator)
        #expect(changed?.scope == (try RegionCode("16.06")))
        #expect(untouched?.username == "dinkes")
        #expect(untouched?.active == true)
        #expect(missing == nil)
    }

    @Test("usernames are unique; an agency role needs an agency; scope and role bound who may create")
    func refusals() async throws {
        let f = try await Fixture.shared("store_accounts")
        let taken = await databaseError {
            _ = try await f.tx("admin") { tx in
                try await tx.accounts.create(try Self.newAccount("baznas", agency: f.agencies["BAZNAS"]!))
            }
        }
        #expect(taken == .duplicate(constraint: "accounts_username_key"))
        let agencyless = await databaseError {
            _ = try await f.tx("admin") { tx in
                try await tx.accounts.create(try Self.newAccount("tanpa.opd", agency: nil))
            }
        }
        if case .notAllowed = agencyless {
        } else {
            Issue.record("an agency account without an agency: \(String(describing: agencyless))")
        }
        let elsewhere = await databaseError {
            _ = try await f.tx("admin") { tx in
                try await tx.accounts.create(
                    try Self.newAccount("palembang", role: .executive, agency: nil, scope: "16.71"))
            }
        }
        #expect(elsewhere == .forbidden, "an admin of 16.06 creates accounts only in 16.06")
        let notAdmin = await databaseError {
            _ = try await f.tx("dinsos") { tx in
                try await tx.accounts.create(try Self.newAccount("sendiri", agency: f.agencies["DINSOS"]!))
            }
        }
        #expect(notAdmin == .forbidden)
        let listedByAgency = await databaseError {
            _ = try await f.tx("baznas") { tx in try await tx.accounts.list(after: 0, limit: 10) }
        }
        #expect(listedByAgency == .forbidden)
    }
}
