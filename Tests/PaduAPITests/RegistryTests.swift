import Foundation
import PQ
import PaduAPI
import PaduStore
import PaduTestSupport
import Testing

/// The shared social registry: all-or-nothing imports by the coordinator (JSON and CSV),
/// and audited person lookups that agencies get only for their own recipients.
@Suite("Registry over HTTP", .serialized)
struct RegistryTests {
    static let csvQuery = "?source=DTKS&as_of=2019-01-31"

    func registryCounts(_ api: TestAPI) async throws -> [Int64] {
        [
            try await api.scalar("SELECT count(*) FROM padu.households"),
            try await api.scalar("SELECT count(*) FROM padu.persons"),
            try await api.scalar("SELECT count(*) FROM padu.household_members"),
            try await api.scalar("SELECT count(*) FROM padu.registry_entries"),
        ]
    }

    /// Households inserted and updated, persons inserted and updated; nil if the body is no import result.
    func counts(_ result: HTTPResult) -> [Int]? {
        (try? result.decode(RegistryImportResult.self)).map {
            [$0.householdsInserted, $0.householdsUpdated, $0.personsInserted, $0.personsUpdated]
        }
    }

    @Test("a JSON import of ten households writes them; the same import again changes nothing")
    func importJSONTwice() async throws {
        let api = try await TestAPI.start("reg_import")
        defer { api.stop() }
        let token = try await api.login("dinsos")
        let households = RegistryData.households(10)
        let before = try await registryCounts(api)
        let first = try await api.post("/api/v1/registry/import", as: token, RegistryData.json(households))
        #expect(first.status == 200)
        #expect(counts(first) == [10, 0, 20, 0])
        let after = try await registryCounts(api)
        #expect(zip(after, before).map { $0 - $1 } == [10, 20, 20, 10])
        let kk = households[3].kk
        #expect(
            try await api.scalar(
                """
                SELECT h.decile::int8 FROM padu.households h JOIN padu.household_kk k ON k.household_id = h.id
                 WHERE k.kk = \(kk) AND k.valid_to IS NULL
                """) == Int64(households[3].decile))
        let again = try await api.post("/api/v1/registry/import", as: token, RegistryData.json(households))
        #expect(again.status == 200)
        #expect(counts(again) == [0, 0, 0, 0])
        #expect(try again.decode(RegistryImportResult.self).possibleDuplicatesFound == 0)
        #expect(try await registryCounts(api) == after)
    }

    @Test(
        "a changed address and a corrected name count as one household and one person updated")
    func importUpdates() async throws {
        let api = try await TestAPI.start("reg_update")
        defer { api.stop() }
        let token = try await api.login("dinsos")
        var households = RegistryData.households(3)
        #expect(try await api.post("/api/v1/registry/import", as: token, RegistryData.json(households)).status == 200)
        households[1].address = "Dusun Baru RT 009"
        households[2].members[1].name = "Siti Aisyah"
        let result = try await api.post("/api/v1/registry/import", as: token, RegistryData.json(households))
        #expect(result.status == 200)
        #expect(counts(result) == [0, 1, 0, 1])
        #expect(
            try await api.text("SELECT name FROM padu.persons WHERE nik = \(households[2].members[1].nik)")
                == "Siti Aisyah")
    }

    @Test("a CSV import writes one person per row")
    func importCSV() async throws {
        let api = try await TestAPI.start("reg_csv")
        defer { api.stop() }
        let token = try await api.login("dinsos")
        let households = RegistryData.households(3, firstSerial: 101)
        let result = try await api.request(
            "POST", "/api/v1/registry/import" + Self.csvQuery, token: token, body: RegistryData.csv(households),
            contentType: "text/csv; charset=utf-8")
        #expect(result.status == 200)
        #expect(counts(result) == [3, 0, 6, 0])
        #expect(
            try await api.text("SELECT name FROM padu.persons WHERE nik = \(households[0].members[0].nik)")
                == households[0].members[0].name)
        // The same rows as JSON change nothing: both formats mean the same data.
        let json = try await api.post("/api/v1/registry/import", as: token, RegistryData.json(households))
        #expect(counts(json) == [0, 0, 0, 0])
    }

    @Test("a CSV with bad rows is 422 naming each row and field, and nothing is written")
    func importCSVBadRows() async throws {
        let api = try await TestAPI.start("reg_csv_bad")
        defer { api.stop() }
        let token = try await api.login("dinsos")
        var rows = RegistryData.csvRows(RegistryData.households(3, firstSerial: 201))
        // Data rows start on line 2 (line 1 is the header).
        rows[1] = rows[1].replacingOccurrences(of: "1606015503820201", with: "123")  // line 3: nik
        rows[2] = rows[2].replacingOccurrences(of: ",M,", with: ",X,")  // line 4: sex
        rows[4] = rows[4].replacingOccurrences(of: "1980-03-15", with: "1980-02-30")  // line 6: birth_date
        // line 7: the decile differs from line 6, of the same KK
        rows[5] = rows[5].replacingOccurrences(of: ",3,160601", with: ",4,160601")
        let body = Array(([RegistryData.csvHeader] + rows).joined(separator: "\n").utf8)
        let before = try await registryCounts(api)
        let result = try await api.request(
            "POST", "/api/v1/registry/import" + Self.csvQuery, token: token, body: body, contentType: "text/csv")
        #expect(result.status == 422)
        #expect(result.isEnvelope("validation_failed"))
        #expect(
            Set(result.errorFields) == ["row 3, nik", "row 4, sex", "row 6, birth_date", "row 7, decile"],
            "\(result.errorFields)")
        #expect(try await registryCounts(api) == before)
        let noHeader = try await api.request(
            "POST", "/api/v1/registry/import" + Self.csvQuery, token: token,
            body: Array("kk,nik,name\n1606010101190001,1606011503800001,Budi".utf8), contentType: "text/csv")
        #expect(noHeader.status == 422)
        #expect(noHeader.errorFields == ["header"])
        let noSource = try await api.request(
            "POST", "/api/v1/registry/import", token: token, body: RegistryData.csv(RegistryData.households(1)),
            contentType: "text/csv")
        #expect(noSource.status == 422)
        #expect(Set(noSource.errorFields) == ["source", "as_of"])
        let unterminated = try await api.request(
            "POST", "/api/v1/registry/import" + Self.csvQuery, token: token,
            body: Array((RegistryData.csvHeader + "\n\"1606010101190001,16.06.01.2001").utf8), contentType: "text/csv")
        #expect(unterminated.status == 400)
        #expect(unterminated.errorCode == "malformed_request")
        #expect(try await registryCounts(api) == before)
    }

    @Test("a JSON import with bad households is 422 naming every problem by path, and nothing is written")
    func importJSONBad() async throws {
        let api = try await TestAPI.start("reg_json_bad")
        defer { api.stop() }
        let token = try await api.login("dinsos")
        var households = RegistryData.households(6, firstSerial: 301)
        households[0].kk = "123"
        households[1].members[0].birthDate = "1981-03-15"  // not what the NIK says
        households[2].decile = 11
        households[3].regionCode = "16.06.01"  // a district, not a village
        households[4].members = []
        households[5].members[1].nik = households[5].members[0].nik  // the same person twice
        households[5].members[1].sex = "M"
        households[5].members[1].birthDate = "1980-03-15"
        var body = RegistryData.json(households)
        body["as_of"] = "2019-02-30"
        let before = try await registryCounts(api)
        let result = try await api.post("/api/v1/registry/import", as: token, body)
        #expect(result.status == 422)
        #expect(
            Set(result.errorFields) == [
                "as_of", "households[0].kk", "households[1].members[0].nik", "households[2].decile",
                "households[3].region_code", "households[4].members", "households[5].members[1].nik",
            ], "\(result.errorFields)")
        #expect(try await registryCounts(api) == before)
        let empty = try await api.post(
            "/api/v1/registry/import", as: token, ["source": "SURVEY", "as_of": "2019-01-31", "households": []])
        #expect(Set(empty.errorFields) == ["source", "households"])
    }

    @Test("a household outside the coordinator's scope is 422, and nothing is written")
    func outsideScope() async throws {
        let api = try await TestAPI.start("reg_scope")
        defer { api.stop() }
        let token = try await api.login("sekayu")
        let lais = RegistryData.households(2, village: "16.06.02.2001", firstSerial: 401)
        let inside = RegistryData.households(1, village: "16.06.01.2002", firstSerial: 401)
        let before = try await registryCounts(api)
        let result = try await api.post("/api/v1/registry/import", as: token, RegistryData.json(inside + lais))
        #expect(result.status == 422)
        #expect(result.isEnvelope("validation_failed"))
        #expect(Set(result.errorFields) == ["households[1].region_code", "households[2].region_code"])
        #expect(try await registryCounts(api) == before)
        let unknownVillage = RegistryData.households(1, village: "16.06.01.2999", firstSerial: 402)
        let unknown = try await api.post("/api/v1/registry/import", as: token, RegistryData.json(unknownVillage))
        #expect(unknown.status == 422)
        #expect(unknown.errorFields == ["households[0].region_code"])
        #expect(try await registryCounts(api) == before)
    }

    @Test("the coordinator of 16.06.01 imports households of its own villages")
    func insideScope() async throws {
        let api = try await TestAPI.start("reg_scope_own")
        defer { api.stop() }
        let token = try await api.login("sekayu")
        let inside = RegistryData.households(2, village: "16.06.01.2002", firstSerial: 451)
        let own = try await api.post("/api/v1/registry/import", as: token, RegistryData.json(inside))
        #expect(own.status == 200)
        #expect(counts(own) == [2, 0, 4, 0])
        #expect(
            try await api.scalar(
                "SELECT count(*) FROM padu.persons WHERE region_code = '16.06.01.2002' AND nik LIKE '%0451'") == 2)
    }

    @Test("only a coordinator imports: agency, executive and admin are 403")
    func importRoles() async throws {
        let api = try await TestAPI.start("reg_roles")
        defer { api.stop() }
        let body = RegistryData.json(RegistryData.households(1, firstSerial: 501))
        let before = try await registryCounts(api)
        for name in ["baznas", "bupati", "admin"] {
            let result = try await api.post("/api/v1/registry/import", as: try await api.login(name), body)
            #expect(result.status == 403, "\(name)")
            #expect(result.isEnvelope("forbidden"), "\(name)")
        }
        #expect(try await registryCounts(api) == before)
        let wrongType = try await api.request(
            "POST", "/api/v1/registry/import", token: try await api.login("dinsos"), body: Array("<xml/>".utf8),
            contentType: "application/xml")
        #expect(wrongType.status == 415)
        #expect(wrongType.isEnvelope("unsupported_media_type"))
    }

    @Test("the coordinator looks a person up, and the read is audited with the request id")
    func coordinatorLookup() async throws {
        let api = try await TestAPI.start("reg_lookup")
        defer { api.stop() }
        let (nik, personID, kk) = try await api.database.withAdmin { c in
            try await c.query(
                """
                SELECT p.nik::text, p.id, k.kk::text FROM padu.persons p
                  JOIN padu.household_members m ON m.person_id = p.id AND m.valid_to IS NULL
                  JOIN padu.household_kk k ON k.household_id = m.household_id AND k.valid_to IS NULL
                 ORDER BY p.id LIMIT 1
                """
            ).first((String, Int64, String).self)!
        }
        let result = try await api.get("/api/v1/registry/persons/\(nik)", as: try await api.login("dinsos"))
        #expect(result.status == 200)
        let person = try result.decode(RegistryPerson.self)
        #expect(person.nik == nik)
        #expect(person.id == personID)
        #expect(person.name == (try await api.text("SELECT name FROM padu.persons WHERE id = \(personID)")))
        #expect(person.birthDate.count == 10)
        #expect(["M", "F"].contains(person.sex))
        let household = try #require(person.household)
        #expect(household.kk == kk)
        #expect(household.regionCode.hasPrefix("16.06."))
        // Where the decile comes from, as the registry recorded it.
        let (source, asOf) = try await api.database.withAdmin { c in
            try await c.query(
                """
                SELECT h.registry_source, h.registry_as_of::text FROM padu.households h
                  JOIN padu.household_members m ON m.household_id = h.id AND m.valid_to IS NULL
                 WHERE m.person_id = \(personID)
                """
            ).first((String, String).self)!
        }
        #expect(household.registrySource == source)
        #expect(household.registryAsOf == asOf)
        #expect(person.relationship != nil)
        let dinsosID = try await api.accountID("dinsos")
        let requestID = result.header("X-Request-ID") ?? "?"
        #expect(
            try await api.scalar(
                """
                SELECT count(*) FROM padu.audit_log
                 WHERE action = 'read' AND entity = 'person' AND entity_id = \(String(personID))
                   AND account_id = \(dinsosID) AND request_id = \(requestID)
                """) == 1)
    }

    @Test("an agency cannot look up a person it has no plan or delivery for: 404, not audited as a read")
    func agencyLookup() async throws {
        let api = try await TestAPI.start("reg_lookup_agency")
        defer { api.stop() }
        let nik = try #require(try await api.text("SELECT nik::text FROM padu.persons ORDER BY id LIMIT 1"))
        let token = try await api.login("baznas")
        let result = try await api.get("/api/v1/registry/persons/\(nik)", as: token)
        #expect(!result.text.contains(nik))
        #expect(result.status != 200)
        // The answer is the same as for a NIK that exists nowhere.
        let nobody = try await api.get("/api/v1/registry/persons/1606011503800999", as: token)
        #expect(nobody.status == result.status)
        #expect(nobody.errorCode == result.errorCode)
        do {
            #expect(result.status == 404)
            #expect(result.isEnvelope("not_found"))
        }
        #expect(try await api.scalar("SELECT count(*) FROM padu.audit_log WHERE action = 'read'") == 0)
    }

    @Test("an agency looks up a person it has delivered aid to")
    func agencyLookupOwnRecipient() async throws {
        let api = try await TestAPI.start("reg_lookup_recipient")
        defer { api.stop() }
        let bedah = api.programs["BEDAH-RUMAH"]!
        let baznas = api.agencies["BAZNAS"]!
        let (nik, personID, name) = try await api.database.withAdmin { c in
            let person = try await c.query("SELECT nik::text, id, name FROM padu.persons ORDER BY id LIMIT 1")
                .first((String, Int64, String).self)!
            _ = try await c.query("UPDATE padu.programs SET requires_coordination = false WHERE id = \(bedah)")
            _ = try await c.query(
                """
                INSERT INTO padu.deliveries (program_id, agency_id, nik, person_id, delivered_on, quantity, value_idr)
                VALUES (\(bedah), \(baznas), \(person.0), \(person.1), '2019-05-02', 1, 20000000)
                """)
            return person
        }
        let result = try await api.get("/api/v1/registry/persons/\(nik)", as: try await api.login("baznas"))
        let reads = try await api.scalar(
            "SELECT count(*) FROM padu.audit_log WHERE action = 'read' AND entity_id = \(String(personID))")
        do {
            #expect(result.status == 200)
            #expect((try? result.decode(RegistryPerson.self))?.name == name)
            #expect(reads == 1)
        }
        // Never the KK, the relationship or the registry's source: those are for the coordinator only.
        #expect(!result.text.contains("\"kk\":\"1"))
        #expect(!result.text.contains("registry_source"))
        #expect(!result.text.contains("relationship"))
    }

    @Test("lookups: out of scope, unknown and malformed NIKs are 404; executive and admin are 403")
    func lookupRules() async throws {
        let api = try await TestAPI.start("reg_lookup_rules")
        defer { api.stop() }
        let outside = try #require(
            try await api.text(
                "SELECT nik::text FROM padu.persons WHERE region_code NOT LIKE '16.06.01.%' ORDER BY id LIMIT 1"))
        let sekayu = try await api.login("sekayu")
        let scoped = try await api.get("/api/v1/registry/persons/\(outside)", as: sekayu)
        #expect(scoped.status == 404)
        #expect(
            try await api.get("/api/v1/registry/persons/\(outside)", as: try await api.login("dinsos")).status == 200)
        for nik in ["1606011503800999", "123", "160601150380099X", "'%20OR%20'1'='1"] {
            let result = try await api.get("/api/v1/registry/persons/\(nik)", as: sekayu)
            #expect(result.status == 404, "\(nik)")
            #expect(result.isEnvelope("not_found"), "\(nik)")
        }
        for name in ["bupati", "admin"] {
            let result = try await api.get("/api/v1/registry/persons/\(outside)", as: try await api.login(name))
            #expect(result.status == 403, "\(name)")
            #expect(result.isEnvelope("forbidden"), "\(name)")
        }
    }

    @Test("names with quotes and any script are imported and read back verbatim")
    func hostileNames() async throws {
        let api = try await TestAPI.start("reg_text")
        defer { api.stop() }
        let token = try await api.login("dinsos")
        var households = RegistryData.households(2, firstSerial: 601)
        households[0].members[0].name = HostileText.sqlInjection
        households[1].members[0].name = HostileText.unicode
        households[1].address = "Jl. Merdeka No. 1, RT 002 \"Ujung\""
        let imported = try await api.post("/api/v1/registry/import", as: token, RegistryData.json(households))
        #expect(imported.status == 200)
        for household in households {
            let member = household.members[0]
            let read = try await api.get("/api/v1/registry/persons/\(member.nik)", as: token).decode(
                RegistryPerson.self)
            #expect(read.name == member.name)
            #expect(read.household?.address == household.address)
            #expect(try await api.text("SELECT name FROM padu.persons WHERE nik = \(member.nik)") == member.name)
        }
        #expect(try await api.scalar("SELECT count(*) FROM padu.programs") == 7)
    }
}
