import Foundation
import PQ
import PaduAPI
import PaduTestSupport
import Testing

/// Regions, agencies and clusters: every role reads them; only the admin adds agencies.
@Suite("Reference data over HTTP", .serialized)
struct ReferenceTests {
    @Test("the districts of Musi Banyuasin are the children of 16.06")
    func regionChildren() async throws {
        let api = try await TestAPI.start("ref_regions")
        defer { api.stop() }
        let token = try await api.login("baznas")
        let result = try await api.get("/api/v1/regions?parent=16.06", as: token)
        #expect(result.status == 200)
        let items = result.items
        #expect(items.count >= 10)
        let byCode = Dictionary(
            uniqueKeysWithValues: items.map { ($0["code"] as? String ?? "", $0["name"] as? String ?? "") })
        #expect(byCode["16.06.01"] == "Sekayu")
        #expect(byCode["16.06.02"] == "Lais")
        for item in items {
            #expect(item["parent_code"] as? String == "16.06")
            #expect(jsonInt(item["level"]) == 3)
        }
        #expect(result.object["next_cursor"] is NSNull)
        let provinces = try await api.get("/api/v1/regions", as: token)
        #expect(provinces.status == 200)
        let sumsel = provinces.items.first { $0["code"] as? String == "16" }
        #expect(sumsel != nil)
        #expect(jsonInt(sumsel?["level"]) == 1)
        #expect(provinces.items.allSatisfy { $0["parent_code"] == nil || $0["parent_code"] is NSNull })
    }

    @Test("one region by code; an unknown or malformed code is 404; a bad parent is 422")
    func regionByCode() async throws {
        let api = try await TestAPI.start("ref_region")
        defer { api.stop() }
        let token = try await api.login("bupati")
        let sekayu = try await api.get("/api/v1/regions/16.06.01", as: token)
        #expect(sekayu.status == 200)
        #expect(sekayu.object["name"] as? String == "Sekayu")
        #expect(sekayu.object["parent_code"] as? String == "16.06")
        #expect(sekayu.int("level") == 3)
        let village = try await api.get("/api/v1/regions/16.06.01.2001", as: token)
        #expect(village.object["name"] as? String == "Sukarami")
        #expect(village.int("level") == 4)
        for code in ["99.99", "16.06.99", "sekayu", "16.6"] {
            let result = try await api.get("/api/v1/regions/\(code)", as: token)
            #expect(result.status == 404, "\(code)")
            #expect(result.isEnvelope("not_found"), "\(code)")
        }
        let bad = try await api.get("/api/v1/regions?parent=16-06", as: token)
        #expect(bad.status == 422)
        #expect(bad.errorFields == ["parent"])
        #expect(try await api.get("/api/v1/regions?parent=16.06", as: nil).status == 401)
    }

    @Test("every role reads regions, agencies and clusters")
    func everyRoleReads() async throws {
        let api = try await TestAPI.start("ref_roles")
        defer { api.stop() }
        for name in ["admin", "bupati", "dinsos", "sekayu", "baznas", "dinkes"] {
            let token = try await api.login(name)
            for path in [
                "/api/v1/regions?parent=16", "/api/v1/agencies", "/api/v1/clusters",
                "/api/v1/agencies/\(api.agencies["DINSOS"]!)", "/api/v1/regions/16.06",
            ] {
                let result = try await api.get(path, as: token)
                #expect(result.status == 200, "\(name) \(path): \(result.status)")
            }
        }
    }

    @Test("the Muba agencies are listed, and one is read by id")
    func agencies() async throws {
        let api = try await TestAPI.start("ref_agencies")
        defer { api.stop() }
        let token = try await api.login("dinkes")
        let list = try await api.get("/api/v1/agencies", as: token)
        #expect(list.status == 200)
        let codes = Set(list.items.compactMap { $0["code"] as? String })
        #expect(codes.isSuperset(of: ["DINSOS", "DINKES", "BAZNAS", "BPJS", "SETDA-PEM-KESRA"]))
        #expect(codes.count == api.agencies.count)
        let baznas = try await api.get("/api/v1/agencies/\(api.agencies["BAZNAS"]!)", as: token)
        #expect(baznas.status == 200)
        #expect(baznas.object["code"] as? String == "BAZNAS")
        #expect(baznas.object["name"] as? String == "Badan Amil Zakat Nasional Kabupaten Musi Banyuasin")
        #expect(baznas.object["short_name"] as? String == "Baznas")
        #expect(baznas.object["kind"] as? String == "non_government")
        #expect(baznas.object["region_code"] as? String == "16.06")
        #expect(baznas.int("id") == api.agencies["BAZNAS"])
        for id in ["999999", "0", "-1", "abc"] {
            let missing = try await api.get("/api/v1/agencies/\(id)", as: token)
            #expect(missing.status == 404, "\(id)")
            #expect(missing.isEnvelope("not_found"), "\(id)")
        }
    }

