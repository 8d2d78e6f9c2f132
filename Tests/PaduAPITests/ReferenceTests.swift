import Foundation
import PQ
import PaduAPI
import PaduCore
import PaduStore
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
        let page = try result.page(of: ReferenceStore.Region.self)
        let items = page.items
        #expect(items.count >= 10)
        let byCode = Dictionary(uniqueKeysWithValues: items.map { ($0.code, $0.name) })
        #expect(byCode["16.06.01"] == "Sekayu")
        #expect(byCode["16.06.02"] == "Lais")
        for item in items {
            #expect(item.parentCode == "16.06")
            #expect(item.level == 3)
        }
        #expect(page.nextCursor == nil)
        let provinces = try await api.get("/api/v1/regions", as: token)
        #expect(provinces.status == 200)
        let provinceItems = try provinces.page(of: ReferenceStore.Region.self).items
        let sumsel = provinceItems.first { $0.code == "16" }
        #expect(sumsel != nil)
        #expect(sumsel?.level == 1)
        #expect(provinceItems.allSatisfy { $0.parentCode == nil })
    }

    @Test("one region by code; an unknown or malformed code is 404; a bad parent is 422")
    func regionByCode() async throws {
        let api = try await TestAPI.start("ref_region")
        defer { api.stop() }
        let token = try await api.login("bupati")
        let sekayu = try await api.get("/api/v1/regions/16.06.01", as: token)
        #expect(sekayu.status == 200)
        let region = try sekayu.decode(ReferenceStore.Region.self)
        #expect(region.name == "Sekayu")
        #expect(region.parentCode == "16.06")
        #expect(region.level == 3)
        let village = try await api.get("/api/v1/regions/16.06.01.2001", as: token).decode(ReferenceStore.Region.self)
        #expect(village.name == "Sukarami")
        #expect(village.level == 4)
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
        let codes = Set(try list.page(of: ReferenceStore.Agency.self).items.map(\.code))
        #expect(codes.isSuperset(of: ["DINSOS", "DINKES", "BAZNAS", "BPJS", "SETDA-PEM-KESRA"]))
        #expect(codes.count == api.agencies.count)
        let baznas = try await api.get("/api/v1/agencies/\(api.agencies["BAZNAS"]!)", as: token)
        #expect(baznas.status == 200)
        let agency = try baznas.decode(ReferenceStore.Agency.self)
        #expect(agency.code == "BAZNAS")
        #expect(agency.name == "Badan Amil Zakat Nasional Kabupaten Musi Banyuasin")
        #expect(agency.shortName == "Baznas")
        #expect(agency.kind == .nonGovernment)
        #expect(agency.regionCode == "16.06")
        #expect(agency.id == api.agencies["BAZNAS"])
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
        let agency = try created.decode(ReferenceStore.Agency.self)
        let id = agency.id
        #expect(agency.code == "DINAS-PMD")
        #expect(agency.kind == .dinas)
        #expect(agency.regionCode == "16.06")
        let read = try await api.get("/api/v1/agencies/\(id)", as: try await api.login("baznas"))
        #expect(read.status == 200)
        #expect(try read.decode(ReferenceStore.Agency.self).name == "Dinas Pemberdayaan Masyarakat dan Desa")
        let list = try await api.get("/api/v1/agencies", as: admin)
        #expect(try list.page(of: ReferenceStore.Agency.self).items.contains { $0.code == "DINAS-PMD" })
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
            let agency = try created.decode(ReferenceStore.Agency.self)
            #expect(agency.name == name)
            let id = agency.id
            #expect(
                try await api.get("/api/v1/agencies/\(id)", as: admin).decode(ReferenceStore.Agency.self).name == name)
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
        let clusters = try result.page(of: ReferenceStore.Cluster.self).items
        #expect(clusters.map(\.id) == [1, 2, 3, 4])
        #expect(clusters.first?.name == "Bantuan Sosial Terpadu Berbasis Keluarga")
        let one = try #require(clusters.first)
        #expect(one.coordinatorAgencyID == api.agencies["DINSOS"])
        let members = one.members
        #expect(members.count == 13)
        let roles = Dictionary(uniqueKeysWithValues: members.map { ($0.code, $0.role) })
        #expect(roles["SETDA-PEM-KESRA"] == "chair")
        #expect(roles["DINSOS"] == "vice_chair")
        #expect(roles["BAZNAS"] == "member")
        #expect(Set(roles.values).isSubset(of: ["chair", "vice_chair", "member"]))
        #expect(members.first { $0.code == "DINKES" }?.agencyID == api.agencies["DINKES"])
        #expect(clusters.last?.members.isEmpty == true)
    }
}
