import Foundation
import PQ
import PaduAPI
import PaduCore
import PaduStore
import PaduTestSupport
import Testing

/// Personal data only where the rule says: verify, don't reveal.
@Suite("Personal data by the front door only")
struct PersonalDataTests {
    @Test("an agency that names a NIK in a draft or pending plan cannot read the person; after approval it can")
    func personAfterApproval() async throws {
        let api = try await TestAPI.start("pd_after_approval", households: 60)
        defer { api.stop() }
        let baznas = try await api.login("baznas")
        let dinsos = try await api.login("dinsos")
        let nik = try #require(
            try await api.text(
                """
                SELECT p.nik::text FROM padu.persons p JOIN padu.household_members m ON m.person_id = p.id
                  JOIN padu.households h ON h.id = m.household_id WHERE h.decile <= 4 AND m.valid_to IS NULL
                 ORDER BY p.id LIMIT 1
                """))
        let created = try await api.post(
            "/api/v1/plans", as: baznas,
            [
                "program_id": api.programs["BEDAH-RUMAH"]!, "fiscal_year": 2019, "period": "2019-Q2",
                "recipients": [["nik": nik]],
            ])
        #expect(created.status == 201, "\(created.text)")
        let planID = try created.decode(Plan.self).id
        let asDraft = try await api.get("/api/v1/registry/persons/\(nik)", as: baznas)
        #expect(asDraft.status == 404)
        #expect(!asDraft.text.contains(nik))

        #expect(try await api.request("POST", "/api/v1/plans/\(planID)/submit", token: baznas).status == 200)
        #expect(try await api.get("/api/v1/registry/persons/\(nik)", as: baznas).status == 404)

        let decided = try await api.post("/api/v1/plans/\(planID)/decision", as: dinsos, ["decision": "approve"])
        #expect(decided.status == 200, "\(decided.text)")
        let approved = try await api.get("/api/v1/registry/persons/\(nik)", as: baznas)
        #expect(approved.status == 200, "\(approved.text)")
        #expect(try approved.decode(RegistryPerson.self).nik == nik)
    }

    @Test("directly under padu_agency, a pending plan line does not open the person's row")
    func pendingLineOpensNothing() async throws {
        let api = try await TestAPI.start("pd_direct", households: 60)
        defer { api.stop() }
        let baznas = try await api.login("baznas")
        let nik = try #require(try await api.text("SELECT nik::text FROM padu.persons ORDER BY id LIMIT 1"))
        let created = try await api.post(
            "/api/v1/plans", as: baznas,
            [
                "program_id": api.programs["BEDAH-RUMAH"]!, "fiscal_year": 2019, "period": "2019-Q2",
                "recipients": [["nik": nik]],
            ])
        #expect(created.status == 201, "\(created.text)")
        let agency = api.agencies["BAZNAS"]!
        let seen = try await api.database.withAdmin { c in
            try await c.withTransaction { tx in
                try await tx.query(
                    """
                    SELECT set_config('padu.agency_id', \(String(agency)), true), set_config('role', 'padu_agency', true)
                    """)
                return try await tx.query("SELECT count(*)::int8 FROM padu.persons WHERE nik = \(nik)").first(
                    Int64.self)
            }
        }
        #expect(seen == 0)
    }

    @Test("the check counts recipients against an hourly allowance per account: then 429 with Retry-After")
    func checkAllowance() async throws {
        let api = try await TestAPI.start("pd_allowance", households: 60)
        defer { api.stop() }
        try await api.database.withAdmin { c in
            try await c.query("UPDATE padu.check_limits SET recipients_per_hour = 5, audited_from = 3")
        }
        let dinkes = try await api.login("dinkes")
        let baznas = try await api.login("baznas")
        let niks = try await api.database.withAdmin { c in
            try await c.query("SELECT nik::text FROM padu.persons ORDER BY id LIMIT 4").decode(String.self)
        }
        func check(_ token: String, _ count: Int) async throws -> HTTPResult {
            try await api.post(
                "/api/v1/coordination/check", as: token,
                [
                    "program_id": api.programs["PMT-BALITA"]!, "fiscal_year": 2019,
                    "recipients": niks.prefix(count).map { ["nik": $0] },
                ])
        }
        #expect(try await check(dinkes, 4).status == 200)
        let over = try await check(dinkes, 2)
        #expect(over.status == 429)
        #expect(over.isEnvelope("rate_limited"))
        #expect(Int(over.header("Retry-After") ?? "") != nil)
        // Another account keeps its own allowance; the refused check claimed nothing.
        #expect(try await check(baznas, 1).status == 404)  // not its programme, but not limited either
        #expect(try await check(dinkes, 1).status == 200)
        // Checks of 3 or more recipients are audited with their size.
        #expect(
            try await api.scalar(
                "SELECT count(*) FROM padu.audit_log WHERE action = 'check' AND (detail->>'recipients')::int = 4") == 1)
    }

    @Test(
        "the check verifies the name an agency has (case, spacing, spelling tolerated) and never reveals the registry's"
    )
    func nameVerification() async throws {
        let api = try await TestAPI.start("pd_names", households: 30)
        defer { api.stop() }
        let dinkes = try await api.login("dinkes")
        let (nik, name, kk, other) = try await api.database.withAdmin { c in
            try #require(
                try await c.query(
                    """
                    SELECT p.nik::text, p.name, k.kk::text,
                           (SELECT q.name FROM padu.persons q WHERE q.id <> p.id ORDER BY q.id LIMIT 1)
                      FROM padu.persons p JOIN padu.household_members m ON m.person_id = p.id AND m.valid_to IS NULL
                      JOIN padu.household_kk k ON k.household_id = m.household_id AND k.valid_to IS NULL
                     ORDER BY p.id LIMIT 1
                    """
                ).first((String, String, String, String).self))
        }
        let sloppy = "  " + name.uppercased().replacingOccurrences(of: " ", with: "  ") + " "
        let result = try await api.post(
            "/api/v1/coordination/check", as: dinkes,
            [
                "program_id": api.programs["PMT-BALITA"]!, "fiscal_year": 2019,
                "recipients": [
                    ["nik": nik, "name": sloppy], ["nik": nik, "name": "Nama Yang Lain Sekali"], ["nik": nik],
                    ["kk": kk, "name": name],
                ],
            ])
        #expect(result.status == 200, "\(result.text)")
        let checks = try result.decode(CheckResult.self).recipients
        #expect(checks.map(\.nameMatches) == [true, false, nil, true])
        #expect(name != other)
        // Only the answer: the registry's spelling never comes back.
        #expect(!result.text.contains(name))
        #expect(!result.text.contains(other))
    }
}
