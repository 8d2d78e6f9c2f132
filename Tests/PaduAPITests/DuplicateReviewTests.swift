import Foundation
import PQ
import PaduAPI
import PaduCore
import PaduStore
import PaduTestSupport
import Testing

@Suite("Possible duplicate persons")
struct DuplicateReviewTests {
    @Test(
        "an import that brings a near-identical person queues the pair; the coordinator decides, audited, nothing merged"
    )
    func reviewQueue() async throws {
        let api = try await TestAPI.start("dupes", households: 50)
        defer { api.stop() }
        let dinsos = try await api.login("dinsos")
        // An existing person, and the "same" person again under another NIK with a misspelt name.
        let (nik, name, birth, sex, village) = try await api.database.withAdmin { c in
            try #require(
                try await c.query(
                    """
                    SELECT p.nik::text, p.name, p.birth_date::text, p.sex, p.region_code::text FROM padu.persons p
                     WHERE length(p.name) > 6 ORDER BY p.id LIMIT 1
                    """
                ).first((String, String, String, String, String).self))
        }
        var other = Array(nik)
        other.replaceSubrange(12..<16, with: Array("8888"))
        let twin = String(other)
        let import1 = try await api.post(
            "/api/v1/registry/import", as: dinsos,
            [
                "source": "LOCAL", "as_of": "2019-03-01",
                "households": [
                    [
                        "kk": "1606011503199999", "region_code": village, "address": "Dusun I", "decile": 2,
                        "members": [
                            ["nik": twin, "name": name + "h", "birth_date": birth, "sex": sex, "relationship": "head"]
                        ],
                    ]
                ],
            ])
        #expect(import1.status == 200, "\(import1.text)")
        #expect(try import1.decode(RegistryImportResult.self).possibleDuplicatesFound >= 1)

        let queue = try await api.get("/api/v1/registry/duplicates", as: dinsos)
        #expect(queue.status == 200)
        let pairs = try queue.page(of: DuplicateStore.Pair.self).items
        let pair = try #require(pairs.first { [$0.personA.nik, $0.personB.nik].contains(twin) })
        let a = pair.personA.id
        let b = pair.personB.id

        // The pair flags both persons in a check until someone decides.
        let dinkes = try await api.login("dinkes")
        let check = try await api.post(
            "/api/v1/coordination/check", as: dinkes,
            ["program_id": api.programs["PMT-BALITA"]!, "fiscal_year": 2019, "recipients": [["nik": twin]]])
        let flags = try check.decode(CheckResult.self).recipients.first?.flags ?? []
        #expect(flags.contains(.possibleDuplicatePerson))

        // An agency may not decide; the coordinator marks them different; both persons remain.
        #expect(
            try await api.post("/api/v1/registry/duplicates/\(a)/\(b)/decision", as: dinkes, ["decision": "different"])
                .status == 403)
        let decided = try await api.post(
            "/api/v1/registry/duplicates/\(a)/\(b)/decision", as: dinsos, ["decision": "different"])
        #expect(decided.status == 204)
        let (persons, audited) = try await api.database.withAdmin { c in
            (
                try await c.query("SELECT count(*) FROM padu.persons WHERE nik IN (\(nik), \(twin))").first(Int.self),
                try await c.query("SELECT count(*) FROM padu.audit_log WHERE action = 'review_duplicate'").first(
                    Int.self)
            )
        }
        #expect(persons == 2)
        #expect(audited == 1)
        let after = try await api.post(
            "/api/v1/coordination/check", as: dinkes,
            ["program_id": api.programs["PMT-BALITA"]!, "fiscal_year": 2019, "recipients": [["nik": twin]]])
        let flagsAfter = try after.decode(CheckResult.self).recipients.first?.flags ?? []
        #expect(!flagsAfter.contains(.possibleDuplicatePerson))
    }
}
