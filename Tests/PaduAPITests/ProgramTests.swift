import Foundation
import PQ
import PaduAPI
import PaduCore
import PaduStore
import PaduTestSupport
import Testing

/// Programmes: an agency (or a coordinator, for its own agency) creates and changes its own;
/// the admin reads them and may only switch `requires_coordination`.
@Suite("Programmes over HTTP", .serialized)
struct ProgramTests {
    static func body(_ code: String, name: String? = nil) -> [String: Any] {
        [
            "code": code, "name": name ?? "Programme \(code)", "cluster_id": 1, "aid_kind": "in_kind",
            "aid_category": "housing",
            "target": "household", "unit": "paket",
        ]
    }

    @Test("an agency creates a programme: 201, its own agency, coordination required by default")
    func create() async throws {
        let api = try await TestAPI.start("prog_create")
        defer { api.stop() }
        let token = try await api.login("baznas")
        let created = try await api.post("/api/v1/programs", as: token, Self.body("ZAKAT-FITRAH", name: "Zakat Fitrah"))
        #expect(created.status == 201)
        // Decoding as Program also checks created_at is an ISO-8601 instant.
        let program = try created.decode(Program.self)
        let id = program.id
        #expect(program.agencyID == api.agencies["BAZNAS"])
        #expect(program.code == "ZAKAT-FITRAH")
        #expect(program.name == "Zakat Fitrah")
        #expect(program.clusterID == 1)
        #expect(program.aidKind == .inKind)
        #expect(program.aidCategory == .housing)
        #expect(program.target == .household)
        #expect(program.unit == "paket")
        #expect(program.requiresCoordination == true)
        let read = try await api.get("/api/v1/programs/\(id)", as: token)
        #expect(read.status == 200)
        #expect(try read.decode(Program.self).name == "Zakat Fitrah")
        #expect(try await api.text("SELECT aid_category FROM padu.programs WHERE id = \(id)") == "housing")
        #expect(
            try await api.scalar("SELECT agency_id FROM padu.programs WHERE id = \(id)") == api.agencies["BAZNAS"])
        // requires_coordination true may be sent explicitly.
        var explicit = Self.body("ZAKAT-MAL")
        explicit["requires_coordination"] = true
        let second = try await api.post("/api/v1/programs", as: token, explicit)
        #expect(second.status == 201)
        #expect(try second.decode(Program.self).requiresCoordination == true)
    }

    @Test("the agency is the caller's, whatever agency_id the body names")
    func agencyFromCaller() async throws {
        let api = try await TestAPI.start("prog_owner")
        defer { api.stop() }
        var body = Self.body("SPOOF")
        body["agency_id"] = api.agencies["DINSOS"]!
        let created = try await api.post("/api/v1/programs", as: try await api.login("dinkes"), body)
        #expect(created.status == 201)
        #expect(try created.decode(Program.self).agencyID == api.agencies["DINKES"])
        #expect(
            try await api.scalar("SELECT agency_id FROM padu.programs WHERE code = 'SPOOF'") == api.agencies["DINKES"])
    }

    @Test("each agency lists only its own programmes; the admin lists all in scope")
    func list() async throws {
        let api = try await TestAPI.start("prog_list")
        defer { api.stop() }
        let baznas = try await api.get("/api/v1/programs", as: try await api.login("baznas"))
        #expect(baznas.status == 200)
        let baznasPage = try baznas.page(of: Program.self)
        #expect(baznasPage.items.map(\.code) == ["BEDAH-RUMAH"])
        #expect(baznasPage.nextCursor == nil)
        let dinkes = try await api.get("/api/v1/programs", as: try await api.login("dinkes"))
        #expect(try dinkes.page(of: Program.self).items.map(\.code) == ["PMT-BALITA"])
        let admin = try await api.get("/api/v1/programs", as: try await api.login("admin"))
        #expect(admin.status == 200)
        #expect(Set(try admin.page(of: Program.self).items.map(\.code)) == Set(api.programs.keys))
        let page = try await api.get("/api/v1/programs?limit=2", as: try await api.login("admin")).page(
            of: Program.self)
        #expect(page.items.count == 2)
        #expect(page.nextCursor != nil)
    }

    @Test("another agency's programme is 404 by id, to read and to change")
    func foreignProgramme() async throws {
        let api = try await TestAPI.start("prog_foreign")
        defer { api.stop() }
        let token = try await api.login("baznas")
        let bstbk = api.programs["BSTBK"]!
        let read = try await api.get("/api/v1/programs/\(bstbk)", as: token)
        #expect(read.status == 404)
        #expect(read.isEnvelope("not_found"))
        let change = try await api.patch("/api/v1/programs/\(bstbk)", as: token, ["name": "Taken over"])
        #expect(change.status == 404)
        #expect(change.isEnvelope("not_found"))
        #expect(
            try await api.text("SELECT name FROM padu.programs WHERE id = \(bstbk)")
                == "Program Bantuan Sosial Terpadu Berbasis Keluarga")
        // An id that exists nowhere answers the same as one that belongs to someone else.
        let unknown = try await api.get("/api/v1/programs/999999", as: token)
        #expect(unknown.status == 404)
        #expect(unknown.text == read.text)
        #expect(try await api.get("/api/v1/programs/BSTBK", as: token).status == 404)
    }

    @Test("the executive may not use programmes; the admin may not create them")
    func rolesRefused() async throws {
        let api = try await TestAPI.start("prog_roles")
        defer { api.stop() }
        let bupati = try await api.login("bupati")
        let admin = try await api.login("admin")
        let attempts = [
            try await api.get("/api/v1/programs", as: bupati),
            try await api.get("/api/v1/programs/\(api.programs["BSTBK"]!)", as: bupati),
            try await api.post("/api/v1/programs", as: bupati, Self.body("EXEC")),
            try await api.patch("/api/v1/programs/\(api.programs["BSTBK"]!)", as: bupati, ["name": "x"]),
            try await api.post("/api/v1/programs", as: admin, Self.body("ADMIN")),
        ]
        for result in attempts {
            #expect(result.status == 403, "\(result.text)")
            #expect(result.isEnvelope("forbidden"))
        }
        #expect(try await api.scalar("SELECT count(*) FROM padu.programs") == 7)
    }

    @Test("an agency that sends requires_coordination false is refused 403, creating or changing")
    func agencyCannotExempt() async throws {
        let api = try await TestAPI.start("prog_exempt")
        defer { api.stop() }
        let token = try await api.login("baznas")
        var body = Self.body("NO-COORD")
        body["requires_coordination"] = false
        let created = try await api.post("/api/v1/programs", as: token, body)
        #expect(created.status == 403)
        #expect(created.isEnvelope("forbidden"))
        #expect(try await api.scalar("SELECT count(*) FROM padu.programs WHERE code = 'NO-COORD'") == 0)
        let bedah = api.programs["BEDAH-RUMAH"]!
        let patched = try await api.patch("/api/v1/programs/\(bedah)", as: token, ["requires_coordination": false])
        #expect(patched.status == 403)
        #expect(patched.isEnvelope("forbidden"))
        let coordinator = try await api.patch(
            "/api/v1/programs/\(api.programs["BSTBK"]!)", as: try await api.login("dinsos"),
            ["requires_coordination": false])
        #expect(coordinator.status == 403)
        #expect(try await api.scalar("SELECT count(*) FROM padu.programs WHERE NOT requires_coordination") == 1)
    }

    @Test("the admin switches requires_coordination, and the switch is audited")
    func adminExempts() async throws {
        let api = try await TestAPI.start("prog_admin_exempt")
        defer { api.stop() }
        let admin = try await api.login("admin")
        let bedah = api.programs["BEDAH-RUMAH"]!
        let result = try await api.patch("/api/v1/programs/\(bedah)", as: admin, ["requires_coordination": false])
        #expect(result.status == 200)
        let exempted = try result.decode(Program.self)
        #expect(exempted.requiresCoordination == false)
        #expect(exempted.agencyID == api.agencies["BAZNAS"])
        #expect(
            try await api.scalar("SELECT count(*) FROM padu.programs WHERE id = \(bedah) AND NOT requires_coordination")
                == 1)
        let adminID = try await api.accountID("admin")
        let audited = try await api.scalar(
            """
            SELECT count(*) FROM padu.audit_log
             WHERE action = 'set_requires_coordination' AND entity = 'program' AND entity_id = \(String(bedah))
               AND account_id = \(adminID) AND detail = '{"value": false}'::jsonb
            """)
        #expect(audited == 1)
        let back = try await api.patch("/api/v1/programs/\(bedah)", as: admin, ["requires_coordination": true])
        #expect(try back.decode(Program.self).requiresCoordination == true)
        #expect(
            try await api.scalar("SELECT count(*) FROM padu.audit_log WHERE action = 'set_requires_coordination'") == 2)
        // The admin changes nothing else, and an unknown programme is 404.
        let rename = try await api.patch(
            "/api/v1/programs/\(bedah)", as: admin, ["requires_coordination": false, "name": "Renamed"])
        #expect(rename.status == 403)
        #expect(rename.isEnvelope("forbidden"))
        #expect(
            try await api.text("SELECT name FROM padu.programs WHERE id = \(bedah)")
                == "Bedah Rumah Tidak Layak Huni (Rutilahu)")
        let unknown = try await api.patch("/api/v1/programs/999999", as: admin, ["requires_coordination": false])
        #expect(unknown.status == 404)
        #expect(
            try await api.scalar("SELECT count(*) FROM padu.audit_log WHERE action = 'set_requires_coordination'") == 2)
    }

    @Test("a bad programme is 422 naming every bad field, and nothing is created")
    func validation() async throws {
        let api = try await TestAPI.start("prog_invalid")
        defer { api.stop() }
        let token = try await api.login("baznas")
        let bad = try await api.post(
            "/api/v1/programs", as: token,
            [
                "code": "has spaces!", "name": "   ", "cluster_id": 9, "aid_kind": "gold", "aid_category": "gold",
                "target": "village",
                "unit": String(repeating: "u", count: 61),
            ])
        #expect(bad.status == 422)
        #expect(bad.isEnvelope("validation_failed"))
        #expect(Set(bad.errorFields) == ["code", "name", "cluster_id", "aid_kind", "aid_category", "target", "unit"])
        #expect(bad.errorDetails.allSatisfy { !$0.problem.isEmpty })
        let missing = try await api.post("/api/v1/programs", as: token, [String: Any]())
        #expect(missing.status == 422)
        #expect(
            Set(missing.errorFields) == ["code", "name", "cluster_id", "aid_kind", "aid_category", "target", "unit"])
        let long = try await api.post(
            "/api/v1/programs", as: token, Self.body("LONG", name: String(repeating: "n", count: 201)))
        #expect(long.errorFields == ["name"])
        #expect(try await api.scalar("SELECT count(*) FROM padu.programs") == 7)
    }

    @Test("an agency changes its own programme; bad values are 422 and change nothing")
    func update() async throws {
        let api = try await TestAPI.start("prog_update")
        defer { api.stop() }
        let token = try await api.login("baznas")
        let bedah = api.programs["BEDAH-RUMAH"]!
        let result = try await api.patch(
            "/api/v1/programs/\(bedah)", as: token, ["name": "Bedah Rumah 2019", "unit": "unit rumah"])
        #expect(result.status == 200)
        let changed = try result.decode(Program.self)
        #expect(changed.name == "Bedah Rumah 2019")
        #expect(changed.unit == "unit rumah")
        #expect(changed.code == "BEDAH-RUMAH")
        #expect(changed.aidKind == .inKind)
        let bad = try await api.patch(
            "/api/v1/programs/\(bedah)", as: token, ["aid_kind": "gold", "aid_category": "gold", "cluster_id": 0])
        #expect(bad.status == 422)
        #expect(Set(bad.errorFields) == ["aid_kind", "aid_category", "cluster_id"])
        #expect(try await api.text("SELECT aid_kind FROM padu.programs WHERE id = \(bedah)") == "in_kind")
    }

    @Test("a programme code is unique per agency: 409 for the same agency, fine for another")
    func duplicateCode() async throws {
        let api = try await TestAPI.start("prog_duplicate")
        defer { api.stop() }
        let baznas = try await api.login("baznas")
        let again = try await api.post("/api/v1/programs", as: baznas, Self.body("BEDAH-RUMAH"))
        #expect(again.status == 409)
        #expect(again.isEnvelope("conflict"))
        let other = try await api.post("/api/v1/programs", as: baznas, Self.body("BSTBK"))
        #expect(other.status == 201)
        #expect(try await api.scalar("SELECT count(*) FROM padu.programs WHERE code = 'BSTBK'") == 2)
        let renamed = try await api.patch(
            "/api/v1/programs/\(api.programs["BEDAH-RUMAH"]!)", as: baznas, ["code": "BSTBK"])
        #expect(renamed.status == 409)
    }

    @Test("SQL-looking and non-Latin text is stored verbatim and read back identical")
    func hostileText() async throws {
        let api = try await TestAPI.start("prog_text")
        defer { api.stop() }
        let token = try await api.login("baznas")
        var body = Self.body("TEXT-1", name: HostileText.sqlInjection)
        body["unit"] = HostileText.unicode
        let created = try await api.post("/api/v1/programs", as: token, body)
        #expect(created.status == 201)
        let program = try created.decode(Program.self)
        #expect(program.name == HostileText.sqlInjection)
        #expect(program.unit == HostileText.unicode)
        let id = program.id
        let read = try await api.get("/api/v1/programs/\(id)", as: token).decode(Program.self)
        #expect(read.name == HostileText.sqlInjection)
        #expect(read.unit == HostileText.unicode)
        #expect(try await api.text("SELECT name FROM padu.programs WHERE id = \(id)") == HostileText.sqlInjection)
        #expect(try await api.text("SELECT unit FROM padu.programs WHERE id = \(id)") == HostileText.unicode)
        let renamed = try await api.patch("/api/v1/programs/\(id)", as: token, ["name": HostileText.unicode])
        #expect(try renamed.decode(Program.self).name == HostileText.unicode)
        #expect(try await api.text("SELECT name FROM padu.programs WHERE id = \(id)") == HostileText.unicode)
        // The table is still there with every programme.
        #expect(try await api.scalar("SELECT count(*) FROM padu.programs") == 8)
        // A quote in a path or query parameter is just a 404 or 422.
        let quoted = try await api.get("/api/v1/programs/1'%20OR%20'1'='1", as: token)
        #expect(quoted.status == 404)
        let cursor = try await api.get("/api/v1/programs?cursor=0%20OR%201=1", as: token)
        #expect(cursor.status == 422)
    }
}