    @Test("the admin adds an agency; it is listed and readable")
    func createAgency() async throws {
        let api = try await TestAPI.start("ref_agency_create")
        defer { api.stop() }
        let admin = try await api.login("admin")
        let created = try await api.post(
            "/api/v1/agencies", as: admin,
            [
                "code": "DINAS-PMD", "name": "Dinas Pemberdayaan Masyarakat dan Desa", "kind": "dinas",
                "region_code": "16.06",
            ])
        #expect(created.status == 201)
        let id = try #require(created.int("id"))
        #expect(created.object["code"] as? String == "DINAS-PMD")
        #expect(created.object["kind"] as? String == "dinas")
        #expect(created.object["region_code"] as? String == "16.06")
        let read = try await api.get("/api/v1/agencies/\(id)", as: try await api.login("baznas"))
        #expect(read.status == 200)
        #expect(read.object["name"] as? String == "Dinas Pemberdayaan Masyarakat dan Desa")
        let list = try await api.get("/api/v1/agencies", as: admin)
        #expect(list.items.contains { $0["code"] as? String == "DINAS-PMD" })
    }

    @Test("only the admin adds agencies: everyone else is 403")
    func createAgencyForbidden() async throws {
        let api = try await TestAPI.start("ref_agency_forbidden")
        defer { api.stop() }
        let before = try await api.scalar("SELECT count(*) FROM padu.agencies")
        for name in ["bupati", "dinsos", "baznas"] {
            let result = try await api.post(
                "/api/v1/agencies", as: try await api.login(name),
                ["code": "NEW-\(name.uppercased())", "name": "Baru", "kind": "dinas", "region_code": "16.06"])
            #expect(result.status == 403, "\(name)")
            #expect(result.isEnvelope("forbidden"), "\(name)")
        }
        #expect(try await api.scalar("SELECT count(*) FROM padu.agencies") == before)
    }

    @Test("a bad agency is 422 naming every bad field; an existing code is 409; an unknown region is 422")
    func createAgencyInvalid() async throws {
        let api = try await TestAPI.start("ref_agency_invalid")
        defer { api.stop() }
        let admin = try await api.login("admin")
        let before = try await api.scalar("SELECT count(*) FROM padu.agencies")
        let invalid = try await api.post(
            "/api/v1/agencies", as: admin,
            ["code": "lower case", "name": "   ", "kind": "ministry", "region_code": "1606"])
        #expect(invalid.status == 422)
        #expect(invalid.isEnvelope("validation_failed"))
        #expect(Set(invalid.errorFields) == ["code", "name", "kind", "region_code"])
        let empty = try await api.post("/api/v1/agencies", as: admin, [String: Any]())
        #expect(Set(empty.errorFields) == ["code", "name", "kind", "region_code"])
        let duplicate = try await api.post(
            "/api/v1/agencies", as: admin,
            ["code": "DINSOS", "name": "Dinsos lagi", "kind": "dinas", "region_code": "16.06"])
        #expect(duplicate.status == 409)
        #expect(duplicate.isEnvelope("conflict"))
        let nowhere = try await api.post(
            "/api/v1/agencies", as: admin,
            ["code": "NOWHERE", "name": "Nowhere", "kind": "other", "region_code": "99.99"])
        #expect(nowhere.status == 422)
        #expect(nowhere.isEnvelope("validation_failed"))
        #expect(try await api.scalar("SELECT count(*) FROM padu.agencies") == before)
    }

    @Test("agency names with quotes, SQL and any script are stored and read back verbatim")
    func agencyNameVerbatim() async throws {
        let api = try await TestAPI.start("ref_agency_text")
        defer { api.stop() }
        let admin = try await api.login("admin")
        for (code, name) in [("ROBERT", HostileText.sqlInjection), ("DESA", HostileText.unicode)] {
            let created = try await api.post(
                "/api/v1/agencies", as: admin, ["code": code, "name": name, "kind": "other", "region_code": "16.06"])
            #expect(created.status == 201)
            #expect(created.object["name"] as? String == name)
            let id = try #require(created.int("id"))
            #expect(try await api.get("/api/v1/agencies/\(id)", as: admin).object["name"] as? String == name)
            #expect(try await api.text("SELECT name FROM padu.agencies WHERE id = \(id)") == name)
        }
        #expect(try await api.scalar("SELECT count(*) FROM padu.programs") == 7)
    }

    @Test("the four clusters, Klaster 1 with its chair, vice chair and members")
    func clusters() async throws {
        let api = try await TestAPI.start("ref_clusters")
        defer { api.stop() }
        let result = try await api.get("/api/v1/clusters", as: try await api.login("bupati"))
        #expect(result.status == 200)
        let clusters = result.items
        #expect(clusters.compactMap { jsonInt($0["id"]) } == [1, 2, 3, 4])
        #expect(clusters.first?["name"] as? String == "Bantuan Sosial Terpadu Berbasis Keluarga")
        let one = try #require(clusters.first)
        #expect(jsonInt(one["coordinator_agency_id"]) == api.agencies["DINSOS"])
        let members = one["members"] as? [[String: Any]] ?? []
        #expect(members.count == 13)
        let roles = Dictionary(
            uniqueKeysWithValues: members.map { ($0["code"] as? String ?? "", $0["role"] as? String ?? "") })
        #expect(roles["SETDA-PEM-KESRA"] == "chair")
        #expect(roles["DINSOS"] == "vice_chair")
        #expect(roles["BAZNAS"] == "member")
        #expect(Set(roles.values).isSubset(of: ["chair", "vice_chair", "member"]))
        #expect(jsonInt(members.first { $0["code"] as? String == "DINKES" }?["agency_id"]) == api.agencies["DINKES"])
        #expect((clusters.last?["members"] as? [Any])?.isEmpty == true)
    }
}
